"""Two lokets served through a real PgBouncer (Debian's), with the shipped settings.

Session mode: gunicorn (production settings) connects to PgBouncer, which has one server
connection for all of them, so every request of either loket runs on the same PostgreSQL
backend as the one before it. Pages of loket Alpha and loket Beta, asked for in turn by
their own staff, each show only their own loket's organisers.

Transaction mode is refused (``deploy/pgbouncer.ini``): the second test shows on the same
PgBouncer why, with two plain connections: the schema one client chose is not the one
its next statement runs in.
"""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from tenants.providers.models import Organizer
from tenants.providers.services import organizer_create
from tests.support.browser import AUTHENTICATOR_SECRETS, CODE_STEP, passwords_for_the_server
from tests.support.pgbouncer import PgBouncer, pgbouncer_binary
from tests.support.second_factor import fresh_code
from tests.support.servers import ROOT, GunicornServer

ARTIFACTS = ROOT / "test-artifacts"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')
STAFF = {"alpha": "staff_alpha@test.test", "beta": "staff_beta@test.test"}
ORGANISERS_PAGE = "/beheer/opvang/organisatoren/"

pytestmark = pytest.mark.django_db


def test_the_shipped_pooler_settings_are_session_mode_with_a_full_reset():
    settings_text = (ROOT / "deploy" / "pgbouncer.ini").read_text()
    lines = {
        line.split("=", 1)[0].strip(): line.split("=", 1)[1].strip()
        for line in settings_text.splitlines()
        if "=" in line and not line.lstrip().startswith(";")
    }
    assert lines["pool_mode"] == "session"
    assert lines["server_reset_query"] == "DISCARD ALL"


@pytest.fixture(scope="module")
def organisers(django_db_setup, django_db_blocker):
    """One committed organiser per loket, with a name no other loket has."""
    from tests.conftest import _world

    made = {}
    with django_db_blocker.unblock():
        for slug in STAFF:
            loket = _world.lokets[slug]
            with tenant_context(loket):
                made[slug] = organizer_create(name=f"Organisator {slug} {secrets.token_hex(4)}")
        connection.set_schema_to_public()
        yield {slug: organiser.name for slug, organiser in made.items()}
        for slug, organiser in made.items():
            with tenant_context(_world.lokets[slug]):
                Organizer.objects.filter(pk=organiser.pk).delete()
        connection.set_schema_to_public()


@pytest.fixture(scope="module")
def site_through_pgbouncer(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn, two workers, every request on a new client connection to PgBouncer, which
    holds a single server connection: the lokets' requests share one PostgreSQL backend."""
    pgbouncer_binary()
    with django_db_blocker.unblock():
        bouncer = PgBouncer(log_path=ARTIFACTS / "pgbouncer.log", default_pool_size="1")
        bouncer.start()
        server = GunicornServer(
            static_root=tmp_path_factory.mktemp("staticfiles"),
            secret_key=secrets.token_urlsafe(50),
            log_path=ARTIFACTS / "gunicorn-pgbouncer.log",
        )
        server.env["DATABASE_URL"] = bouncer.url()
        server.env["DATABASE_CONN_MAX_AGE"] = "0"
        try:
            server.start()
            yield server, bouncer
        finally:
            server.stop()
            bouncer.stop()


@pytest.fixture(scope="module")
def staff_passwords(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        passwords_for_the_server(list(User.objects.filter(email__in=STAFF.values()))),
    ):
        yield


def _cookies(response) -> dict[str, str]:
    cookies = {}
    for name, value in response.raw_headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return cookies


def _logged_in(server: GunicornServer, host: str, email: str, password: str) -> str:
    form = server.get(host, "/account/login/")
    cookies = _cookies(form)
    answer = server.post(
        host,
        "/account/login/",
        {
            "csrfmiddlewaretoken": CSRF_FIELD.search(form.text)["token"],
            "login": email,
            "password": password,
        },
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    assert answer.status == 302, answer.text[:500]
    cookies.update(_cookies(answer))
    if answer.header("location") == CODE_STEP:  # staff: their authenticator app's code
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        form = server.get(host, CODE_STEP, headers=header)
        answer = server.post(
            host,
            CODE_STEP,
            {
                "csrfmiddlewaretoken": CSRF_FIELD.search(form.text)["token"],
                "code": fresh_code(AUTHENTICATOR_SECRETS[email]),
            },
            headers=header,
        )
        assert answer.status == 302, answer.text[:500]
        cookies.update(_cookies(answer))
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def test_two_lokets_through_pgbouncer_never_see_each_others_data(
    site_through_pgbouncer, organisers, staff_passwords, password
):
    server, bouncer = site_through_pgbouncer
    cookies = {
        slug: _logged_in(server, f"{slug}.localhost", email, password)
        for slug, email in STAFF.items()
    }

    def page(slug: str) -> tuple[str, int, str]:
        answer = server.get(f"{slug}.localhost", ORGANISERS_PAGE, headers={"Cookie": cookies[slug]})
        return slug, answer.status, answer.text

    # Interleaved: Alpha, Beta, Alpha, ... from four threads over both gunicorn workers.
    order = ["alpha", "beta"] * 20
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(page, order))

    for slug, status, text in answers:
        other = "beta" if slug == "alpha" else "alpha"
        assert status == 200, text[:500]
        assert organisers[slug] in text
        assert organisers[other] not in text

    # Every request went through PgBouncer's one server connection of the test database.
    with psycopg.connect(
        bouncer.url().rsplit("/", 1)[0] + "/pgbouncer", autocommit=True, prepare_threshold=None
    ) as admin:
        servers = admin.execute("SHOW SERVERS").fetchall()
    ours = (connection.settings_dict["USER"], connection.settings_dict["NAME"])
    # SHOW SERVERS: type, user, database, ...
    assert [row[1:3] for row in servers if row[1:3] == ours] == [ours]


def test_transaction_mode_would_run_a_lokets_statement_in_another_schema(django_db_blocker):
    from tests.conftest import _world

    alpha = _world.lokets["alpha"].schema_name
    beta = _world.lokets["beta"].schema_name
    with (
        django_db_blocker.unblock(),
        PgBouncer(
            log_path=ARTIFACTS / "pgbouncer-transaction.log",
            pool_mode="transaction",
            default_pool_size="1",
        ) as bouncer,
    ):
        url = bouncer.url()
        with (
            psycopg.connect(url, autocommit=True, prepare_threshold=None) as first,
            psycopg.connect(url, autocommit=True, prepare_threshold=None) as second,
        ):
            # What django-tenants does on each connection before a loket's queries.
            first.execute(f'SET search_path = "{alpha}", public')
            second.execute(f'SET search_path = "{beta}", public')
            (seen_by_first,) = first.execute("SHOW search_path").fetchone()
    # The first client asked for Alpha's schema; its next statement did not run there.
    assert alpha not in seen_by_first
