"""An offer holds a place: offering beyond the free places asks to confirm the capacity,
and a parent can always accept an open offer the provider made."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueAvailability
from shared.catalogue.vocabulary import first_of_month
from tenants.allocation.models import Offer, Placement
from tests.support.allocation import PLAN, choice_of, register
from tests.support.providers import api, grant_location, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_month(world):
    """A location whose month of the desired start shows no free place; Noor waits for it."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Vol")
    grant_location(alpha, location, world.users["provider_alpha"])
    start = some_day(90)
    set_free_places(alpha, location, start, "baby", 0)
    entries = register(location, name="Noor", parent=world.users["parent"], desired_start=start)
    return alpha, location, choice_of(entries, alpha, location), start


def test_loket_staff_confirm_the_capacity_and_the_parent_can_accept(client_for, world, full_month):
    alpha, location, choice, start = full_month
    staff = client_for("alpha", "staff_alpha")
    offer_data = {"start_date": start.isoformat(), "care_plan": PLAN}

    refused = api(staff, "post", f"/api/v1/choices/{choice.pk}/offers/", offer_data)
    assert refused.status_code == 400, refused.content
    assert "capacity_confirmed" in refused.json()
    with tenant_context(alpha):
        assert not Offer.objects.filter(choice=choice).exists()

    made = api(
        staff,
        "post",
        f"/api/v1/choices/{choice.pk}/offers/",
        {**offer_data, "capacity_confirmed": True},
    )
    assert made.status_code == 201, made.content
    assert made.json()["beyond_free_places"] is True

    parent = client_for("testregio.localhost", "parent")
    accepted = parent.post(f"/api/v1/my/offers/{made.json()['public_id']}/accept/")
    # Today: "Er is geen vrije plaats meer bij … in 05/2027" and the child waits on.
    assert accepted.status_code == 200, accepted.content
    with tenant_context(alpha):
        assert Placement.objects.filter(choice=choice).exists()
    published = CatalogueAvailability.objects.get(
        catalogue_location__loket=alpha,
        catalogue_location__location_id=location.pk,
        month=first_of_month(start),
        age_group="baby",
    )
    assert published.free_places == 0


def test_the_offer_page_asks_to_confirm_the_capacity(client_for, world, full_month):
    alpha, location, choice, start = full_month
    provider = client_for("alpha", "provider_alpha")
    url = f"/beheer/wachtlijst/{location.pk}/{choice.pk}/aanbod/"
    form = {"start_date": start.isoformat(), "care_plan": PLAN}
    shown = provider.get(url).content.decode()
    assert "0 geplaatst en 0 aangeboden van de 18 vergunde plaatsen" in shown
    assert "Getoonde vrije plaatsen: 0." in shown

    asked = provider.post(url, form)
    assert asked.status_code == 400
    assert 'name="capacity_confirmed"' in asked.content.decode()
    with tenant_context(alpha):
        assert not Offer.objects.filter(choice=choice).exists()

    done = provider.post(url, {**form, "capacity_confirmed": "on"})
    assert done.status_code == 302
    with tenant_context(alpha):
        made = Offer.objects.get(choice=choice)
    assert made.beyond_free_places


def test_an_outstanding_offer_holds_the_last_free_place(client_for, world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Laatste plaats")
    start = some_day(90)
    set_free_places(alpha, location, start, "baby", 1)
    first, second = (
        choice_of(register(location, name=name, desired_start=start), alpha, location)
        for name in ("Eerste", "Tweede")
    )
    staff = client_for("alpha", "staff_alpha")
    offer_data = {"start_date": start.isoformat(), "care_plan": PLAN}
    assert api(staff, "post", f"/api/v1/choices/{first.pk}/offers/", offer_data).status_code == 201
    published = CatalogueAvailability.objects.get(
        catalogue_location__loket=alpha,
        catalogue_location__location_id=location.pk,
        month=first_of_month(start),
    )
    assert published.free_places == 0
    data = {**offer_data, "passed_over_reason": "-"}
    second_offer = api(staff, "post", f"/api/v1/choices/{second.pk}/offers/", data)
    assert second_offer.status_code == 400 and "capacity_confirmed" in second_offer.json()
