"""The auditor's database role reads every loket and changes nothing, enforced by PostgreSQL."""

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.lokets.models import Loket

pytestmark = pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])


@pytest.fixture
def auditor_db(world):
    auditor = connections[AUDITOR_ALIAS]
    yield auditor
    auditor.set_schema_to_public()


def test_the_auditor_alias_connects_as_the_read_only_role(auditor_db):
    with auditor_db.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('default_transaction_read_only')")
        assert cursor.fetchone() == (settings.AUDITOR_DB_ROLE, "on")


def test_the_auditor_alias_reads_public_and_loket_tables(auditor_db, world):
    assert Loket.objects.using(AUDITOR_ALIAS).filter(slug="alpha").exists()
    auditor_db.set_tenant(world.lokets["alpha"])
    with auditor_db.cursor() as cursor:
        cursor.execute("SELECT current_schema(), count(*) FROM requests_childcarerequest")
        assert cursor.fetchone()[0] == "alpha"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE lokets_loket SET name = 'changed'",
        "DELETE FROM accounts_membership",
        "CREATE TABLE public.sneaky (id int)",
    ],
)
def test_a_write_through_the_auditor_alias_fails_in_the_database(auditor_db, statement):
    with pytest.raises(DatabaseError), transaction.atomic(using=AUDITOR_ALIAS):
        auditor_db.cursor().execute(statement)


def test_a_session_that_turns_read_only_off_still_may_not_write(auditor_db, world):
    """The read-only default is only the first wall: the role's grants are the second."""
    params = auditor_db.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as raw:
        raw.execute("SET default_transaction_read_only = off")
        raw.execute("SET search_path = alpha, public")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("DELETE FROM requests_childcarerequest")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("UPDATE public.lokets_loket SET name = 'changed'")


def test_an_orm_save_through_the_auditor_alias_fails(auditor_db, world):
    loket = Loket.objects.using(AUDITOR_ALIAS).get(slug="beta")
    loket.name = "Changed"
    with pytest.raises(DatabaseError), transaction.atomic(using=AUDITOR_ALIAS):
        loket.save(using=AUDITOR_ALIAS, update_fields=["name"])
    assert Loket.objects.get(slug="beta").name == "Loket Beta"


def test_ensuring_the_role_again_changes_nothing_and_reaches_every_loket(auditor_db):
    call_command("ensure_auditor_role", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %(role)s AND table_schema IN ('alpha', 'public') "
            "GROUP BY privilege_type",
            {"role": settings.AUDITOR_DB_ROLE},
        )
        assert {row[0] for row in cursor.fetchall()} == {"SELECT"}


def test_pages_on_the_auditor_host_read_through_the_auditor_alias(client_for, world):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections[AUDITOR_ALIAS]) as reads:
        response = client_for("audit", user="auditor").get("/opvang/")
    assert response.status_code == 200
    assert reads.captured_queries, "the auditor host read nothing through its alias"
    assert connections[AUDITOR_ALIAS].tenant.schema_name == "public"


def test_pages_of_other_lokets_do_not_use_the_auditor_alias(client_for):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections[AUDITOR_ALIAS]) as reads:
        assert client_for("alpha", user="staff_alpha").get("/").status_code == 200
    assert not reads.captured_queries


def test_schemas_and_tables_made_later_are_not_readable(auditor_db):
    """Nothing is readable by default: only what the auditor pages read is granted."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA later_loket")
        cursor.execute("CREATE TABLE later_loket.probe (id bigint)")
        cursor.execute("CREATE TABLE public.later_probe (id bigint)")
        cursor.execute(
            "SELECT has_schema_privilege(%(role)s, 'later_loket', 'CREATE'),"
            " has_table_privilege(%(role)s, 'later_loket.probe', 'SELECT'),"
            " has_table_privilege(%(role)s, 'public.later_probe', 'SELECT')",
            {"role": settings.AUDITOR_DB_ROLE},
        )
        assert cursor.fetchone() == (False, False, False)


def test_a_loket_created_later_is_readable_for_the_auditor_pages_at_once(auditor_db):
    from shared.lokets.services import loket_create

    loket_create(slug="later", name="Later", kind=Loket.Kind.MUNICIPAL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_schema_privilege(%(role)s, 'later', 'USAGE'),"
            " has_schema_privilege(%(role)s, 'later', 'CREATE'),"
            " has_column_privilege(%(role)s, 'later.requests_childcarerequest',"
            " 'reference', 'SELECT'),"
            " has_column_privilege(%(role)s, 'later.requests_childcarerequest',"
            " 'child_first_name', 'SELECT'),"
            " has_table_privilege(%(role)s, 'later.audit_auditevent', 'SELECT')",
            {"role": settings.AUDITOR_DB_ROLE},
        )
        assert cursor.fetchone() == (True, False, True, False, True)


def _as_auditor_role(auditor_db):
    params = auditor_db.get_connection_params()
    return psycopg.connect(**params, autocommit=True)


# What no auditor page shows: the login's secrets, parents' drafts and accounts, who the
# child is. Each is refused by PostgreSQL itself, whatever the application asks.
REFUSED = [
    "SELECT session_key FROM public.django_session",
    "SELECT password FROM public.accounts_user",
    "SELECT email FROM public.accounts_user",
    "SELECT email FROM public.account_emailaddress",
    "SELECT encrypted_payload FROM public.portal_requestdraft",
    "SELECT name_key FROM public.registry_registryentry",
    "SELECT parent_id FROM public.registry_registryentry",
    "SELECT id FROM public.registry_child",
    "SELECT child_first_name FROM alpha.requests_childcarerequest",
    "SELECT contact_email FROM alpha.requests_childcarerequest",
    "SELECT guardians FROM alpha.requests_childcarerequest",
    "SELECT id FROM alpha.requests_requestevent",
    "SELECT id FROM alpha.requests_requestnote",
    # Even with read-only transactions turned off, the role makes no temporary tables.
    "CREATE TEMP TABLE sneaky (id int)",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_auditor_role_reads_nothing_the_auditor_pages_do_not_show(auditor_db, statement):
    with _as_auditor_role(auditor_db) as raw:
        raw.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT reference, status, desired_start FROM alpha.requests_childcarerequest",
        "SELECT request_id, rank, location_id, status FROM alpha.requests_requestchoice",
        "SELECT id, name FROM alpha.providers_location",
        "SELECT actor_id, action, reference, at FROM alpha.audit_auditevent",
        "SELECT request_id, age_group FROM public.registry_registryentry",
        "SELECT name, slug FROM public.lokets_loket",
    ],
)
def test_the_auditor_role_reads_what_the_auditor_pages_show(auditor_db, statement):
    with _as_auditor_role(auditor_db) as raw:
        raw.execute(statement).fetchall()
