"""A loket's part of a request: one status in two places, changed together or not at all."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.changes import request_withdraw
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import in_each_loket, part_set_status
from tests.support.providers import make_location
from tests.support.registry import status_disagreements
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_lokets(world):
    return (
        make_location(world.lokets["alpha"], name="Kinderdagverblijf Zonneke"),
        make_location(world.lokets["beta"], name="Crèche Maan"),
    )


def test_the_check_finds_a_request_whose_registry_entry_was_not_changed(world, two_lokets):
    """The after-test check must fail when someone changes one copy only."""
    entry = submit(*two_lokets, parent=world.users["parent"])[0]
    assert status_disagreements() == []
    with tenant_context(entry.loket):
        ChildcareRequest.objects.filter(pk=entry.request_id).update(status=RequestStatus.WITHDRAWN)
    assert status_disagreements() == [
        f"{entry.loket.slug} {entry.reference}: registry open, loket withdrawn"
    ]
    RegistryEntry.objects.filter(pk=entry.pk).update(status=RequestStatus.LAPSED)
    assert status_disagreements() == [
        f"{entry.loket.slug} {entry.reference}: registry lapsed, loket withdrawn"
    ]
    # Put right with the one function that changes both: the check is satisfied again.
    with tenant_context(entry.loket):
        request = ChildcareRequest.objects.get(pk=entry.request_id)
        part_set_status(request, status=RequestStatus.WITHDRAWN, now=timezone.now())
    assert status_disagreements() == []


def test_part_set_status_changes_the_request_and_its_registry_entry_together(world, two_lokets):
    entry = submit(two_lokets[0], parent=world.users["parent"])[0]
    now = timezone.now()
    with tenant_context(entry.loket):
        request = ChildcareRequest.objects.get(pk=entry.request_id)
        part_set_status(request, status=RequestStatus.PLACED, now=now, entry=entry)
        assert ChildcareRequest.objects.get(pk=request.pk).status == RequestStatus.PLACED
    stored = RegistryEntry.objects.get(pk=entry.pk)
    assert (stored.status, stored.placed_at, stored.closed_at) == (RequestStatus.PLACED, now, now)
    assert (entry.status, entry.placed_at) == (RequestStatus.PLACED, now)  # the caller's copy
    with tenant_context(entry.loket):
        part_set_status(request, status=RequestStatus.OPEN, now=now, entry=entry)
    stored.refresh_from_db()
    assert (stored.status, stored.placed_at, stored.closed_at) == (RequestStatus.OPEN, None, None)


def test_withdrawing_closes_every_part_in_both_places(world, two_lokets):
    parent = world.users["parent"]
    entries = submit(*two_lokets, parent=parent)
    assert len({entry.loket_id for entry in entries}) == 2
    request_withdraw(user=parent, submission=entries[0].submission, now=timezone.now())
    for loket, loket_entries in in_each_loket(
        RegistryEntry.objects.filter(submission=entries[0].submission).select_related("loket")
    ):
        for entry in loket_entries:
            assert entry.status == RequestStatus.WITHDRAWN
            assert entry.closed_at is not None
            request = ChildcareRequest.objects.get(pk=entry.request_id)
            assert request.status == RequestStatus.WITHDRAWN, loket.slug


def test_in_each_loket_leaves_the_lokets_schema_when_the_loop_stops_early(world, two_lokets):
    from django.db import connection

    entries = submit(*two_lokets, parent=world.users["parent"])
    with pytest.raises(RuntimeError):
        for _loket, _entries in in_each_loket(entries):
            raise RuntimeError("stop")
    assert connection.schema_name == "public"
