"""The audit trail: who viewed or changed which request, recorded where it happens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.audit.models import AuditEvent
from tenants.requests.changes import request_change_desired_start
from tests.support.allocation import choice_of, offer, register
from tests.support.providers import make_location
from tests.support.requests import some_day, submit

pytestmark = pytest.mark.django_db

TRAIL = "/beheer/audit/"


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def reference(alpha):
    return submit(make_location(alpha), child_first_name="Wannes")[0].reference


def events_of(loket, reference: str) -> list[tuple[str, str, str]]:
    with tenant_context(loket):
        return [
            (event.action, event.object_type, event.actor.email if event.actor else "")
            for event in AuditEvent.objects.filter(reference=reference).order_by("at", "id")
        ]


def test_staff_viewing_a_request_is_recorded(client_for, alpha, reference):
    client = client_for("alpha", user="staff_alpha")
    assert client.get(f"/beheer/aanvragen/{reference}/").status_code == 200
    assert client.get(f"/api/v1/requests/{reference}/").status_code == 200
    assert events_of(alpha, reference) == [
        ("created", "request", ""),  # registered (here without a parent account)
        *[("viewed", "request", "staff_alpha@test.test")] * 2,
    ]


def test_every_step_in_a_requests_history_is_in_the_audit_trail(alpha, reference):
    from tenants.requests.models import ChildcareRequest, RequestEvent

    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(reference=reference)
        steps = list(RequestEvent.objects.filter(request=request).values_list("kind", flat=True))
        audited = list(
            AuditEvent.objects.filter(reference=reference).values_list("details__event", flat=True)
        )
    assert steps == audited == ["submitted"]


def test_a_request_that_is_not_found_records_nothing(client_for, alpha):
    assert (
        client_for("alpha", user="staff_alpha").get("/beheer/aanvragen/NOPE-1/").status_code == 404
    )
    assert events_of(alpha, "NOPE-1") == []


def test_a_note_is_recorded_without_its_text(client_for, alpha, reference):
    client = client_for("alpha", user="staff_alpha")
    client.post(f"/beheer/aanvragen/{reference}/notities/", {"text": "Mama belt morgen terug"})
    with tenant_context(alpha):
        event = AuditEvent.objects.get(reference=reference, action="created", object_type="note")
    assert event.object_type == "note"
    assert "Mama" not in str(event.details)


def test_a_parents_change_is_recorded_in_the_loket(world, alpha):
    parent = world.users["parent"]
    entry = submit(make_location(alpha), parent=parent)[0]
    request_change_desired_start(
        user=parent, submission=entry.submission, desired_start=some_day(90), now=timezone.now()
    )
    assert ("changed", "request", "parent@test.test") in events_of(alpha, entry.reference)


def test_an_offer_is_recorded_with_ids_only(world, alpha):
    location = make_location(alpha)
    entries = register(location, name="Fien")
    offer(alpha, choice_of(entries, alpha, location), world.users["staff_alpha"])
    with tenant_context(alpha):
        event = AuditEvent.objects.get(reference=entries[0].reference, details__event="offer_made")
    assert event.actor == world.users["staff_alpha"]
    assert all(isinstance(value, int) for key, value in event.details.items() if key != "event")


def test_staff_filter_the_trail_by_reference_actor_and_date(client_for, alpha, reference):
    client = client_for("alpha", user="staff_alpha")
    client.get(f"/beheer/aanvragen/{reference}/")
    page = client.get(TRAIL, {"reference": reference}).content.decode()
    assert reference in page and "staff_alpha@test.test" in page
    assert reference not in client.get(TRAIL, {"actor": "nobody-here"}).content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert reference not in client.get(TRAIL, {"day_from": tomorrow}).content.decode()
    data = client.get("/api/v1/audit/events/", {"reference": reference}).json()
    assert sorted((e["action"], e["actor"]) for e in data["results"]) == [
        ("created", ""),
        ("viewed", "staff_alpha@test.test"),
    ]


def test_the_trail_never_shows_a_childs_name(client_for, alpha, reference):
    client = client_for("alpha", user="staff_alpha")
    client.get(f"/beheer/aanvragen/{reference}/")
    assert "Wannes" not in client.get(TRAIL).content.decode()
    assert "Wannes" not in client.get("/api/v1/audit/events/").content.decode()


def test_an_invalid_date_filter_is_a_400_in_the_api(client_for):
    response = client_for("alpha", user="staff_alpha").get(
        "/api/v1/audit/events/", {"day_from": "yesterday"}
    )
    assert response.status_code == 400


def test_the_staff_area_links_to_the_audit_trail(client_for):
    assert (
        f'href="{TRAIL}"'
        in client_for("alpha", user="staff_alpha").get("/beheer/").content.decode()
    )
