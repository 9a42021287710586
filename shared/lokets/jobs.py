"""Platform jobs of the lokets: dropping the schemas of merged lokets after their period."""

from __future__ import annotations

from datetime import datetime

from shared.jobs.registry import platform_job
from shared.lokets.merging import merged_schema_drop, merged_schemas_due


@platform_job("lokets.drop_merged_schemas")
def drop_merged_schemas(*, now: datetime) -> dict:
    """Idempotent: a dropped schema is recorded on its merger and not looked at again."""
    dropped = 0
    for merger in merged_schemas_due(now=now):
        merged_schema_drop(merger=merger, now=now)
        dropped += 1
    return {"dropped": dropped}
