"""Urgent requests go to every suitable location of the loket at once, keeping their rank."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.allocation.selectors import location_queue
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice, RequestEvent
from tenants.requests.parts import part_set_status
from tenants.requests.urgent import request_mark_urgent
from tests.support.allocation import hours_ago, register
from tests.support.providers import api, grant_location, make_location

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent_case(world):
    """Noor (about 6 months old at the start) chose Eerste Keuze; alpha has more locations."""
    alpha = world.lokets["alpha"]
    chosen = make_location(alpha, name="Eerste Keuze")
    fits = make_location(alpha, name="Past Wel")
    family = make_location(alpha, name="Onthaalouder", kind="family")
    school = make_location(
        alpha, name="Naschoolse", kind="out_of_school", age_min_months=30, age_max_months=144
    )
    too_young = make_location(alpha, name="Vanaf Een Jaar", age_min_months=12)
    hidden = make_location(alpha, name="Niet Gepubliceerd", is_published=False)
    other = make_location(world.lokets["beta"], name="In Beta")
    earlier = register(fits, name="Eerder", registered_at=hours_ago(30))
    noor = register(chosen, name="Noor", registered_at=hours_ago(10))
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(pk=noor[0].request_id)
    return {
        "alpha": alpha,
        "request": request,
        "chosen": chosen,
        "fits": fits,
        "family": family,
        "excluded": [school, too_young, hidden],
        "other": other,
        "earlier": earlier,
    }


def mark(case, world, user="staff_alpha"):
    with tenant_context(case["alpha"]):
        return request_mark_urgent(
            request=case["request"], actor=world.users[user], now=timezone.now()
        )


def test_an_urgent_request_gets_a_choice_at_every_suitable_location(world, urgent_case):
    added = mark(urgent_case, world)
    with tenant_context(urgent_case["alpha"]):
        choices = list(
            RequestChoice.objects.filter(request=urgent_case["request"]).order_by("rank")
        )
        request = ChildcareRequest.objects.get(pk=urgent_case["request"].pk)
        event = request.events.get(kind=RequestEvent.Kind.MARKED_URGENT)
    assert request.is_urgent
    assert choices[0].location_id == urgent_case["chosen"].pk and choices[0].rank == 1
    assert {choice.location_id for choice in choices[1:]} == {
        urgent_case["fits"].pk,
        urgent_case["family"].pk,
    }
    assert [choice.rank for choice in choices] == [1, 2, 3]
    assert all(choice.status == ChoiceStatus.IN_REVIEW for choice in choices)
    assert len(added) == 2 and set(event.details["locations"]) == {"Past Wel", "Onthaalouder"}


def test_marking_again_adds_only_new_locations_and_nothing_twice(world, urgent_case):
    mark(urgent_case, world)
    assert mark(urgent_case, world) == []
    later = make_location(urgent_case["alpha"], name="Nieuw Geopend")
    (added,) = mark(urgent_case, world)
    assert added.location_id == later.pk and added.rank == 4


def test_urgent_keeps_the_legal_order_of_the_queue(world, urgent_case):
    mark(urgent_case, world)
    with tenant_context(urgent_case["alpha"]):
        queue = list(location_queue(location=urgent_case["fits"]))
        urgent_only = list(location_queue(location=urgent_case["fits"], is_urgent=True))
    assert [choice.request.child_first_name for choice in queue] == ["Eerder", "Noor"]
    assert [(choice.request.child_first_name, choice.queue_rank) for choice in urgent_only] == [
        ("Noor", 2)
    ]


def test_only_loket_staff_mark_open_requests_urgent(world, urgent_case):
    with pytest.raises(PermissionDenied):
        mark(urgent_case, world, user="provider_alpha")
    with pytest.raises(PermissionDenied):
        mark(urgent_case, world, user="staff_beta")
    with tenant_context(urgent_case["alpha"]):
        part_set_status(
            ChildcareRequest.objects.get(pk=urgent_case["request"].pk),
            status="withdrawn",
            now=timezone.now(),
        )
    with pytest.raises(ValidationError):
        mark(urgent_case, world)


def test_staff_mark_urgent_on_the_request_page(client_for, urgent_case):
    client = client_for("alpha", "staff_alpha")
    reference = urgent_case["request"].reference
    page = client.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert f"/beheer/aanvragen/{reference}/dringend/" in page
    response = client.post(f"/beheer/aanvragen/{reference}/dringend/")
    assert response.status_code == 302
    with tenant_context(urgent_case["alpha"]):
        assert ChildcareRequest.objects.get(pk=urgent_case["request"].pk).is_urgent


def test_other_lokets_and_provider_staff_cannot_mark_urgent(client_for, urgent_case):
    reference = urgent_case["request"].reference
    page_url = f"/beheer/aanvragen/{reference}/dringend/"
    api_url = f"/api/v1/requests/{reference}/urgent/"
    assert client_for("alpha", "staff_beta").post(page_url).status_code == 403
    assert client_for("alpha", "provider_alpha").post(page_url).status_code == 403
    assert api(client_for("alpha", "staff_beta"), "post", api_url).status_code == 403
    # In beta's own host the reference is not beta's: not found.
    assert client_for("beta", "staff_beta").post(page_url).status_code == 404
    assert api(client_for("beta", "staff_beta"), "post", api_url).status_code == 404
    with tenant_context(urgent_case["alpha"]):
        assert not ChildcareRequest.objects.get(pk=urgent_case["request"].pk).is_urgent


def test_api_marks_urgent_and_the_queue_api_shows_and_filters_it(client_for, world, urgent_case):
    reference = urgent_case["request"].reference
    client = client_for("alpha", "staff_alpha")
    response = api(client, "post", f"/api/v1/requests/{reference}/urgent/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_urgent"] is True and len(body["choices"]) == 3
    grant_location(urgent_case["alpha"], urgent_case["fits"], world.users["provider_alpha"])
    provider = client_for("alpha", "provider_alpha")
    queue = provider.get(f"/api/v1/queue/{urgent_case['fits'].pk}/").json()
    rows = queue["results"] if isinstance(queue, dict) else queue
    assert [row["is_urgent"] for row in rows] == [False, True]
    urgent = provider.get(f"/api/v1/queue/{urgent_case['fits'].pk}/?urgent=true").json()
    rows = urgent["results"] if isinstance(urgent, dict) else urgent
    assert [(row["reference"], row["rank"]) for row in rows] == [(reference, 2)]


def test_the_waiting_list_page_shows_an_urgent_badge_and_filters(client_for, world, urgent_case):
    mark(urgent_case, world)
    grant_location(urgent_case["alpha"], urgent_case["fits"], world.users["provider_alpha"])
    client = client_for("alpha", "provider_alpha")
    url = f"/beheer/wachtlijst/{urgent_case['fits'].pk}/"
    page = client.get(url).content.decode()
    assert page.count('class="badge badge-urgent"') == 1
    filtered = client.get(url + "?urgent=on").content.decode()
    assert urgent_case["request"].reference in filtered
    earlier_reference = urgent_case["earlier"][0].reference
    assert earlier_reference in page and earlier_reference not in filtered
