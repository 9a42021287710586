"""Background jobs of accounts (public schema): expired sessions are deleted.

Django keeps sessions in the database and never deletes an expired one by itself; a
session row holds who was logged in, the language and the wizard's confirmation
(references only), so it is kept no longer than the session lives.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session

from opvangloket.bulk_writes import delete_in_batches
from shared.jobs.registry import platform_job

BATCH_SIZE = 5000


def sessions_purge_expired(*, now: datetime) -> int:
    """Delete the sessions that expired before ``now``, in batches; returns how many."""
    return delete_in_batches(
        Session.objects.filter(expire_date__lt=now), key="session_key", batch_size=BATCH_SIZE
    )


@platform_job("accounts.purge_sessions")
def purge_sessions(*, now: datetime) -> dict:
    return {"deleted": sessions_purge_expired(now=now)}
