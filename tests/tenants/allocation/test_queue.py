"""A location's queue: priority groups for the income-related tariff, registration time else."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.vocabulary import add_months, first_of_month
from tenants.allocation.selectors import location_queue, queue_lines
from tenants.providers.models import Location
from tests.support.allocation import hours_ago, register
from tests.support.providers import make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db

BEFORE_THE_2024_RULES = datetime(2024, 3, 1, 10, tzinfo=timezone.get_current_timezone())


def names(loket, location, **filters) -> list[str]:
    with tenant_context(loket):
        return [
            choice.request.child_first_name
            for choice in location_queue(location=location, **filters)
        ]


@pytest.fixture
def waiting(world):
    """Five children for one income-tariff and one free-price location in alpha."""
    alpha = world.lokets["alpha"]
    ikt = make_location(alpha, name="IKT")
    with tenant_context(alpha):
        Location.objects.filter(pk=ikt.pk).update(
            priority_order=["sibling", "work_or_training", "foster_child"]
        )
        ikt.refresh_from_db()
    free = make_location(alpha, name="Vrije prijs", tariff="free_price", daily_price="45.00")
    children = [
        # name, priorities, registered
        ("Anna", [], hours_ago(50)),
        ("Bram", ["work_or_training"], hours_ago(40)),
        ("Cas", ["sibling"], hours_ago(30)),
        ("Dirk", ["foster_child"], BEFORE_THE_2024_RULES),
        ("Eva", ["work_or_training", "sibling"], hours_ago(20)),
        ("Fien", [], hours_ago(10)),
    ]
    for name, priorities, registered_at in children:
        register(ikt, name=name, priorities=priorities, registered_at=registered_at, also=[free])
    return alpha, ikt, free


def test_income_tariff_queue_puts_priority_groups_first_in_the_locations_order(waiting):
    alpha, ikt, _free = waiting
    # Siblings first (Cas, then Eva who is also a sibling), then work or training (Bram);
    # Dirk's foster-child priority predates the 2024 rules: he waits by registration time.
    assert names(alpha, ikt) == ["Cas", "Eva", "Bram", "Dirk", "Anna", "Fien"]


def test_free_price_queue_is_by_registration_time_only(waiting):
    alpha, _ikt, free = waiting
    assert names(alpha, free) == ["Dirk", "Anna", "Bram", "Cas", "Eva", "Fien"]


def test_ties_in_registration_time_go_by_request(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    same = hours_ago(5)
    first = register(location, name="Jan", registered_at=same)
    register(location, name="Ines", registered_at=same)
    assert names(alpha, location)[0] == "Jan"
    assert first[0].request_id


def test_filters_keep_the_rank_in_the_whole_queue(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    later = some_day(100)
    register(location, name="Kobe", registered_at=hours_ago(3))
    register(location, name="Lien", registered_at=hours_ago(2), desired_start=later)
    register(
        location,
        name="Mats",
        registered_at=hours_ago(1),
        desired_start=later,
        child_birth_date=later - timedelta(days=700),
    )
    with tenant_context(alpha):
        rows = list(location_queue(location=location, start_month=later))
        assert [(row.request.child_first_name, row.queue_rank) for row in rows] == [
            ("Lien", 2),
            ("Mats", 3),
        ]
        babies = location_queue(location=location, start_month=later, age_group="baby")
        assert [row.request.child_first_name for row in babies] == ["Lien"]
        toddlers = location_queue(location=location, age_group="toddler")
        assert [(row.request.child_first_name, row.queue_rank) for row in toddlers] == [("Mats", 3)]
        assert 22 <= toddlers[0].age_at_start <= 23


def test_age_at_start_is_counted_in_whole_months(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    start = add_months(first_of_month(some_day(0)), 3)
    register(
        location,
        name="Nina",
        desired_start=start,
        child_birth_date=add_months(start, -7).replace(day=2),
    )
    with tenant_context(alpha):
        (row,) = location_queue(location=location)
        assert row.age_at_start == 6
        assert list(location_queue(location=location, age_months=6)) == [row]
        assert not location_queue(location=location, age_months=7).exists()


def test_the_queue_costs_the_same_queries_however_long(world):
    alpha = world.lokets["alpha"]
    short, long = make_location(alpha), make_location(alpha)
    register(short, name="Olaf")
    for index in range(6):
        register(long, name=f"Kind{index}", priorities=["sibling"] if index % 2 else [])
    counts = []
    for location in (short, long):
        with tenant_context(alpha), CaptureQueriesContext(connection) as queries:
            lines = queue_lines(location_queue(location=location), location=location)
            assert lines
        counts.append(len(queries))
    assert counts[0] == counts[1]
