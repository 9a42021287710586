"""Fixtures shared by the browser and deploy tests (registered in tests/conftest.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.support.servers import GunicornServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test served by gunicorn uses the test database, even if it never queries it itself.

    pytest-django creates the test database only for the aliases that the selected tests
    ask for (``django_db`` mark, ``db`` fixtures). Without this, ``pytest tests/browser``
    would build the test world in, and serve, the *non-test* database.
    """
    for item in items:
        if "served_site" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "django_db"
        ):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def served_site(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[GunicornServer]:
    """A real gunicorn (deploy/gunicorn.conf.py, production static storage) on the test database.

    The test world is committed by ``django_db_setup``, so the server's processes see the
    same lokets and accounts. Data a test writes inside its own transaction (the ``db``
    fixture) stays invisible to the server; such tests need ``transactional_db``.
    The server is stopped before the test database is dropped.
    """
    database = connection.settings_dict["NAME"]
    if not database.startswith("test_"):
        pytest.fail(f"served_site refuses to serve {database!r}: not a test database")
    server = GunicornServer(
        static_root=tmp_path_factory.mktemp("staticfiles"),
        secret_key=secrets.token_urlsafe(50),
        log_path=ARTIFACTS / "gunicorn.log",
    )
    with django_db_blocker.unblock():
        server.start()
    try:
        yield server
    finally:
        server.stop()
