"""A parent searches by postcode and age, opens a location and sees its free places."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.catalogue.vocabulary import add_months, first_of_month
from tenants.providers.services import location_delete
from tests.support.providers import make_location, set_free_places

pytestmark = pytest.mark.browser

START = add_months(first_of_month(timezone.localdate()), 2)


@pytest.fixture(scope="module")
def committed_offer(django_db_setup, django_db_blocker):
    """Locations the server can see: committed, and removed again after these tests."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        beta, gamma = _world.lokets["beta"], _world.lokets["gamma"]
        near = make_location(beta, name="Crèche De Zonnebloem", street="Grote Markt 3")
        school = make_location(
            beta,
            name="IBO Schoolslag",
            kind="out_of_school",
            age_min_months=30,
            age_max_months=144,
        )
        far = make_location(gamma, name="Onthaalouder Verweg", kind="family", nis_code="24054")
        set_free_places(beta, near, START, "baby", 2)
        set_free_places(beta, near, START, "toddler", 1)
        yield
        for loket, location in ((beta, near), (beta, school), (gamma, far)):
            with tenant_context(loket):
                location_delete(location=location)


def test_parent_searches_by_postcode_and_age_and_sees_free_places(
    page: Page, served_site, committed_offer
):
    page.goto(served_site.url("testregio.localhost") + "/opvang/")
    page.locator("#id_near").fill("3300")
    page.locator("#id_radius_km").fill("5")
    page.locator("#id_age_months").fill("8")
    page.locator("#id_start").fill(f"{START:%Y-%m}")
    page.locator("form.search-form button[type=submit]").click()

    results = page.locator(".result-list .result h3")
    expect(results).to_have_count(1)
    expect(results.first).to_have_text("Crèche De Zonnebloem")
    # Free places for the child's age group (babies) in the start month.
    expect(page.locator(".result .free-places")).to_have_text("2")
    # Out-of-school care and a location 10 km away are not among the results.
    expect(page.locator("main")).not_to_contain_text("IBO Schoolslag")
    expect(page.locator("main")).not_to_contain_text("Onthaalouder Verweg")

    results.first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Crèche De Zonnebloem")
    table = page.locator("table.free-places-table")
    expect(table).to_be_visible()
    # Twelve months from now: the one counted, and "not known" for the others (never 0).
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table.locator("tbody tr", has_text="niet gekend")).to_have_count(11)
    expect(table.locator("tbody tr strong")).to_have_text(["2", "1"])
