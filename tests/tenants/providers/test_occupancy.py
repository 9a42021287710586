"""Occupancy per month: licensed places minus placements and open offers, the provider's
correction on top, published to the catalogue; "not known" is never "0"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.vocabulary import add_months, first_of_month
from tenants.allocation.models import Placement
from tenants.allocation.selectors import advised_places_in_use
from tenants.providers.models import Availability
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import api, grant_location, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


def _month(day) -> str:
    return first_of_month(day).strftime("%Y-%m")


@pytest.fixture
def small(world):
    """Alpha's "Klein" has 4 licensed places; the provider counted 3 free in the start month.

    Ada is placed from that month; Bo has an open offer for it.
    """
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Klein", licensed_capacity=4)
    grant_location(alpha, location, world.users["provider_alpha"])
    start = first_of_month(some_day(70)) + timedelta(days=4)
    set_free_places(alpha, location, start, "baby", 3)
    staff = world.users["staff_alpha"]
    ada = choice_of(
        register(location, name="Ada", parent=world.users["parent"], desired_start=start),
        alpha,
        location,
    )
    bo = choice_of(register(location, name="Bo", desired_start=start), alpha, location)
    placement = accept(alpha, offer(alpha, ada, staff), world.users["parent"])
    offer(alpha, bo, staff)
    return {"alpha": alpha, "location": location, "start": start, "placement": placement}


def _published(alpha, location, month, age_group="baby"):
    row = CatalogueAvailability.objects.filter(
        catalogue_location__loket=alpha,
        catalogue_location__location_id=location.pk,
        month=first_of_month(month),
        age_group=age_group,
    ).first()
    return None if row is None else row.free_places


def test_the_api_gives_occupancy_offers_and_free_places_per_month(client_for, small):
    location, start = small["location"], small["start"]
    client = client_for("alpha", "provider_alpha")
    response = client.get(
        f"/api/v1/providers/locations/{location.pk}/occupancy/",
        {"start": _month(start), "months": 2},
    )
    assert response.status_code == 200, response.content
    first, following = response.json()
    assert first["month"] == _month(start)
    assert first["licensed_places"] == 4
    assert first["placed"] == 1 and first["placed_by_age_group"] == {"baby": 1}
    assert first["offers_outstanding"] == 1
    assert first["computed_free_places"] == 2
    # The provider said 3 when nobody was placed (4 left): a correction of -1 stays on top.
    assert {"age_group": "baby", "free_places": 1} in first["free_places"]
    assert first["corrections"][0]["correction"] == -1
    assert first["corrections"][0]["free_places_said"] == 3
    assert first["is_known"] is True
    # The next month: the placement and the offer go on, but nothing was counted.
    assert following["placed"] == 1 and following["offers_outstanding"] == 1
    assert following["is_known"] is False
    assert all(entry["free_places"] is None for entry in following["free_places"])
    assert _published(small["alpha"], location, start) == 1
    assert _published(small["alpha"], location, add_months(start, 1)) is None


def test_a_placement_end_frees_its_place_from_the_month_after(client_for, small):
    location, start, placement = small["location"], small["start"], small["placement"]
    client = client_for("alpha", "provider_alpha")
    url = f"/api/v1/placements/{location.pk}/{placement.pk}/end-date/"
    before = api(client, "put", url, {"end_date": (start - timedelta(days=10)).isoformat()})
    assert before.status_code == 400 and "end_date" in before.json()
    last_day = add_months(start, 1) - timedelta(days=1)
    response = api(client, "put", url, {"end_date": last_day.isoformat()})
    assert response.status_code == 200, response.content
    months = client.get(
        f"/api/v1/providers/locations/{location.pk}/occupancy/",
        {"start": _month(start), "months": 2},
    ).json()
    assert [month["placed"] for month in months] == [1, 0]
    # Someone else's location, or another loket: nothing.
    other = make_location(small["alpha"], name="Niet de mijne")
    assert (
        api(
            client,
            "put",
            f"/api/v1/placements/{other.pk}/{placement.pk}/end-date/",
            {"end_date": None},
        ).status_code
        == 404
    )
    # Another loket's staff: refused on alpha's host, and nothing of alpha's on their own.
    assert client_for("alpha", "staff_beta").put(url).status_code == 403
    assert api(client_for("beta", "staff_beta"), "put", url, {"end_date": None}).status_code == 404
    with tenant_context(small["alpha"]):
        assert Placement.objects.get(pk=placement.pk).end_date == last_day


def test_the_month_grid_page_shows_placed_offered_and_not_known(client_for, small):
    location, start = small["location"], small["start"]
    page = client_for("alpha", "provider_alpha").get(
        f"/beheer/opvang/locaties/{location.pk}/bezetting/", {"van": _month(start)}
    )
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(f'data-month="{_month(start)}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="placed">1</td>' in row and '<td class="offered">1</td>' in row
    assert '<td class="free free-baby">1</td>' in row
    assert "staff_alpha" not in row  # the correction was made without a user in the test
    following = html[html.index(f'data-month="{_month(add_months(start, 1))}"') :]
    following = following[: following.index("</tr>")]
    assert "niet gekend" in following
    bad = client_for("alpha", "staff_alpha").get(
        f"/beheer/opvang/locaties/{location.pk}/bezetting/", {"van": "maart"}
    )
    assert bad.status_code == 400


def test_the_grid_and_api_are_closed_to_others(client_for, world, small):
    location = small["location"]
    other = make_location(small["alpha"], name="Niet toegekend")
    provider = client_for("alpha", "provider_alpha")
    assert provider.get(f"/beheer/opvang/locaties/{other.pk}/bezetting/").status_code == 404
    assert provider.get(f"/api/v1/providers/locations/{other.pk}/occupancy/").status_code == 404
    for path in (
        f"/beheer/opvang/locaties/{location.pk}/bezetting/",
        f"/api/v1/providers/locations/{location.pk}/occupancy/",
    ):
        assert client_for("beta", "staff_beta").get(path).status_code in (403, 404)
        assert client_for("alpha", "parent").get(path).status_code in (302, 403)


def test_a_correction_is_kept_and_placements_move_the_published_figure(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, licensed_capacity=10)
    start = some_day(60)
    set_free_places(alpha, location, start, "baby", 2)
    with tenant_context(alpha):
        row = Availability.objects.get(location=location)
    assert row.free_places == 2 and row.correction == -8
    assert _published(alpha, location, start) == 2
    choice = choice_of(
        register(location, name="Cor", parent=world.users["parent"], desired_start=start),
        alpha,
        location,
    )
    made = offer(alpha, choice, world.users["staff_alpha"])
    assert _published(alpha, location, start) == 1  # the offer holds a place
    accept(alpha, made, world.users["parent"])
    assert _published(alpha, location, start) == 1  # the placement keeps it
    with tenant_context(alpha):
        assert Availability.objects.get(location=location).correction == -8


def test_the_free_places_form_keeps_a_correction_left_as_shown(client_for, world, small):
    location, start = small["location"], small["start"]
    url = f"/beheer/opvang/locaties/{location.pk}/vrije-plaatsen/"
    client = client_for("alpha", "provider_alpha")
    page = client.get(url)
    field = f"places_{first_of_month(start):%Y_%m}_baby"
    assert f'name="{field}" value="1"' in page.content.decode()
    assert client.post(url, {field: "1"}).status_code == 302
    with tenant_context(small["alpha"]):
        row = Availability.objects.get(location=location, month=first_of_month(start))
    assert row.correction == -1 and row.updated_by is None  # untouched
    assert client.post(url, {field: "0"}).status_code == 302
    with tenant_context(small["alpha"]):
        row = Availability.objects.get(location=location, month=first_of_month(start))
    assert row.free_places == 0 and row.updated_by == world.users["provider_alpha"]
    assert _published(small["alpha"], location, start) == 0


def test_the_advised_share_counts_only_current_placements(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, licensed_capacity=10)
    staff = world.users["staff_alpha"]
    choice = choice_of(
        register(location, name="Advies", parent=world.users["parent"]), alpha, location
    )
    placement = accept(
        alpha,
        offer(alpha, choice, staff, advising_organisation="OCMW"),
        world.users["parent"],
    )
    with tenant_context(alpha):
        assert advised_places_in_use(location=location) == 1
        Placement.objects.filter(pk=placement.pk).update(
            end_date=timezone.localdate() - timedelta(days=1)
        )
        assert advised_places_in_use(location=location) == 0


def test_parents_read_no_free_places_apart_from_not_known(client_for, world):
    alpha = world.lokets["alpha"]
    full = make_location(alpha, name="Volzet")
    unknown = make_location(alpha, name="Onbekend")
    month = timezone.localdate()
    set_free_places(alpha, full, month, "baby", 0)
    search = client_for("alpha").get("/opvang/", {"q": "Volzet"}).content.decode()
    assert "geen vrije plaatsen" in search
    search = client_for("alpha").get("/opvang/", {"q": "Onbekend"}).content.decode()
    assert "niet gekend" in search and "geen vrije plaatsen" not in search
    entry = CatalogueLocation.objects.get(loket=alpha, location_id=full.pk)
    detail = client_for("alpha").get(f"/opvang/{entry.pk}/").content.decode()
    assert "geen vrije plaatsen" in detail and "niet gekend" in detail  # later months
    data = client_for("alpha").get("/api/v1/catalogue/locations/", {"q": "Onbekend"}).json()
    assert data["results"][0]["free_places"] is None
    data = client_for("alpha").get("/api/v1/catalogue/locations/", {"q": "Volzet"}).json()
    assert data["results"][0]["free_places"] == 0
    assert unknown.pk


def test_the_month_grid_takes_three_queries_however_many_months(world, small):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.providers.occupancy import location_occupancy, occupancy_months

    with tenant_context(small["alpha"]):
        for count in (1, 36):
            with CaptureQueriesContext(connection) as queries:
                months = location_occupancy(
                    location=small["location"], months=occupancy_months(count=count)
                )
            assert len(months) == count
            selects = [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]
            assert len(selects) == 3, selects


def test_a_count_from_before_corrections_loses_a_place_to_each_placement(world):
    """Rows kept before corrections existed are the provider's own count: offers held
    against it, a placement takes one from it."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, licensed_capacity=10)
    start = some_day(60)
    set_free_places(alpha, location, start, "baby", 2)
    with tenant_context(alpha):
        Availability.objects.filter(location=location).update(correction=None)
    choice = choice_of(
        register(location, name="Oud", parent=world.users["parent"], desired_start=start),
        alpha,
        location,
    )
    made = offer(alpha, choice, world.users["staff_alpha"])
    assert _published(alpha, location, start) == 1
    accept(alpha, made, world.users["parent"])
    with tenant_context(alpha):
        assert Availability.objects.get(location=location).free_places == 1
    assert _published(alpha, location, start) == 1
