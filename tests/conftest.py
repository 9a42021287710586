"""Test harness: real PostgreSQL schemas, lokets created once per session, hosts per loket."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.test.utils import override_settings

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.lokets.auditor import auditor_role_ensure
from tests.support.auditor import use_auditor_alias_in_test_database
from tests.support.emails import email_problems
from tests.support.registry import status_disagreements
from tests.support.world import (
    PASSWORD,
    CommittedMarks,
    World,
    build_world,
    committed_marks,
    committed_rows_remove,
)

pytest_plugins = ["tests.support.fixtures", "tests.support.oidc"]

# Sync Playwright keeps an event loop running in the test thread while the ORM is used
# synchronously; see tests/browser/conftest.py for the connection this costs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

_world: World | None = None
_world_marks: list[CommittedMarks] = []  # as the world was when it was built


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist each worker has its own test database (pytest-django) and, since
    # database roles belong to the whole server, its own auditor role: in this process and
    # in the servers and workers it starts (they read it from the environment).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        role = f"{settings.AUDITOR_DB_ROLE}_{worker}"
        os.environ["OPVANGLOKET_AUDITOR_DB_ROLE"] = role
        override_settings(AUDITOR_DB_ROLE=role).enable()
    # Pages render with plain static storage (no collectstatic needed) and fast hashing.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        # The test client speaks plain http; production redirects it to https.
        SECURE_SSL_REDIRECT=False,
        # A loket host's once-per-session check at the portal: on where a test is about it.
        REGION_LOGIN_CHECK=False,
    ).enable()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test database with its lokets: schemas are made once, then every test reuses them."""
    global _world
    if not connection.settings_dict["NAME"].startswith("test_"):
        pytest.fail("the test world is only ever built in a test database")
    with django_db_blocker.unblock():
        _world = build_world()
        connection.set_schema_to_public()
        _world_marks.append(committed_marks())
        auditor_role_ensure()
    use_auditor_alias_in_test_database()
    yield
    # An open auditor connection would keep the test database from being dropped.
    connections[AUDITOR_ALIAS].close()


@pytest.fixture(scope="module", autouse=True)
def _committed_rows_removed(django_db_blocker) -> Iterator[None]:
    """Every row a module committed goes when it ends (``committed_rows_remove``).

    Tests inside their transaction leave nothing; a module that commits (a served site,
    pg_dump, threads, fault tests) would leave what its requests caused besides its own
    rows, and the next module on this worker would count it as its own.
    """
    marks = None
    if _world is not None:
        with django_db_blocker.unblock():
            marks = committed_marks()
    yield
    if _world is not None:
        with django_db_blocker.unblock():
            committed_rows_remove(marks or _world_marks[0])
            connection.set_schema_to_public()


@pytest.fixture
def world(db) -> World:
    assert _world is not None
    return _world


@pytest.fixture(autouse=True)
def _back_to_public_schema() -> Iterator[None]:
    """A request or a test may leave the connection in a loket's schema; never let it leak."""
    yield
    if connection.connection is not None or connection.tenant is not None:
        connection.set_schema_to_public()


class HostClient(Client):
    """A test client bound to one host, like a browser on a loket's subdomain."""

    def __init__(self, host: str, **defaults):
        super().__init__(HTTP_HOST=host, **defaults)
        self.host = host

    def login_as(self, user) -> HostClient:
        self.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return self


@pytest.fixture
def client_for(world):
    """``client_for("alpha")``: a client on alpha's host; ``client_for("localhost")``: any host."""

    def make(host: str, user=None) -> HostClient:
        client = HostClient(world.host(host) if host in world.lokets else host)
        if user is not None:
            client.login_as(user if not isinstance(user, str) else world.users[user])
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _registry_status_agrees(request: pytest.FixtureRequest, _django_db_marker) -> Iterator[None]:
    """After every test that used the database, each registry entry has its request's status.

    The two copies of one fact must never drift (``tenants.requests.parts.part_set_status``
    changes both). The database is entered here, before the test, so that this check
    runs before the test's transaction is rolled back.
    """
    uses_database = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
    yield
    if uses_database:
        disagreements = status_disagreements()
        assert not disagreements, "registry and loket disagree: " + "; ".join(disagreements)


@pytest.fixture(autouse=True)
def _emails_have_both_parts() -> Iterator[None]:
    """After every test, each e-mail it sent has its text and an HTML part in a face's
    colour with the same links (``shared.lokets.emails``): every e-mail test checks it."""
    yield
    problems = [
        problem for message in getattr(mail, "outbox", []) for problem in email_problems(message)
    ]
    assert not problems, "; ".join(problems)
