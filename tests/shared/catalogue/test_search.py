"""Searching the regional catalogue: each filter returns exactly the locations that match."""

from datetime import date, time

import pytest
from django.utils import timezone

from shared.catalogue.selectors import CatalogueQuery, Sort, search_catalogue
from shared.catalogue.vocabulary import add_months, first_of_month
from tests.support.providers import make_location, set_free_places

pytestmark = pytest.mark.django_db

NEXT_MONTH = add_months(first_of_month(timezone.localdate()), 1)


@pytest.fixture
def catalogue(world):
    """A small catalogue of locations built for these tests, across three lokets of the region."""
    alpha, beta, gamma = (world.lokets[s] for s in ("alpha", "beta", "gamma"))
    made = {
        "herent_baby": make_location(alpha, name="Bengeltjes Herent", age_max_months=36),
        "herent_bko": make_location(
            alpha,
            name="IBO De Speelplaats",
            kind="out_of_school",
            age_min_months=30,
            age_max_months=144,
            opening_days=[1, 2, 3, 4, 5],
            languages=["nl", "fr"],
        ),
        "tienen_free_price": make_location(
            beta,
            name="Crèche Zonnestraal",
            tariff="free_price",
            daily_price="32.50",
            opening_days=[1, 2, 4, 5],
            is_inclusive=True,
        ),
        "glabbeek_family": make_location(
            gamma, name="Onthaalouder Els", kind="family", nis_code="24137", licensed_capacity=4
        ),
        "linter_unpublished": make_location(
            gamma, name="Verborgen Opvang", nis_code="24133", is_published=False
        ),
    }
    set_free_places(alpha, made["herent_baby"], NEXT_MONTH, "baby", 2)
    set_free_places(beta, made["tienen_free_price"], NEXT_MONTH, "toddler", 1)
    set_free_places(gamma, made["glabbeek_family"], NEXT_MONTH, "baby", 0)
    return made


def names(results) -> set[str]:
    return {location.name for location in results}


def search(world, **criteria):
    return search_catalogue(query=CatalogueQuery(**criteria), region=world.region)


def test_one_search_finds_published_locations_of_every_loket(world, catalogue):
    assert names(search(world)) >= {
        "Bengeltjes Herent",
        "IBO De Speelplaats",
        "Crèche Zonnestraal",
        "Onthaalouder Els",
    }
    assert "Verborgen Opvang" not in names(search(world))


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"municipality": "24038"}, {"Bengeltjes Herent", "IBO De Speelplaats"}),
        ({"kind": "family"}, {"Onthaalouder Els"}),
        ({"kind": "out_of_school"}, {"IBO De Speelplaats"}),
        ({"age_months": 60}, {"IBO De Speelplaats"}),
        ({"days": (3,)}, {"Bengeltjes Herent", "IBO De Speelplaats", "Onthaalouder Els"}),
        ({"income_tariff": True}, {"Bengeltjes Herent", "IBO De Speelplaats", "Onthaalouder Els"}),
        ({"language": "fr"}, {"IBO De Speelplaats"}),
        ({"inclusive": True}, {"Crèche Zonnestraal"}),
        ({"text": "zonnestraal"}, {"Crèche Zonnestraal"}),
        ({"text": "CRECHE"}, {"Crèche Zonnestraal"}),
        ({"free_places": True, "start": NEXT_MONTH}, {"Bengeltjes Herent", "Crèche Zonnestraal"}),
        (
            {"free_places": True, "start": NEXT_MONTH, "age_months": 6},
            {"Bengeltjes Herent"},
        ),
        ({"kind": "group", "municipality": "24107", "inclusive": True}, {"Crèche Zonnestraal"}),
        ({"kind": "group", "municipality": "24107", "language": "fr"}, set()),
    ],
)
def test_each_filter_alone_and_combined_returns_exactly_the_matches(
    world, catalogue, criteria, expected
):
    assert names(search(world, **criteria)) == expected


def test_distance_filter_and_sort(world, catalogue):
    near_tienen = search(world, near="3300", radius_km=8, sort=Sort.DISTANCE)
    assert names(near_tienen) == {"Crèche Zonnestraal", "Onthaalouder Els"}
    ordered = list(near_tienen)
    assert ordered[0].name == "Crèche Zonnestraal"
    assert ordered[0].distance_km < 1 < ordered[1].distance_km < 8


def test_sort_by_free_places(world, catalogue):
    results = list(search(world, start=NEXT_MONTH, sort=Sort.FREE_PLACES))
    assert [r.name for r in results[:2]] == ["Bengeltjes Herent", "Crèche Zonnestraal"]
    assert [r.free_places for r in results[:2]] == [2, 1]


def test_on_a_loket_its_working_area_comes_first(world, catalogue):
    results = list(search_catalogue(query=CatalogueQuery(), loket=world.lokets["gamma"]))
    assert results[0].name == "Onthaalouder Els"
    assert results[0].in_working_area
    assert "Bengeltjes Herent" in names(results)  # widened to the region


def test_opening_hours_reach_the_catalogue(world, catalogue):
    location = search(world, text="Bengeltjes").get()
    assert (location.opens_at, location.closes_at) == (time(7, 0), time(18, 30))
    assert location.loket.slug == "alpha"
    assert date.today() <= timezone.localdate(location.synced_at)
