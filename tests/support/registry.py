"""The registry's copy of each request's status, checked against the loket's own copy."""

from __future__ import annotations

from django.db import connection

# Only lokets whose schema holds requests (the auditor tenant's holds none of its own).
_LOKETS_WITH_REQUESTS = """
    SELECT id, schema_name FROM public.lokets_loket
     WHERE to_regclass(quote_ident(schema_name) || '.requests_childcarerequest') IS NOT NULL
     ORDER BY id
"""

_DISAGREEING_IN_LOKET = """
    SELECT l.slug, e.reference, e.status, r.status
      FROM public.registry_registryentry e
      JOIN public.lokets_loket l ON l.id = e.loket_id
      JOIN {schema}.requests_childcarerequest r ON r.id = e.request_id
     WHERE e.loket_id = %s AND e.status <> r.status
"""


def status_disagreements() -> list[str]:
    """Every registry entry whose status is not its loket request's: ``"alpha HER-…: open≠placed"``.

    One query over every loket schema (tables named with their schema, whatever the
    connection's search path), on the current connection: inside the test's transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(_LOKETS_WITH_REQUESTS)
        lokets = cursor.fetchall()
        if not lokets:
            return []
        query = " UNION ALL ".join(
            _DISAGREEING_IN_LOKET.format(schema=connection.ops.quote_name(schema))
            for _id, schema in lokets
        )
        cursor.execute(query, [loket_id for loket_id, _schema in lokets])
        rows = cursor.fetchall()
    return [
        f"{slug} {reference}: registry {entry}, loket {request}"
        for slug, reference, entry, request in rows
    ]
