"""After a bulk write: refresh the planner's statistics of the tables it filled.

PostgreSQL's autovacuum analyses a table only after enough rows changed and some time
passed; until then the planner guesses. The catalogue search with every filter took 2.2 s
on never-analysed tables and 15 ms after ``ANALYZE`` (issue 13). Every bulk write (an
import, a merge, a restore, a benchmark's build) ends with :func:`analyze_models` for the
models it filled, in the schema it filled them in.
"""

from __future__ import annotations

from django.db import connection, models


def analyze_models(*model_classes: type[models.Model]) -> None:
    """``ANALYZE`` the tables of these models in the current schema (outside a transaction
    block is not required: ANALYZE may run inside one and sees the transaction's rows)."""
    tables = sorted({model._meta.db_table for model in model_classes})
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def delete_in_batches(queryset: models.QuerySet, *, key: str = "pk", batch_size: int = 1000) -> int:
    """Delete what ``queryset`` selects, ``batch_size`` rows per statement (short locks on a
    large table); returns how many rows were deleted."""
    deleted = 0
    while True:
        batch = list(queryset.values_list(key, flat=True)[:batch_size])
        if not batch:
            return deleted
        queryset.model.objects.filter(**{f"{key}__in": batch}).delete()
        deleted += len(batch)
