"""Embedded PostgreSQL (pgserver) for the demo and the tests when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger(__name__)


def embedded_database_url(*, data_dir: Path, database: str) -> str:
    """Start (or reuse) the embedded server in ``data_dir`` and return a URL for ``database``.

    The server keeps running after this process exits, so the demo, the tests and a
    gunicorn started by the tests all share one cluster; each uses its own database.
    """
    # pgserver warns that XDG_RUNTIME_DIR is unset on servers; it falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver  # imported lazily: production never needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            logger.info("created embedded database %s", database)
    info = server.get_postmaster_info()
    if info.socket_dir is not None:
        return f"postgresql://postgres@{quote(str(info.socket_dir), safe='')}/{database}"
    return f"postgresql://postgres@{info.hostname}:{info.port}/{database}"
