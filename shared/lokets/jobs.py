"""Platform jobs of the lokets: dropping the schemas of merged lokets after their period,
sending the outbox's e-mails that did not leave after their commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.jobs.registry import platform_job
from shared.lokets.merging import merged_schema_drop, merged_schemas_due
from shared.lokets.outbox import outbox_send_due


@platform_job("lokets.drop_merged_schemas")
def drop_merged_schemas(*, now: datetime) -> dict:
    """Idempotent: a dropped schema is recorded on its merger and not looked at again."""
    dropped = 0
    for merger in merged_schemas_due(now=now):
        merged_schema_drop(merger=merger, now=now)
        dropped += 1
    return {"dropped": dropped}


@platform_job("mail.outbox_send", every=timedelta(minutes=1))
def outbox_send(*, now: datetime) -> dict:
    """The e-mails whose send after the commit did not happen or failed, row by row
    (``shared.lokets.outbox``); then the sent ones past their retention are deleted."""
    return outbox_send_due(now=now)
