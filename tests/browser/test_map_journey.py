"""A parent sees the search results on a map, narrows the search, and opens a marker."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.catalogue.models import CatalogueLocation
from tenants.providers.services import location_delete
from tests.support.providers import make_location

pytestmark = pytest.mark.browser

SEARCH = "/opvang/?q=zeppelin"


@pytest.fixture(scope="module")
def committed_offer(django_db_setup, django_db_blocker):
    """Four locations the server can see, one without coordinates; removed afterwards."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        beta, gamma = _world.lokets["beta"], _world.lokets["gamma"]
        made = [
            (
                beta,
                make_location(
                    beta,
                    name="Zeppelin Oost",
                    latitude=Decimal("50.8120"),
                    longitude=Decimal("4.9500"),
                ),
            ),
            (
                beta,
                make_location(
                    beta,
                    name="Zeppelin West",
                    latitude=Decimal("50.8020"),
                    longitude=Decimal("4.9200"),
                ),
            ),
            (
                gamma,
                make_location(
                    gamma,
                    name="Zeppelin Onthaal",
                    kind="family",
                    nis_code="24137",
                    latitude=Decimal("50.8600"),
                    longitude=Decimal("4.9600"),
                ),
            ),
            (beta, make_location(beta, name="Zeppelin Zonder Adres")),
        ]
        unlocated = made[-1][1]
        CatalogueLocation.objects.filter(loket=beta, location_id=unlocated.pk).update(
            latitude=None, longitude=None
        )
        yield
        for loket, location in made:
            with tenant_context(loket):
                location_delete(location=location)


def markers(page: Page):
    return page.locator("#results-map .leaflet-marker-icon")


def test_the_map_shows_the_located_results_and_follows_the_filters(
    page: Page, served_site, committed_offer
):
    origin = served_site.url("testregio.localhost")
    page.goto(origin + SEARCH)
    expect(page.locator(".result-list .result")).to_have_count(4)
    # Every located result is a marker; the one without coordinates is in the list only.
    expect(markers(page)).to_have_count(3)
    expect(page.locator("#results-map")).to_have_attribute("data-marker-count", "3")
    expect(page.locator("#results-map")).to_have_attribute("role", "region")
    expect(page.locator("#results-map")).to_have_attribute(
        "aria-label", "Kaart van de gevonden locaties"
    )
    expect(page.locator("#results-map .leaflet-control-zoom-in")).to_have_attribute(
        "aria-label", "Inzoomen"
    )
    # The tiles come from the configured tile server (here the served site's blank tile).
    expect(page.locator("#results-map img.leaflet-tile-loaded").first).to_be_attached()

    page.locator("#id_kind").select_option("family")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator(".result-list .result")).to_have_count(1)
    expect(markers(page)).to_have_count(1)
    expect(markers(page)).to_have_attribute("title", "Zeppelin Onthaal")

    # A marker's popup links to the location page, which shows a map of its own.
    markers(page).click()
    popup_link = page.locator("#results-map .leaflet-popup-content a")
    expect(popup_link).to_have_text("Zeppelin Onthaal")
    popup_link.click()
    expect(page.locator("h1")).to_have_text("Zeppelin Onthaal")
    expect(page.locator("[data-map=location] .leaflet-marker-icon")).to_have_count(1)
    # Back to the same search, family care only.
    page.get_by_role("link", name="Terug naar het zoeken").click()
    expect(markers(page)).to_have_count(1)


def test_the_map_neither_traps_the_keyboard_nor_hides_a_location_from_it(
    page: Page, served_site, committed_offer
):
    page.goto(served_site.url("testregio.localhost") + SEARCH)
    expect(markers(page)).to_have_count(3)
    # Markers are not tab stops: the list is the keyboard's way to each location.
    expect(page.locator("#results-map [tabindex='0'].leaflet-marker-icon")).to_have_count(0)
    page.locator("#results-map").focus()
    first_result = page.locator(".result-list .result a").first
    for _ in range(8):  # the zoom buttons and the credits, then out of the map
        page.keyboard.press("Tab")
        if first_result.evaluate("element => element === document.activeElement"):
            break
    expect(first_result).to_be_focused()
    # The skip link goes past the map to the list.
    page.locator(".map-skip").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result-list")).to_be_focused()


