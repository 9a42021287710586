"""A family registered at the desk links the request to their account with the receipt's code."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.registry.models import ClaimCode, RegistryEntry
from tenants.providers.services import location_delete
from tenants.requests.claim_codes import request_claim_code_issue
from tenants.requests.models import ChildcareRequest
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.browser

LOCATION_NAME = "Crèche De Koppeling"


@pytest.fixture(scope="module")
def desk_registration(django_db_setup, django_db_blocker):
    """A desk registration without e-mail at alpha with its code; all removed afterwards."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha = _world.lokets["alpha"]
        parent = _world.users["parent"]
        location = make_location(alpha, name=LOCATION_NAME)
        (entry,) = submit(
            location,
            registered_by=_world.users["staff_alpha"],
            contact_email="",
            guardians=[{"name": "Sara Peeters", "email": "", "phone": "016 12 34 56"}],
            child_first_name="Wout",
            child_last_name="Koppeling",
        )
        with tenant_context(alpha):
            issued = request_claim_code_issue(
                loket=alpha,
                reference=entry.reference,
                actor=_world.users["staff_alpha"],
                now=timezone.now(),
            )
        with passwords_for_the_server([parent]):
            yield parent, entry, issued.code
        ClaimCode.objects.filter(submission=entry.submission).delete()
        with tenant_context(alpha):
            ChildcareRequest.objects.filter(pk=entry.request_id).delete()
        RegistryEntry.objects.filter(pk=entry.pk).delete()
        with tenant_context(alpha):
            location_delete(location=location)


def test_a_parent_links_a_desk_registration_with_the_code_of_the_receipt(
    page: Page, served_site, desk_registration
):
    parent, entry, code = desk_registration
    origin = served_site.url("alpha.localhost")
    log_in(page, origin, parent.email, next_path="/mijn-aanvragen/")
    expect(page.get_by_text("Aanvraag voor Wout Koppeling")).to_have_count(0)

    page.locator("#claim-with-code").click()
    expect(page).to_have_url(f"{origin}/mijn-aanvragen/koppelen/")
    # A typo first: one plain message, the form kept, focus where it can be fixed.
    page.locator("#id_reference").fill(entry.reference)
    page.locator("#id_code").fill("ABCD-EFGH-JKMN")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".form-errors[role=alert]")).to_contain_text("passen niet")
    expect(page.locator("#id_reference")).to_have_value(entry.reference)

    # Typed as a person would: lower case, spaces instead of hyphens.
    page.locator("#id_code").fill(code.lower().replace("-", " "))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{origin}/mijn-aanvragen/{entry.submission}/")
    expect(page.locator(".messages")).to_contain_text("aan je account gekoppeld")

    page.goto(f"{origin}/mijn-aanvragen/")
    title = page.get_by_role("link", name="Aanvraag voor Wout Koppeling", exact=True)
    expect(title).to_be_visible()
    expect(page.locator(".my-request-part").first).to_contain_text(entry.reference)
