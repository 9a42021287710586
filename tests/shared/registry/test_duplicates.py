"""Loket staff decide possible duplicates: the figures follow, and a rejection is for good."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shared.registry.duplicates import (
    child_split_family,
    duplicate_confirm,
    duplicate_reject,
    duplicates_for_loket,
)
from shared.registry.models import PossibleDuplicate, RegistryEntry
from shared.statistics.selectors import (
    duplicates_to_decide,
    figures_compute,
    period_of_year,
    scope_all,
    scope_for_loket,
)
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    return {
        "alpha": make_location(world.lokets["alpha"], name="Kinderdagverblijf Appel"),
        "beta": make_location(world.lokets["beta"], name="Onthaal Kers"),
    }


def unique_children() -> int:
    period = period_of_year(timezone.localdate().year)
    return figures_compute(scope=scope_all(), period=period)["totals"]["unique_requests"]


@pytest.fixture
def two_families(world, places):
    """Family A in alpha, family B in beta: the same born child by name and birth date."""
    a = submit(places["alpha"], parent=world.users["parent"])
    b = submit(places["beta"], parent=world.users["other_parent"], contact_email="b@example.be")
    return a[0], b[0]


def test_two_families_registering_one_born_child_make_one_duplicate_counted_once(two_families):
    a, b = two_families
    assert a.child_id == b.child_id
    duplicate = PossibleDuplicate.objects.get()
    assert (duplicate.entry_id, duplicate.other_id) == (b.pk, a.pk)
    assert duplicate.reason == PossibleDuplicate.Reason.NAME_AND_BIRTH_DATE
    assert duplicate.status == PossibleDuplicate.Status.OPEN
    assert unique_children() == 1
    period = period_of_year(timezone.localdate().year)
    assert duplicates_to_decide(scope=scope_all(), period=period) == 1


def test_each_loket_of_the_pair_sees_it_and_no_other(world, two_families):
    duplicate = PossibleDuplicate.objects.get()
    assert list(duplicates_for_loket(loket=world.lokets["alpha"])) == [duplicate]
    assert list(duplicates_for_loket(loket=world.lokets["beta"])) == [duplicate]
    assert not duplicates_for_loket(loket=world.lokets["gamma"]).exists()
    period = period_of_year(timezone.localdate().year)
    gamma = scope_for_loket(loket=world.lokets["gamma"])
    assert duplicates_to_decide(scope=gamma, period=period) == 0


def test_rejecting_makes_two_children_for_good(world, places, two_families):
    a, b = two_families
    duplicate = duplicate_reject(
        duplicate=PossibleDuplicate.objects.get(),
        loket=world.lokets["alpha"],
        actor=world.users["staff_alpha"],
        reason="Called both families: two different children.",
        now=timezone.now(),
    )
    assert duplicate.status == PossibleDuplicate.Status.REJECTED
    assert duplicate.decided_by == world.users["staff_alpha"]
    assert duplicate.decision_reason == "Called both families: two different children."
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.child_id != b.child_id
    assert unique_children() == 2
    # Family B registers again (another loket): linked to its own child, never to A's.
    again = submit(places["alpha"], parent=world.users["other_parent"])
    assert again[0].child_id == b.child_id
    assert PossibleDuplicate.objects.filter(status=PossibleDuplicate.Status.OPEN).count() == 0
    assert unique_children() == 2


def test_confirming_keeps_one_child(world, two_families):
    a, b = two_families
    duplicate = duplicate_confirm(
        duplicate=PossibleDuplicate.objects.get(),
        loket=world.lokets["beta"],
        actor=world.users["staff_beta"],
        reason="Parents are separated; the same child.",
        now=timezone.now(),
    )
    assert duplicate.status == PossibleDuplicate.Status.CONFIRMED
    assert (
        RegistryEntry.objects.get(pk=a.pk).child_id == RegistryEntry.objects.get(pk=b.pk).child_id
    )
    assert unique_children() == 1
    with pytest.raises(ValidationError):  # decided once
        duplicate_reject(
            duplicate=duplicate,
            loket=world.lokets["beta"],
            actor=world.users["staff_beta"],
            reason="Changed my mind",
            now=timezone.now(),
        )


def test_a_decision_needs_a_reason_and_staff_of_a_loket_of_the_pair(world, two_families):
    duplicate = PossibleDuplicate.objects.get()
    with pytest.raises(ValidationError) as refused:
        duplicate_reject(
            duplicate=duplicate,
            loket=world.lokets["alpha"],
            actor=world.users["staff_alpha"],
            reason="  ",
            now=timezone.now(),
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        duplicate_confirm(
            duplicate=duplicate,
            loket=world.lokets["alpha"],
            actor=world.users["staff_alpha"],
            reason="x" * 501,
            now=timezone.now(),
        )
    for loket, actor in (("gamma", "staff_gamma"), ("alpha", "staff_beta"), ("alpha", "parent")):
        with pytest.raises(PermissionDenied):
            duplicate_reject(
                duplicate=duplicate,
                loket=world.lokets[loket],
                actor=world.users[actor],
                reason="Not mine to decide",
                now=timezone.now(),
            )
    duplicate.refresh_from_db()
    assert duplicate.status == PossibleDuplicate.Status.OPEN
    assert unique_children() == 1


def test_a_wrongly_confirmed_child_is_split_off_and_not_linked_again(world, places, two_families):
    a, b = two_families
    duplicate_confirm(
        duplicate=PossibleDuplicate.objects.get(),
        loket=world.lokets["alpha"],
        actor=world.users["staff_alpha"],
        reason="Looked the same",
        now=timezone.now(),
    )
    child, records = child_split_family(
        entry=a,
        loket=world.lokets["alpha"],
        actor=world.users["staff_alpha"],
        reason="The parents phoned: another child.",
        now=timezone.now(),
    )
    assert RegistryEntry.objects.get(pk=a.pk).child == child
    assert RegistryEntry.objects.get(pk=b.pk).child_id != child.pk
    assert [record.status for record in records] == [PossibleDuplicate.Status.REJECTED]
    assert unique_children() == 2
    again = submit(places["beta"], parent=world.users["parent"])
    assert again[0].child_id == child.pk
    assert unique_children() == 2
