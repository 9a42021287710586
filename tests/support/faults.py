"""Fault injection on real PostgreSQL: the test's own backend terminated mid-transaction,
and what the database holds read through a fresh connection of its own."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from django.db import connection

from tests.support.servers import test_database_url


def fresh_connection() -> psycopg.Connection:
    """A connection of its own to the test database: it sees only what was committed."""
    return psycopg.connect(test_database_url(), autocommit=True)


def database_state() -> dict[str, str]:
    """A digest of every row of every table, in the public schema and every loket's.

    Read through a fresh connection, so it is what any other process would find.
    """
    with fresh_connection() as other:
        tables = other.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            " ORDER BY 1, 2"
        ).fetchall()
        state = {}
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            rows = other.execute(f"SELECT t::text FROM {name} t ORDER BY 1").fetchall()
            digest = hashlib.md5(usedforsecurity=False)
            for (row,) in rows:
                digest.update(row.encode())
            state[f"{schema}.{table}"] = f"{len(rows)}:{digest.hexdigest()}"
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def _terminate_own_backend() -> None:
    pid = connection.connection.info.backend_pid
    with fresh_connection() as other:
        (terminated,) = other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()
    assert terminated, f"backend {pid} was not terminated"


@dataclass
class Drop:
    """Where the connection is dropped: before statement ``at`` (1-based) of the
    operation, or at its COMMIT (``at`` None). ``fired``/``statement`` say what it hit."""

    at: int | None
    fired: bool = False
    statement: str = ""
    seen: int = 0
    statements: list[str] = field(default_factory=list)


@contextmanager
def connection_dropped(at: int | None) -> Iterator[Drop]:
    """Terminate this connection's backend (from a second connection) just before the
    ``at``-th statement run inside, or, with ``at`` None, just before the COMMIT."""
    drop = Drop(at=at)

    def before_statement(execute, sql, params, many, context):
        drop.seen += 1
        drop.statements.append(sql)
        if drop.at is not None and drop.seen == drop.at and not drop.fired:
            drop.fired, drop.statement = True, sql
            _terminate_own_backend()
        return execute(sql, params, many, context)

    real_commit = connection._commit

    def before_commit():
        if drop.at is None and connection.connection is not None and not drop.fired:
            drop.fired, drop.statement = True, "COMMIT"
            _terminate_own_backend()
        return real_commit()

    connection._commit = before_commit
    try:
        with connection.execute_wrapper(before_statement):
            yield drop
    finally:
        del connection._commit
        # The terminated connection is of no use any more; the next query opens another.
        connection.close()
