"""Loket staff see which locations leave requests in review past the answering time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.allocation.selectors import locations_with_overdue
from tenants.providers.models import Location
from tenants.requests.models import RequestChoice
from tests.support.allocation import choice_of, offer, register
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db


def in_review_since(loket, choice, days: int) -> None:
    with tenant_context(loket):
        RequestChoice.objects.filter(pk=choice.pk).update(
            status_changed_at=timezone.now() - timedelta(days=days)
        )


@pytest.fixture
def late(world):
    """In alpha (21 days to answer): Herent has two requests 30 and 25 days in review, one
    10 days; Kessel-Lo one 22 days but answered with an offer; Leuven none."""
    alpha = world.lokets["alpha"]
    herent = make_location(alpha, name="Herent")
    kessel = make_location(alpha, name="Kessel-Lo")
    make_location(alpha, name="Leuven")
    for name, days in (("Anna", 30), ("Bert", 25), ("Cas", 10)):
        entries = register(herent, name=name)
        in_review_since(alpha, choice_of(entries, alpha, herent), days)
    entries = register(kessel, name="Dirk")
    answered = choice_of(entries, alpha, kessel)
    offer(alpha, answered, world.users["staff_alpha"])
    in_review_since(alpha, answered, 22)
    return {"alpha": alpha, "herent": herent, "kessel": kessel}


def test_locations_with_choices_in_review_too_long_are_listed_with_count_and_oldest(late):
    alpha = late["alpha"]
    assert alpha.response_days == 21
    with tenant_context(alpha):
        rows = list(
            locations_with_overdue(
                locations=Location.objects.all(), loket=alpha, now=timezone.now()
            )
        )
    assert [(row.name, row.overdue_count) for row in rows] == [("Herent", 2)]
    assert (timezone.now() - rows[0].oldest_overdue).days == 30


def test_the_overdue_list_takes_one_query_however_many_locations(world, late):
    alpha = late["alpha"]

    def queries() -> int:
        with tenant_context(alpha), CaptureQueriesContext(connection) as captured:
            list(
                locations_with_overdue(
                    locations=Location.objects.all(), loket=alpha, now=timezone.now()
                )
            )
        return len(captured)

    before = queries()
    for number in range(3):
        location = make_location(alpha, name=f"Extra {number}")
        entries = register(location, name=f"Kind {number}")
        in_review_since(alpha, choice_of(entries, alpha, location), 40)
    # One SELECT (plus django-tenants' search_path on a fresh cursor), whatever the size.
    assert queries() == before <= 2


def test_the_loket_setting_decides_what_is_overdue(late):
    alpha = late["alpha"]
    alpha.response_days = 5
    with tenant_context(alpha):
        rows = locations_with_overdue(
            locations=Location.objects.all(), loket=alpha, now=timezone.now()
        )
        assert [(row.name, row.overdue_count) for row in rows] == [("Herent", 3)]


def test_loket_staff_see_the_overdue_page_and_api(client_for, late):
    staff = client_for("alpha", "staff_alpha")
    page = staff.get("/beheer/wachtlijst/achterstand/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Herent" in content and "Kessel-Lo" not in content
    assert "/beheer/wachtlijst/achterstand/" in staff.get("/beheer/wachtlijst/").content.decode()

    data = staff.get("/api/v1/queue/overdue/").json()
    assert data["count"] == 1
    (row,) = data["results"]
    assert row["location"] == late["herent"].pk
    assert row["location_name"] == "Herent"
    assert row["overdue_count"] == 2
    assert row["oldest_overdue"]


def test_provider_staff_do_not_get_the_overdue_list(client_for, late):
    provider = client_for("alpha", "provider_alpha")
    assert provider.get("/beheer/wachtlijst/achterstand/").status_code == 403
    assert provider.get("/api/v1/queue/overdue/").status_code == 403


def test_staff_of_another_loket_see_no_overdue_list_of_this_loket(client_for, late):
    other = client_for("alpha", "staff_beta")
    assert other.get("/beheer/wachtlijst/achterstand/").status_code == 403
    assert other.get("/api/v1/queue/overdue/").status_code == 403
    # On their own host they see their own loket only: nothing of alpha's.
    own = client_for("beta", "staff_beta")
    assert "Herent" not in own.get("/beheer/wachtlijst/achterstand/").content.decode()
    assert own.get("/api/v1/queue/overdue/").json()["count"] == 0


@pytest.mark.parametrize("user", ["staff_alpha", "provider_alpha"])
def test_the_staff_area_links_to_the_waiting_lists(client_for, user):
    page = client_for("alpha", user).get("/beheer/")
    assert page.status_code == 200
    assert 'href="/beheer/wachtlijst/"' in page.content.decode()
