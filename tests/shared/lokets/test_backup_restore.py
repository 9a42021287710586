"""One loket backed up, dropped and restored into the running platform: every row, page,
API answer and figure the same, and no other loket touched. And the whole platform
dumped with pg_dump and restored with pg_restore into a fresh database.

The data is committed (pg_dump reads it from its own connection), so these tests do not
run inside a test transaction: they make a loket of their own and remove it afterwards.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from shared.accounts.models import Membership, User
from shared.accounts.services import membership_grant, user_ensure
from shared.geography.models import Municipality
from shared.lokets.backups import (
    RestoreRefused,
    loket_backup,
    loket_drop,
    loket_restore,
    pg_binary,
    pg_connection_args,
)
from shared.lokets.models import Loket
from shared.lokets.services import loket_create
from shared.registry.models import Child, RegistryEntry
from shared.statistics.selectors import Period, figures_compute, scope_for_loket
from tenants.allocation.models import Placement
from tenants.providers.models import Organizer
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.conftest import HostClient
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.faults import changed_tables, database_state
from tests.support.providers import make_location
from tests.support.servers import test_database_url

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _pages(world, loket: Loket, staff: User, location_id: int, reference: str) -> dict[str, str]:
    """What staff, a parent and a visitor of the region see of the loket (the figures too)."""
    staff_client = HostClient(f"{loket.slug}.localhost").login_as(staff)
    parent_client = HostClient(world.region.domain).login_as(world.users["parent"])
    portal = HostClient(world.region.domain)
    seen = {}
    for name, client, path in [
        ("request list", staff_client, "/beheer/aanvragen/"),
        ("request", staff_client, f"/beheer/aanvragen/{reference}/"),
        ("waiting list", staff_client, f"/beheer/wachtlijst/{location_id}/"),
        ("placements", staff_client, f"/beheer/plaatsingen/{location_id}/"),
        ("locations", staff_client, "/beheer/opvang/"),
        ("dashboard", staff_client, "/beheer/cijfers/"),
        ("figures", staff_client, "/beheer/cijfers/overzicht/?start=2020-01-01&end=2030-01-01"),
        ("requests API", staff_client, "/api/v1/requests/"),
        ("figures API", staff_client, "/api/v1/figures/?start=2020-01-01&end=2030-01-01"),
        ("providers API", staff_client, "/api/v1/providers/locations/"),
        ("catalogue API", portal, "/api/v1/catalogue/locations/"),
        ("search", portal, "/opvang/"),
        ("my requests", parent_client, "/mijn-aanvragen/"),
        ("my requests API", parent_client, "/api/v1/my/requests/"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = CSRF.sub("", response.content.decode())
    period = Period(start=date(2020, 1, 1), end=date(2030, 1, 1))
    seen["figures computed"] = repr(
        figures_compute(scope=scope_for_loket(loket=loket), period=period)
    )
    connection.set_schema_to_public()
    return seen


@pytest.fixture
def db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The database without pytest-django's test transaction: what these tests write is
    committed, as pg_dump must see it (the ``omega`` fixture removes it afterwards)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def omega(world, django_db_blocker) -> Iterator[dict]:
    """A committed loket with staff, locations, requests (one child also known to alpha),
    an offer accepted, free places and audit events; removed afterwards."""
    with django_db_blocker.unblock():
        loket = loket_create(
            slug="omega",
            name="Loket Omega",
            kind=Loket.Kind.MUNICIPAL,
            region=world.region,
            municipalities=Municipality.objects.filter(nis_code="24038"),
        )
        staff = user_ensure(email="staff_omega@test.test", password="x-Omega-2026")
        membership_grant(user=staff, role=Membership.Role.LOKET_STAFF, loket=loket)
        first = make_location(loket, name="Omega Eén")
        second = make_location(loket, name="Omega Twee")
        elsewhere = make_location(world.lokets["alpha"], name="Alpha voor Omega")
        parent = world.users["parent"]
        shared_child = register(first, name="Mila", parent=parent, also=(elsewhere,))
        register(second, name="Noor")
        placed = register(first, name="Lou", parent=parent, child_last_name="Peeters")
        made = offer(loket, choice_of(placed, loket, first), staff, passed_over_reason="Broer")
        accept(loket, made, parent)
        reference = next(e.reference for e in shared_child if e.loket_id == loket.pk)
        data = {
            "loket": loket,
            "staff": staff,
            "location_id": first.pk,
            "reference": reference,
            "alpha_location": elsewhere,
            "alpha_entries": [e.pk for e in shared_child if e.loket_id != loket.pk],
        }
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            current = Loket.objects.filter(slug="omega").first()
            if current is not None:
                loket_drop(loket=current)
            RegistryEntry.objects.filter(pk__in=data["alpha_entries"]).delete()
            with tenant_context(world.lokets["alpha"]):
                requests = ChildcareRequest.objects.filter(choices__location=elsewhere)
                Placement.objects.filter(choice__request__in=requests).delete()
                requests.delete()
                organizer_id = elsewhere.organizer_id
                location_delete(location=elsewhere)
                Organizer.objects.filter(pk=organizer_id, locations__isnull=True).delete()
            Child.objects.filter(entries__isnull=True).delete()
            connection.set_schema_to_public()


def test_a_loket_dropped_and_restored_from_its_backup_is_the_same_everywhere(
    world, omega, django_db_blocker, tmp_path
):
    loket = omega["loket"]
    with django_db_blocker.unblock():
        before_pages = _pages(
            world, loket, omega["staff"], omega["location_id"], omega["reference"]
        )
        before = database_state()
        backup = tmp_path / "omega.zip"
        with backup.open("wb") as out:
            summary = loket_backup(loket=loket, out=out)
        assert summary.manifest["public_rows"]["registry.registryentry"] == 3
        assert summary.manifest["public_rows"]["catalogue.cataloguelocation"] == 2

        loket_drop(loket=loket)
        assert not schema_exists("omega")
        dropped = database_state()
        assert not any(name.startswith("omega.") for name in dropped)
        # Only omega's rows went: alpha's schema and the other lokets are as they were.
        assert all(
            not name.startswith(("alpha.", "beta.", "gamma.", "audit."))
            for name in changed_tables(before, dropped)
        )

        report = loket_restore(source=backup)
        assert report.slug == "omega" and not report.migrated
        after = database_state()
        changed = changed_tables(before, after)
        assert changed == [], ", ".join(changed)
        restored = Loket.objects.get(slug="omega")
        assert restored.pk == loket.pk
        after_pages = _pages(
            world, restored, omega["staff"], omega["location_id"], omega["reference"]
        )
    for name, page in before_pages.items():
        assert after_pages[name] == page, f"{name} differs after the restore"


def test_a_restore_is_refused_while_the_loket_is_there_and_replaces_it_when_asked(
    world, omega, django_db_blocker, tmp_path
):
    loket = omega["loket"]
    with django_db_blocker.unblock():
        backup = io.BytesIO()
        loket_backup(loket=loket, out=backup)
        before = database_state()
        backup.seek(0)
        with pytest.raises(RestoreRefused) as refused:
            loket_restore(source=backup)
        assert any("omega" in message for message in refused.value.messages)
        assert changed_tables(before, database_state()) == []

        # A request registered after the backup is gone after a restore that replaces.
        register(_location(loket, omega["location_id"]), name="Later")
        backup.seek(0)
        loket_restore(source=backup, replace=True)
        # Its confirmation stays in the platform's outbox (sent, deleted after the
        # retention): e-mails that left are no part of a loket's backup.
        changed = changed_tables(before, database_state())
        assert changed == ["public.lokets_outgoingemail"], changed


def _location(loket: Loket, pk: int):
    from tenants.providers.models import Location

    with tenant_context(loket):
        return Location.objects.get(pk=pk)


def test_a_damaged_backup_is_refused_and_changes_nothing(world, omega, django_db_blocker):
    with django_db_blocker.unblock():
        backup = io.BytesIO()
        loket_backup(loket=omega["loket"], out=backup)
        raw = bytearray(backup.getvalue())
        before = database_state()
        with pytest.raises(RestoreRefused):
            loket_restore(source=io.BytesIO(b"not a zip"))
        import zipfile

        damaged = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(bytes(raw))) as original,
            zipfile.ZipFile(damaged, "w") as copy,
        ):
            for item in original.infolist():
                data = original.read(item.filename)
                if item.filename == "schema.sql":
                    data = data.replace(b"Omega", b"Omegb", 1)
                copy.writestr(item, data)
        damaged.seek(0)
        with pytest.raises(RestoreRefused) as refused:
            loket_restore(source=damaged, replace=True)
        assert "schema.sql" in " ".join(refused.value.messages)
        assert changed_tables(before, database_state()) == []


def test_the_whole_platform_dumped_and_restored_into_a_fresh_database(
    world, django_db_blocker, tmp_path
):
    """pg_dump -Fc of the platform and pg_restore into a new database, as operations.md says."""
    with django_db_blocker.unblock():
        pg_dump, pg_restore = pg_binary("pg_dump"), pg_binary("pg_restore")
        args, env = pg_connection_args()
        dump = tmp_path / "platform.dump"
        subprocess.run(
            [str(pg_dump), *args, "--format=custom", f"--file={dump}"], env=env, check=True
        )
        fresh = connection.settings_dict["NAME"] + "_restored"
        admin = psycopg.connect(test_database_url(), autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.execute(f'CREATE DATABASE "{fresh}"')
        try:
            target = [*args]
            target[target.index("--dbname") + 1] = fresh
            subprocess.run(
                [str(pg_restore), *target, "--exit-on-error", "--no-owner", str(dump)],
                env=env,
                check=True,
            )
            alpha = world.lokets["alpha"]
            original = database_state()
            with psycopg.connect(test_database_url().rsplit("/", 1)[0] + f"/{fresh}") as copy:
                for table in (
                    "providers_location",
                    "requests_childcarerequest",
                    "audit_auditevent",
                ):
                    (count,) = copy.execute(f"SELECT count(*) FROM alpha.{table}").fetchone()
                    assert original[f"alpha.{table}"].startswith(f"{count}:")
                (entries,) = copy.execute(
                    "SELECT count(*) FROM public.registry_registryentry WHERE loket_id = %s",
                    [alpha.pk],
                ).fetchone()
                assert entries == RegistryEntry.objects.filter(loket=alpha).count()
                (slugs,) = copy.execute(
                    "SELECT array_agg(slug ORDER BY slug) FROM public.lokets_loket"
                ).fetchone()
                assert slugs == sorted(Loket.objects.values_list("slug", flat=True))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
            admin.close()


def test_the_operator_commands_back_up_restore_and_export_a_loket(world, omega, tmp_path):
    from django.core.management import CommandError, call_command

    from shared.lokets.export import loket_export_read
    from tenants.audit.models import AuditEvent

    backup = tmp_path / "omega-backup.zip"
    call_command("backup_loket", "omega", str(backup), stdout=io.StringIO())
    before = database_state()
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("restore_loket", str(backup), stdout=io.StringIO())
    call_command("restore_loket", str(backup), "--replace", stdout=io.StringIO())
    assert changed_tables(before, database_state()) == []

    export = tmp_path / "omega-export.zip"
    operator = world.users["operator"]
    call_command("export_loket", "omega", str(export), "--by", operator.email, stdout=io.StringIO())
    files = loket_export_read(export.read_bytes())
    assert len(files["requests_childcarerequest.jsonl"]) == 3
    with tenant_context(Loket.objects.get(slug="omega")):
        event = AuditEvent.objects.get(object_type=AuditEvent.ObjectType.LOKET_DATA)
    assert event.actor == operator and event.details["channel"] == "command"
    with pytest.raises(CommandError):
        call_command("export_loket", "omega", str(export), "--by", "parent@test.test")
