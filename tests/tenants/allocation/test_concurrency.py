"""At the same moment, on two real database connections: one child placed once, one last
place held by one offer.

These tests cannot run inside the usual test transaction (the other connections would not
see its data), and must not flush the database (that would remove the session's lokets).
So their data is committed inside ``django_db_blocker.unblock()`` and removed afterwards,
and every thread closes its own connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.allocation import services
from tenants.allocation.models import Offer, Placement
from tenants.allocation.services import OfferRefused
from tenants.providers.models import Availability
from tenants.providers.services import location_delete
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import make_location, set_free_places
from tests.support.requests import committed_requests_remove, some_day


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """World, a place to put locations and entries, and cleaning up whatever was made."""
    from tests.conftest import _world

    made: dict = {"world": _world, "locations": [], "parents": []}
    with django_db_blocker.unblock():
        yield made
        connection.set_schema_to_public()
        committed_requests_remove(made["parents"])
        for loket, location in made["locations"]:
            with tenant_context(loket):
                location_delete(location=location)
        connection.set_schema_to_public()


def run_together(*work: Callable[[], object]) -> list[object]:
    """Run each callable in its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # the outcome is what the test looks at
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def accepting(loket, made: Offer, user) -> Callable[[], object]:
    def job():
        with tenant_context(loket):
            return services.offer_accept(offer=made, parent_or_staff=user, now=timezone.now())

    return job


def test_two_offers_accepted_at_once_place_the_child_once(committed):
    world = committed["world"]
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parent = world.users["parent"]
    committed["parents"].append(parent)
    herent, tienen = make_location(alpha), make_location(beta)
    committed["locations"] += [(alpha, herent), (beta, tienen)]
    entries = register(herent, name="Gelijktijdig", parent=parent, also=[tienen])
    offers = [
        offer(alpha, choice_of(entries, alpha, herent), world.users["staff_alpha"]),
        offer(beta, choice_of(entries, beta, tienen), world.users["staff_beta"]),
    ]
    connection.set_schema_to_public()

    results = run_together(accepting(alpha, offers[0], parent), accepting(beta, offers[1], parent))

    placements = [result for result in results if isinstance(result, Placement)]
    refusals = [result for result in results if isinstance(result, OfferRefused)]
    assert len(placements) == 1 and len(refusals) == 1, results
    assert refusals[0].offer_withdrawn
    statuses = []
    for loket, made in zip((alpha, beta), offers, strict=True):
        with tenant_context(loket):
            statuses.append(Offer.objects.get(pk=made.pk).status)
            statuses.extend(["placement"] * Placement.objects.filter(offer=made).count())
    assert sorted(statuses) == sorted(["accepted", "placement", "withdrawn"])


def offering(loket, choice, user) -> Callable[[], object]:
    def job():
        with tenant_context(loket):
            return services.offer_make(
                choice=choice,
                start_date=choice.request.desired_start,
                care_plan=["mon_am"],
                actor=user,
                now=timezone.now(),
                passed_over_reason="beide tegelijk",
            )

    return job


def test_two_offers_at_once_for_the_last_place_hold_it_once(committed):
    """The last free place is held by one offer; the other asks to confirm the capacity.

    Both children's parents can then accept whatever was offered: the place was held.
    """
    world = committed["world"]
    alpha = world.lokets["alpha"]
    parents = [world.users["parent"], world.users["other_parent"]]
    committed["parents"] += parents
    location = make_location(alpha)
    committed["locations"].append((alpha, location))
    start = some_day(60)
    set_free_places(alpha, location, start, "baby", 1)
    choices = [
        choice_of(
            register(location, name=name, parent=parent, desired_start=start), alpha, location
        )
        for parent, name in zip(parents, ("Laatste", "Plaats"), strict=True)
    ]
    connection.set_schema_to_public()

    results = run_together(
        *(offering(alpha, choice, world.users["staff_alpha"]) for choice in choices)
    )

    made = [result for result in results if isinstance(result, Offer)]
    refusals = [result for result in results if isinstance(result, ValidationError)]
    assert len(made) == 1 and len(refusals) == 1, results
    assert "capacity_confirmed" in refusals[0].message_dict
    placement = accept(alpha, made[0], parents[results.index(made[0])])
    assert placement.location_id == location.pk
    with tenant_context(alpha):
        assert Availability.objects.get(location=location).correction is not None
