"""Request drafts not updated for 60 days are deleted by a platform job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared.jobs.services import platform_jobs_run
from shared.portal.models import RequestDraft

pytestmark = pytest.mark.django_db


def draft(world, *, days_old: int, loket=None) -> RequestDraft:
    made = RequestDraft.objects.create(
        owner=world.users["parent"], loket=loket, encrypted_payload="x"
    )
    RequestDraft.objects.filter(pk=made.pk).update(
        updated_at=timezone.now() - timedelta(days=days_old)
    )
    return made


def test_drafts_untouched_for_60_days_are_deleted_once(world):
    fresh = draft(world, days_old=59)
    stale = draft(world, days_old=61)
    stale_in_a_loket = draft(world, days_old=90, loket=world.lokets["alpha"])

    runs = platform_jobs_run(now=timezone.now(), names=["portal.purge_drafts"], force=True)

    assert runs[0].result == {"deleted": 2}
    remaining = set(RequestDraft.objects.values_list("pk", flat=True))
    assert fresh.pk in remaining
    assert not {stale.pk, stale_in_a_loket.pk} & remaining
    again = platform_jobs_run(now=timezone.now(), names=["portal.purge_drafts"], force=True)
    assert again[0].result == {"deleted": 0}


def test_the_clock_is_the_jobs_own(world):
    kept = draft(world, days_old=10)
    platform_jobs_run(now=timezone.now() + timedelta(days=49), names=["portal.purge_drafts"])
    assert RequestDraft.objects.filter(pk=kept.pk).exists()
    platform_jobs_run(now=timezone.now() + timedelta(days=51), names=["portal.purge_drafts"])
    assert not RequestDraft.objects.filter(pk=kept.pk).exists()
