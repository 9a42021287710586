"""Background jobs of the parents' portal (public schema): stale request drafts are deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from opvangloket.bulk_writes import delete_in_batches
from shared.jobs.registry import platform_job
from shared.portal.models import RequestDraft

DRAFT_KEPT_FOR = timedelta(days=60)
BATCH_SIZE = 1000


def drafts_purge_stale(*, now: datetime) -> int:
    """Delete drafts not updated for DRAFT_KEPT_FOR (encrypted personal data kept no longer)."""
    return delete_in_batches(
        RequestDraft.objects.filter(updated_at__lt=now - DRAFT_KEPT_FOR), batch_size=BATCH_SIZE
    )


@platform_job("portal.purge_drafts")
def purge_drafts(*, now: datetime) -> dict:
    return {"deleted": drafts_purge_stale(now=now)}
