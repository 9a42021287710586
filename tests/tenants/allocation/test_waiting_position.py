"""Where their child stands on a waiting list, shown to parents where the loket switches it on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shared.catalogue.vocabulary import Tariff
from shared.lokets.models import Loket
from tests.support.allocation import hours_ago, register
from tests.support.providers import make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"


@pytest.fixture
def waiting(world):
    """Four children waiting for one location: the parent's child is the third to register."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="De Rij", tariff=Tariff.INCOME_RELATED)
    start = some_day(150)
    for hours, name in ((9, "Eerste"), (8, "Tweede")):
        register(location, name=name, registered_at=hours_ago(hours), desired_start=start)
    mine = register(
        location,
        name="Lotte",
        parent=world.users["parent"],
        registered_at=hours_ago(7),
        desired_start=start,
    )
    # Later, but with priority (a sibling in the location): ahead of every child without.
    register(
        location,
        name="Voorrang",
        registered_at=hours_ago(1),
        desired_start=start,
        priorities=["sibling"],
    )
    # Another start month: another list.
    register(location, name="Later", registered_at=hours_ago(10), desired_start=some_day(300))
    return {"loket": alpha, "entries": mine}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def my_request_page(client) -> str:
    (listed,) = client.get("/api/v1/my/requests/").json()["results"]
    return client.get(f"/mijn-aanvragen/{listed['submission']}/").content.decode()


def test_parents_see_no_position_until_the_loket_shows_it(client_for, waiting):
    parent = english(client_for(PORTAL, user="parent"))
    page = my_request_page(parent)
    assert "waiting-position" not in page
    (listed,) = parent.get("/api/v1/my/requests/").json()["results"]
    (choice,) = listed["parts"][0]["choices"]
    assert choice["position"] is None
    # The answer clock is always shown: the loket's locations answer within 21 days of the
    # choice going into review (at the registration, moved back 7 hours after it).
    expected = {
        timezone.localdate(moment + timedelta(days=21)).isoformat()
        for moment in (hours_ago(7), timezone.now())
    }
    assert choice["answer_expected_by"] in expected
    assert re.search(r'class="answer-expected">answer expected by [^<]*\d', page)


def test_loket_staff_switch_it_on_and_the_parent_sees_their_place(client_for, waiting):
    staff = client_for("alpha", "staff_alpha")
    page = staff.get("/beheer/transparantie/").content.decode()
    assert 'name="shows_waiting_position"' in page
    assert staff.post("/beheer/transparantie/", {"shows_waiting_position": "on"}).status_code == 302
    assert Loket.objects.get(slug="alpha").shows_waiting_position
    parent = english(client_for(PORTAL, user="parent"))
    page = my_request_page(parent)
    # Behind the two who registered earlier and the child with priority; the child of
    # another start month is not counted.
    assert re.search(r'class="waiting-position">\s*place 4 of 4 waiting', page)
    assert "How the order on the waiting list works" in page
    for other in ("Eerste", "Tweede", "Voorrang", "Later"):
        assert other not in page  # nothing of the other children
    (listed,) = parent.get("/api/v1/my/requests/").json()["results"]
    assert listed["parts"][0]["choices"][0]["position"] == {"position": 4, "of": 4}
    dutch = my_request_page(client_for(PORTAL, user="parent"))
    assert "plaats 4 van 4 wachtenden" in dutch


def test_only_the_lokets_own_staff_change_what_parents_see(client_for, world, waiting):
    for user in ("provider_alpha", "staff_beta", "parent", "auditor"):
        client = client_for("alpha", user)
        response = client.post("/beheer/transparantie/", {"shows_waiting_position": "on"})
        assert response.status_code in (403, 404), user
    assert not Loket.objects.get(slug="alpha").shows_waiting_position
    assert not Loket.objects.get(slug="beta").shows_waiting_position


def test_the_loket_api_sets_it(client_for, waiting):
    staff = client_for("alpha", "staff_alpha")
    answer = staff.patch(
        "/api/v1/loket/", {"shows_waiting_position": True}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["shows_waiting_position"] is True
    assert Loket.objects.get(slug="alpha").shows_waiting_position
    provider = client_for("alpha", "provider_alpha")
    refused = provider.patch(
        "/api/v1/loket/", {"shows_waiting_position": False}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert Loket.objects.get(slug="alpha").shows_waiting_position
