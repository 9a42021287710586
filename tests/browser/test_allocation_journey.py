"""A provider in beta sees Lotte by first name and offers a place, the parent accepts it,
alpha's choice closes, and the provider finds Lotte under upcoming starts with the family's
contact."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.registry.models import RegistryEntry
from tenants.allocation.models import Placement
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.support.allocation import register
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import grant_location, make_location

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def committed_choices(django_db_setup, django_db_blocker):
    """Lotte waits in Herent (alpha) and Tienen (beta); the server sees it all, committed."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha, beta = _world.lokets["alpha"], _world.lokets["beta"]
        parent, provider = _world.users["parent"], _world.users["provider_beta"]
        herent = make_location(alpha, name="Kinderdagverblijf Herentals Reis")
        tienen = make_location(beta, name="Crèche Tiense Reis")
        grant_location(beta, tienen, provider)
        entries = register(herent, name="Lotte", parent=parent, also=[tienen])
        connection.set_schema_to_public()
        with passwords_for_the_server([parent, provider]):
            yield {"herent": herent, "tienen": tienen, "parent": parent, "provider": provider}
        connection.set_schema_to_public()
        entries = RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries])
        for entry in entries:
            with tenant_context(entry.loket):
                Placement.objects.filter(choice__request_id=entry.request_id).delete()
                ChildcareRequest.objects.filter(pk=entry.request_id).delete()
        entries.delete()
        for loket, location in ((alpha, herent), (beta, tienen)):
            with tenant_context(loket):
                location_delete(location=location)
        connection.set_schema_to_public()


def test_provider_offers_parent_accepts_and_the_other_loket_closes_the_choice(
    page: Page, browser, served_site, committed_choices
):
    tienen = committed_choices["tienen"]
    beta = served_site.url("beta.localhost")
    queue_path = f"/beheer/wachtlijst/{tienen.pk}/"
    log_in(page, beta, committed_choices["provider"].email, queue_path)
    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(1)
    # The provider sees the child by first name, not only by reference.
    expect(rows.first.locator(".child-first-name")).to_have_text("Lotte")
    rows.first.locator('a[href$="/aanbod/"]').click()
    expect(page.locator("dd.child-first-name")).to_have_text("Lotte")
    # Start date and days come filled in from the request; the answer date is the loket's.
    expect(page.locator('input[name="care_plan"]:checked')).not_to_have_count(0)
    page.locator("main form.form button[type=submit]").click()
    expect(page).to_have_url(f"{beta}{queue_path}")
    expect(page.locator("tr.queue-row .badge.choice-offered")).to_have_count(1)

    # The parent answers on a phone.
    parent_context = browser.new_context(locale="nl-BE", viewport={"width": 360, "height": 740})
    try:
        parent_page = parent_context.new_page()
        alpha = served_site.url("alpha.localhost")
        log_in(parent_page, alpha, committed_choices["parent"].email, "/mijn-aanvragen/")
        offer = parent_page.locator("section.offer")
        expect(offer).to_have_count(1)
        expect(offer).to_contain_text("Crèche Tiense Reis")
        # The whole offer fits the phone's width: nothing to scroll sideways for.
        accept = offer.locator("a.accept-offer")
        box = accept.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        accept.click()
        # The confirmation page says which other choices close.
        expect(parent_page.locator("ul.closing-choices")).to_contain_text(
            "Kinderdagverblijf Herentals Reis"
        )
        parent_page.locator("button.accept-offer").click()
        expect(parent_page.locator(".badge.choice-accepted")).to_have_count(1)
        herent_row = parent_page.locator("tr", has_text="Kinderdagverblijf Herentals Reis")
        expect(herent_row.locator(".badge.choice-closed_elsewhere")).to_be_visible()
        expect(parent_page.locator("section.offer")).to_have_count(0)
    finally:
        parent_context.close()

    # The provider finds the child under upcoming starts, with the family's contact.
    page.goto(f"{beta}/beheer/")
    page.locator('a[href="/beheer/plaatsingen/"]').first.click()
    page.locator(f'a[href="/beheer/plaatsingen/{tienen.pk}/"]').click()
    upcoming = page.locator("#upcoming tr.placement-row")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("Lotte Vermeulen")
    expect(upcoming).to_contain_text("sara@example.be")

    # The occupancy grid counts her in the month she starts.
    month = f"{timezone.localdate() + timedelta(days=60):%Y-%m}"  # the request's desired start
    page.goto(f"{beta}/beheer/opvang/locaties/{tienen.pk}/bezetting/?van={month}")
    expect(page.locator(f'tr[data-month="{month}"] td.placed')).to_have_text("1")