def test_the_map_fits_a_phone(browser, served_site, committed_offer):
    context = browser.new_context(locale="nl-BE", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(served_site.url("testregio.localhost") + SEARCH)
        # On a narrow map nearby markers may be grouped: wait for the map, not for 3 icons.
        expect(page.locator("#results-map")).to_have_attribute("data-marker-count", "3")
        expect(markers(page).first).to_be_visible()
        box = page.locator("#results-map").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert 200 <= box["height"] <= 740 * 0.7
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


CROWD = 60
CROWD_SEARCH = "/opvang/?q=ballonnetje"


@pytest.fixture(scope="module")
def crowded_offer(django_db_setup, django_db_blocker):
    """Sixty located locations a few hundred metres apart (6 x 10); removed afterwards."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        beta = _world.lokets["beta"]
        made = [
            make_location(
                beta,
                name=f"Ballonnetje {row * 10 + column + 1:02d}",
                latitude=Decimal("50.7900") + Decimal("0.0040") * row,
                longitude=Decimal("4.9000") + Decimal("0.0060") * column,
            )
            for row in range(6)
            for column in range(10)
        ]
        yield
        with tenant_context(beta):
            for location in made:
                location_delete(location=location)


def clusters(page: Page):
    return page.locator("#results-map .marker-cluster")


def single_markers(page: Page):
    return page.locator("#results-map .leaflet-marker-icon:not(.marker-cluster)")


def locations_on_the_map(page: Page) -> int:
    """The single markers plus the number each group says it holds."""
    return page.evaluate(
        """() => {
            const map = document.querySelector("#results-map");
            const groups = [...map.querySelectorAll(".marker-cluster")];
            const singles = map.querySelectorAll(".leaflet-marker-icon:not(.marker-cluster)");
            return groups.reduce((sum, g) => sum + Number(g.textContent), singles.length);
        }"""
    )


def test_many_locations_are_grouped_and_a_group_opens_when_clicked(
    page: Page, served_site, crowded_offer
):
    page.goto(served_site.url("testregio.localhost") + CROWD_SEARCH)
    expect(page.locator("#results-map")).to_have_attribute("data-marker-count", str(CROWD))
    # Grouped: far fewer icons than locations, and every location counted in one of them.
    expect(clusters(page).first).to_be_visible()
    assert page.locator("#results-map .leaflet-marker-icon").count() < CROWD / 2
    assert locations_on_the_map(page) == CROWD
    # A group has a name in words, as a marker has; neither is a tab stop.
    first = clusters(page).first
    expect(first).to_have_attribute("role", "img")
    count = first.inner_text().strip()
    expect(first).to_have_attribute(
        "aria-label", re.compile(rf"^{count} locaties hier: zoom in om ze te zien$")
    )
    expect(page.locator("#results-map .leaflet-marker-icon[tabindex='0']")).to_have_count(0)
    # The list keeps every location (20 a page), whatever the map groups.
    expect(page.locator(".result-list .result")).to_have_count(20)

    # A click on a group zooms in on it until its locations stand apart.
    for _ in range(5):
        if single_markers(page).count():
            break
        clusters(page).first.click()
        page.wait_for_timeout(600)  # the zoom animation
    expect(single_markers(page).first).to_be_visible()
    assert page.locator("#results-map .leaflet-marker-icon").count() >= 2

    # A marker's popup still links to its location page.
    marker = single_markers(page).first
    name = marker.get_attribute("title")
    assert name and name.startswith("Ballonnetje ")
    marker.click()
    popup_link = page.locator("#results-map .leaflet-popup-content a")
    expect(popup_link).to_have_text(name)
    popup_link.click()
    expect(page.locator("h1")).to_have_text(name)
