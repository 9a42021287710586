"""Back after a form that showed an error goes to the page before, never to "resubmit the form?".

Our pages are never stored (Cache-Control: no-store), so a page sent as the answer to a POST
would be a POST in the history: Chromium shows net::ERR_CACHE_MISS for it on Back.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.portal.models import RequestDraft
from tenants.providers.services import location_delete
from tests.support.allocation import register
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import make_location
from tests.support.requests import committed_requests_remove

pytestmark = pytest.mark.browser

PORTAL = "testregio.localhost"


@pytest.fixture(scope="module")
def committed_request(django_db_setup, django_db_blocker):
    """A parent, a request in alpha (of another family) and alpha's staff, seen by the server.

    All removed afterwards.
    """
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha = _world.lokets["alpha"]
        parent, staff = _world.users["parent"], _world.users["staff_alpha"]
        other_parent = _world.users["other_parent"]
        location = make_location(alpha, name="Crèche Terugknop")
        entries = register(location, name="Mila", parent=other_parent)
        connection.set_schema_to_public()
        with passwords_for_the_server([parent, staff]):
            yield {"parent": parent, "staff": staff, "reference": entries[0].reference}
        connection.set_schema_to_public()
        RequestDraft.objects.filter(owner=parent).delete()
        committed_requests_remove([parent, other_parent])
        with tenant_context(alpha):
            location_delete(location=location)
        connection.set_schema_to_public()


def test_back_after_a_corrected_wizard_step_shows_that_step_again(
    page: Page, served_site, committed_request
):
    today = timezone.localdate()
    origin = served_site.url(PORTAL)
    log_in(page, origin, committed_request["parent"].email, "/aanvraag/nieuw/")
    page.locator("main form.wizard-actions button[type=submit]").click()

    # Child: a date of birth in the future, then a good one.
    expect(page).to_have_url(re.compile(r"/aanvraag/\d+/kind/$"))
    child_url = page.url
    page.locator("#id_first_name").fill("Noor")
    page.locator("#id_last_name").fill("Terugknop")
    page.locator("#id_birth_date").fill((today + timedelta(days=30)).isoformat())
    page.locator("form.wizard-form button[type=submit]").click()
    expect(page.locator("#id_birth_date_error")).to_be_visible()
    page.locator("#id_birth_date").fill((today - timedelta(days=90)).isoformat())
    page.locator("form.wizard-form button[type=submit]").click()
    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("2.")

    page.go_back()

    expect(page).to_have_url(child_url)
    expect(page.locator("h1")).to_contain_text("Kind")
    expect(page.locator("#id_birth_date")).to_have_value((today - timedelta(days=90)).isoformat())


def test_back_after_a_corrected_note_shows_the_request_and_an_empty_note_brings_you_to_the_error(
    page: Page, served_site, committed_request
):
    page.set_viewport_size({"width": 390, "height": 844})
    origin = served_site.url("alpha.localhost")
    detail = f"/beheer/aanvragen/{committed_request['reference']}/"
    log_in(page, origin, committed_request["staff"].email, detail)

    # An empty note: the answer shows the error on the screen, not 4,000 px below the top.
    page.locator("#notes button[type=submit]").click()
    error = page.locator("#id_text_error")
    expect(error).to_be_visible()
    expect(error).to_be_in_viewport()

    page.locator("#id_text").fill("Mama belde: start mag later.")
    page.locator("#notes button[type=submit]").click()
    expect(page.locator("ul.notes")).to_contain_text("Mama belde")

    page.go_back()

    expect(page).to_have_url(re.compile(re.escape(f"{origin}{detail}") + r"(#notes)?$"))
    expect(page.locator("h1")).to_contain_text(committed_request["reference"])
    expect(page.locator("#id_text")).to_be_visible()
