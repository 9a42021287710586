"""The map's markers: the search's own results (all pages), only this host's, only located."""

from urllib.parse import parse_qs, urlsplit

import pytest

from shared.catalogue import views
from shared.catalogue.models import CatalogueLocation
from shared.lokets.services import region_ensure
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world):
    alpha, beta, gamma = (world.lokets[s] for s in ("alpha", "beta", "gamma"))
    return {
        "herent": make_location(alpha, name="Kaartje Herent"),
        "herent_school": make_location(
            alpha,
            name="Kaartje Speelplaats",
            kind="out_of_school",
            age_min_months=30,
            age_max_months=144,
        ),
        "tienen": make_location(beta, name="Kaartje Tienen"),
        "glabbeek": make_location(gamma, name="Kaartje Glabbeek", kind="family", nis_code="24137"),
    }


def markers(client, query: str = "") -> list[dict]:
    response = client.get(f"/opvang/kaart.json?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["count"] == len(answer["markers"])
    return answer["markers"]


def marker_names(client, query: str = "") -> set[str]:
    return {marker["name"] for marker in markers(client, query)}


def listed_names(client, query: str = "") -> set[str]:
    return {location.name for location in client.get(f"/opvang/?{query}").context["page"]}


def test_the_map_shows_the_results_of_every_page_not_only_the_current_one(
    client_for, world, catalogue, monkeypatch
):
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 1)
    client = client_for(world.region.domain)
    page = client.get("/opvang/?q=kaartje")
    assert page.context["page"].paginator.count == 4
    assert len(page.context["page"].object_list) == 1
    assert marker_names(client, "q=kaartje") == {
        "Kaartje Herent",
        "Kaartje Speelplaats",
        "Kaartje Tienen",
        "Kaartje Glabbeek",
    }
    # The page number is not a filter of the markers.
    assert marker_names(client, "q=kaartje&page=3") == marker_names(client, "q=kaartje")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=family", {"Kaartje Glabbeek"}),
        ("age_months=60", {"Kaartje Speelplaats"}),
        ("municipality=24038", {"Kaartje Herent", "Kaartje Speelplaats"}),
        ("near=3300&radius_km=3", {"Kaartje Tienen"}),
        ("q=tienen", {"Kaartje Tienen"}),
    ],
)
def test_markers_follow_the_filters_like_the_list(client_for, world, catalogue, query, expected):
    client = client_for(world.region.domain)
    mine = {"Kaartje Herent", "Kaartje Speelplaats", "Kaartje Tienen", "Kaartje Glabbeek"}
    assert marker_names(client, query) & mine == expected
    assert marker_names(client, query) == listed_names(client, query)


def test_a_marker_is_placed_where_the_location_is_and_links_to_its_page(
    client_for, world, catalogue
):
    client = client_for(world.region.domain)
    entry = CatalogueLocation.objects.get(
        loket=world.lokets["beta"], location_id=catalogue["tienen"].pk
    )
    (marker,) = markers(client, "q=tienen&kind=group")
    assert (marker["latitude"], marker["longitude"]) == (entry.latitude, entry.longitude)
    assert marker["address"] == "Dorpsstraat 1, 3300 Tienen"
    link = urlsplit(marker["url"])
    assert link.path == f"/opvang/{entry.pk}/"
    # Back from the location page to the same search, as from the list.
    assert parse_qs(link.query) == {"zoek": ["q=tienen&kind=group"]}
    page = client.get(marker["url"])
    assert page.status_code == 200
    assert 'href="/opvang/?q=tienen&amp;kind=group"' in page.content.decode()


def test_a_location_without_coordinates_is_in_the_list_only(client_for, world, catalogue):
    CatalogueLocation.objects.filter(
        loket=world.lokets["alpha"], location_id=catalogue["herent"].pk
    ).update(latitude=None, longitude=None)
    client = client_for(world.region.domain)
    assert "Kaartje Herent" in listed_names(client, "q=kaartje")
    assert marker_names(client, "q=kaartje") == {
        "Kaartje Speelplaats",
        "Kaartje Tienen",
        "Kaartje Glabbeek",
    }


def test_markers_are_only_of_the_locations_this_host_shows(client_for, world, catalogue):
    # Gamma's locations belong to another region from now on (its catalogue rows say so).
    other = region_ensure(slug="elders", name="Elders", domain="elders.localhost")
    CatalogueLocation.objects.filter(loket=world.lokets["gamma"]).update(region=other)

    on_portal = marker_names(client_for(world.region.domain), "q=kaartje")
    on_loket = marker_names(client_for("beta"), "q=kaartje")
    on_other_portal = marker_names(client_for("elders.localhost"), "q=kaartje")

    here = {"Kaartje Herent", "Kaartje Speelplaats", "Kaartje Tienen"}
    assert on_portal == on_loket == here
    assert on_other_portal == {"Kaartje Glabbeek"}
    # The same scope as the list on each host.
    assert on_loket == listed_names(client_for("beta"), "q=kaartje")
    assert on_other_portal == listed_names(client_for("elders.localhost"), "q=kaartje")


def test_invalid_criteria_answer_400_with_the_fields_errors(client_for, world):
    response = client_for(world.region.domain).get("/opvang/kaart.json?age_months=-1&start=x")
    assert response.status_code == 400
    assert set(response.json()) == {"age_months", "start"}


def test_the_search_page_points_its_map_at_the_markers_of_the_same_search(
    client_for, world, catalogue
):
    page = client_for(world.region.domain).get("/opvang/?q=kaartje&kind=group&page=1")
    html = page.content.decode()
    assert 'data-markers-url="/opvang/kaart.json?q=kaartje&amp;kind=group"' in html
    # A labelled region, hidden until the script has drawn it (without it: the list alone).
    assert 'data-map="results" hidden' in html
    assert 'id="results-map" role="region" aria-label="' in html
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "catalogue/map" in html and "vendor/leaflet/leaflet" in html


def test_a_location_page_shows_its_map_only_with_coordinates(client_for, world, catalogue):
    client = client_for(world.region.domain)
    entry = CatalogueLocation.objects.get(
        loket=world.lokets["beta"], location_id=catalogue["tienen"].pk
    )
    html = client.get(f"/opvang/{entry.pk}/").content.decode()
    assert 'data-map="location"' in html
    assert f'data-latitude="{entry.latitude:f}"' in html
    assert f'data-longitude="{entry.longitude:f}"' in html

    CatalogueLocation.objects.filter(pk=entry.pk).update(latitude=None, longitude=None)
    html = client.get(f"/opvang/{entry.pk}/").content.decode()
    assert 'data-map="location"' not in html
    assert "leaflet" not in html
