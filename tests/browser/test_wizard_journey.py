"""A parent registers a childcare request on the portal, corrects a mistake, and gets references."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.portal.models import RequestDraft
from shared.registry.models import RegistryEntry
from tenants.providers.services import location_delete
from tests.support.browser import passwords_for_the_server
from tests.support.providers import make_location
from tests.support.requests import committed_requests_remove
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser

PORTAL = "testregio.localhost"
LOCATION_NAME = "Crèche De Wizardreis"


@pytest.fixture(scope="module")
def committed_parent(django_db_setup, django_db_blocker):
    """A location the server can see and the parent who registers; all removed afterwards."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha = _world.lokets["alpha"]
        parent = _world.users["parent"]
        location = make_location(alpha, name=LOCATION_NAME)
        with passwords_for_the_server([parent]):
            yield parent
        RequestDraft.objects.filter(owner=parent).delete()
        committed_requests_remove([parent])
        with tenant_context(alpha):
            location_delete(location=location)


def valid_national_number() -> str:
    base = "250315123"
    return base + f"{97 - int('2' + base) % 97:02d}"


def save_step(page: Page) -> None:
    page.locator("form.wizard-form button[type=submit]").click()


def test_parent_corrects_a_mistake_without_retyping_and_gets_the_references(
    page: Page, served_site, committed_parent
):
    today = timezone.localdate()
    origin = served_site.url(PORTAL)
    page.goto(f"{origin}/account/login/?next=/aanvraag/nieuw/")
    page.locator("#id_login").fill(committed_parent.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(f"{origin}/aanvraag/nieuw/")
    page.locator("main form.wizard-actions button[type=submit]").click()

    # Child, with a national register number that fails its check.
    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("1.")
    page.locator("#id_first_name").fill("Noor")
    page.locator("#id_last_name").fill("Wizardreis")
    page.locator("#id_birth_date").fill((today - timedelta(days=90)).isoformat())
    page.locator("#id_national_number").fill("12345678901")
    save_step(page)

    error = page.locator("#id_national_number_error")
    expect(error).to_be_visible()
    expect(page.locator("#id_national_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_first_name")).to_have_value("Noor")
    expect(page.locator("#id_last_name")).to_have_value("Wizardreis")
    # Corrected from the keyboard alone; the other fields stay as they were.
    page.locator(".error-summary a[href='#id_national_number']").click()
    expect(page.locator("#id_national_number")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(valid_national_number())
    page.keyboard.press("Enter")

    # Family: the account's e-mail is already filled in.
    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("2.")
    expect(page.locator("#id_guardian_1_email")).to_have_value(committed_parent.email)
    page.locator("#id_guardian_1_name").fill("Sara Wizardreis")
    page.locator("#id_street").fill("Kerkstraat 4")
    page.locator("#id_postcode").fill("3020")
    page.locator("#id_residence").select_option("24038")
    save_step(page)

    # Need: a start date in the past first, then a good one; the care plan stays ticked.
    page.locator("#id_desired_start").fill((today - timedelta(days=2)).isoformat())
    for value in ("mon_am", "mon_pm", "thu_am"):
        page.locator(f"input[name=care_plan][value={value}]").check()
    save_step(page)
    expect(page.locator("#id_desired_start_error")).to_be_visible()
    expect(page.locator("input[name=care_plan][value=thu_am]")).to_be_checked()
    page.locator("#id_desired_start").fill((today + timedelta(days=45)).isoformat())
    save_step(page)

    # Choices: the search shows the locations of the region; add one and go on.
    card = page.locator("li.result", has_text=LOCATION_NAME)
    card.locator("button[type=submit]").click()
    expect(page.locator(".chosen-name")).to_have_text([LOCATION_NAME])
    page.locator("#your-choices button[value=next]").click()

    save_step(page)  # priority: nothing applies
    page.locator("#id_consent").check()
    save_step(page)

    # Review: everything shown, then sent.
    expect(page).to_have_url(re.compile(r"/aanvraag/\d+/overzicht/$"))
    main = page.locator("main")
    for text in ("Noor", "Wizardreis", "Kerkstraat 4", LOCATION_NAME):
        expect(main).to_contain_text(text)
    page.locator("form.submit-form button[type=submit]").click()

    expect(page).to_have_url(f"{origin}/aanvraag/ingediend/")
    reference = page.locator("td.reference strong")
    expect(reference).to_have_count(1)
    expect(reference).to_have_text(re.compile(r"^ALP-\d{4}-\d{5}$"))
    expect(page.locator('main a[href="/mijn-aanvragen/"]')).to_be_visible()
    (entry,) = RegistryEntry.objects.filter(parent=committed_parent)
    expect(reference).to_have_text(entry.reference)
    assert not RequestDraft.objects.filter(owner=committed_parent).exists()
