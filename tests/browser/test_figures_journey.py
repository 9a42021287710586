"""Loket staff open their dashboard and the figures with charts beside their tables."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.registry.models import RegistryEntry
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def committed_requests(django_db_setup, django_db_blocker):
    """Two children waiting in alpha (one also in beta), visible to the served site."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha, beta = _world.lokets["alpha"], _world.lokets["beta"]
        here = make_location(alpha, name="Cijfers Alpha")
        there = make_location(beta, name="Cijfers Beta")
        entries = submit(here, there, child_first_name="Mira", child_last_name="Claes")
        entries += submit(here, child_first_name="Bas", child_last_name="Wouters")
        with passwords_for_the_server([_world.users["staff_alpha"]]):
            yield
        for loket in (alpha, beta):
            with tenant_context(loket):
                ChildcareRequest.objects.filter(
                    pk__in=[entry.request_id for entry in entries if entry.loket_id == loket.pk]
                ).delete()
        RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
        for loket, location in ((alpha, here), (beta, there)):
            with tenant_context(loket):
                location_delete(location=location)


def test_loket_staff_see_the_dashboard_and_charts_with_tables(
    page: Page, served_site, committed_requests
):
    origin = served_site.url("alpha.localhost")
    log_in(page, origin, "staff_alpha@test.test", "/beheer/cijfers/")
    main = page.locator("main")
    counts = main.locator("table tbody td")
    # Two children wait in alpha, both new this week, one also waits in another loket.
    # No possible duplicate waits for a decision, none had a place accepted elsewhere.
    expect(counts).to_have_text(["2", "2", "0", "1", "0", "0"])

    page.goto(origin + "/beheer/cijfers/overzicht/")
    charts = page.locator("main svg[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    # Every chart has an accessible title and a table with the same numbers beside it.
    for index in range(charts.count()):
        chart = charts.nth(index)
        title_id = chart.get_attribute("aria-labelledby")
        assert title_id and page.locator(f"#{title_id}").count() == 1
    assert page.locator("main table").count() >= charts.count()
    # No child's name on a figures page.
    expect(main).not_to_contain_text("Mira")
    expect(main).not_to_contain_text("Wouters")


def test_on_a_phone_each_chart_fits_and_opens_as_a_table_without_script(
    browser, served_site, committed_requests
):
    context = browser.new_context(
        locale="nl-BE", viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        origin = served_site.url("alpha.localhost")
        log_in(page, origin, "staff_alpha@test.test", "/beheer/cijfers/overzicht/")
        charts = page.locator("main section.figure-chart")
        assert charts.count() == 7
        for index in range(charts.count()):
            section = charts.nth(index)
            box = section.locator("svg.chart").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
            table = section.locator("details.chart-table table")
            expect(table).to_be_hidden()
            section.locator("details.chart-table summary").click()
            expect(table).to_be_visible()
        # The page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
