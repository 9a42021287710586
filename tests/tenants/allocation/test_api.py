"""The queue API for providers' planning software, and parents answering through the API."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.allocation.models import Offer, Placement
from tenants.requests.models import ChoiceStatus
from tests.support.allocation import PLAN, choice_of, choice_status, hours_ago, register
from tests.support.providers import api, grant_location, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Planning")
    grant_location(alpha, location, world.users["provider_alpha"])
    entries = [
        register(
            location,
            name=name,
            registered_at=hours_ago(10 - index),
            parent=world.users["parent"] if index == 0 else None,
        )
        for index, name in enumerate(("Api", "Bea"))
    ]
    return alpha, location, [choice_of(found, alpha, location) for found in entries]


def test_planning_software_reads_the_queue_and_offers(client_for, queue):
    _alpha, location, choices = queue
    client = client_for("alpha", "provider_alpha")
    data = client.get(f"/api/v1/queue/{location.pk}/").json()
    assert [row["choice"] for row in data["results"]] == [choice.pk for choice in choices]
    assert data["results"][0]["rank"] == 1 and data["results"][0]["open_offer"] is None

    offer_data = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    # Bea waits behind Api, who has no offer yet: passing Api over needs a reason.
    refused = api(client, "post", f"/api/v1/choices/{choices[1].pk}/offers/", offer_data)
    assert refused.status_code == 400 and "passed_over_reason" in refused.json()
    response = api(client, "post", f"/api/v1/choices/{choices[0].pk}/offers/", offer_data)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open"
    offers = client.get("/api/v1/offers/", {"location": location.pk}).json()["results"]
    assert [item["choice"] for item in offers] == [choices[0].pk]
    assert client.get(f"/api/v1/choices/{choices[0].pk}/offers/").json()["count"] == 1


def test_planning_software_answers_no_place_and_other_date(client_for, queue):
    alpha, _location, choices = queue
    client = client_for("alpha", "provider_alpha")
    no_place = {"reason_code": "age"}
    assert (
        api(client, "post", f"/api/v1/choices/{choices[0].pk}/no-place/", no_place).status_code
        == 200
    )
    response = api(
        client,
        "post",
        f"/api/v1/choices/{choices[1].pk}/other-date/",
        {"proposed_start": some_day(100).isoformat(), "reason_code": "start_date"},
    )
    assert response.json()["status"] == ChoiceStatus.OTHER_DATE
    assert choice_status(alpha, choices[0]) == ChoiceStatus.NO_PLACE
    # Answered already: a second answer is refused.
    assert (
        api(client, "post", f"/api/v1/choices/{choices[0].pk}/no-place/", no_place).status_code
        == 400
    )


def test_parent_accepts_through_the_api(client_for, world, queue):
    alpha, _location, choices = queue
    staff = client_for("alpha", "staff_alpha")
    made = api(
        staff,
        "post",
        f"/api/v1/choices/{choices[0].pk}/offers/",
        {"start_date": some_day(60).isoformat(), "care_plan": PLAN},
    ).json()
    parent = client_for("testregio.localhost", "parent")
    response = parent.post(f"/api/v1/my/offers/{made['public_id']}/accept/")
    assert response.status_code == 200, response.content
    assert response.json()["location_name"] == "Planning"
    with tenant_context(alpha):
        assert Placement.objects.filter(offer_id=made["id"]).exists()
        assert Offer.objects.get(pk=made["id"]).status == Offer.Status.ACCEPTED
    again = parent.post(f"/api/v1/my/offers/{made['public_id']}/accept/")
    assert again.status_code == 400


def test_the_queue_api_is_closed_to_others(client_for, world, queue):
    _alpha, location, choices = queue
    other = make_location(world.lokets["alpha"], name="Niet toegekend")
    provider = client_for("alpha", "provider_alpha")
    assert provider.get(f"/api/v1/queue/{other.pk}/").status_code == 404
    assert client_for("alpha", "parent").get(f"/api/v1/queue/{location.pk}/").status_code == 403
    assert client_for("alpha").get(f"/api/v1/queue/{location.pk}/").status_code == 403
    assert (
        client_for("beta", "provider_alpha").get(f"/api/v1/queue/{location.pk}/").status_code == 403
    )
    assert (
        api(
            client_for("alpha", "parent"), "post", f"/api/v1/choices/{choices[0].pk}/no-place/", {}
        ).status_code
        == 403
    )
