"""Fault injection: the database connection dropped in the middle of a submission across
two lokets, an acceptance, a child's change after birth, staff deciding a possible
duplicate and a merge of two lokets; and a job's worker (``manage.py run_jobs``) killed
with SIGKILL, before its commit and while its e-mails leave (the offers' expiry, the
birth reminders, the reminders to confirm).

Each drop terminates the test's own PostgreSQL backend from a second connection, just
before a chosen statement of the operation (or its COMMIT). Then a fresh connection reads
every table of the public schema and of every loket schema: they must hold exactly what
they held before (nothing half-written), and no e-mail may have left. The same operation
then runs without a fault, to show that "everything" is what it writes otherwise.

Like the concurrency tests, the data is committed (``django_db_blocker.unblock()``) and
removed afterwards: flushing the database would remove the session's lokets.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueLocation
from shared.geography.models import Municipality
from shared.jobs.models import JobRun
from shared.lokets.merging import loket_merge
from shared.lokets.models import Domain, Loket, LoketMerger, OutgoingEmail
from shared.lokets.services import loket_create
from shared.registry.models import Child, PossibleDuplicate, RegistryEntry
from tenants.allocation.models import Offer, OfferNotice, OverdueDigest, Placement
from tenants.audit.models import AuditEvent
from tenants.providers.models import Organizer
from tenants.providers.services import location_delete
from tenants.requests.birth_reminders import BIRTH_REMINDER_DAYS
from tenants.requests.child_changes import request_update_child
from tenants.requests.duplicates import loket_duplicate_decide
from tenants.requests.models import ChildcareRequest, RequestChoice, RequestNotice
from tests.support.allocation import accept, choice_of, choice_status, offer, register
from tests.support.faults import (
    Drop,
    changed_tables,
    connection_dropped,
    database_state,
    fresh_connection,
)
from tests.support.providers import make_location
from tests.support.registry import status_disagreements
from tests.support.requests import committed_requests_remove, some_day, submit
from tests.support.servers import ROOT, test_database_url

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The database, without the test transaction of pytest-django's ``db``: what these
    tests write is committed. (Asking for ``db`` by name also has the test database made
    when this file runs alone.)"""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def committed(db, django_db_blocker) -> Iterator[dict]:
    """The world, committed data to make, and removing it all afterwards (checked: every
    table holds what it held before)."""
    from tests.conftest import _world

    made: dict = {"world": _world, "locations": [], "parents": []}
    with django_db_blocker.unblock():
        last_run = JobRun.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # The outbox as it was: the outbox's job, run at a test's later "now", also purges
        # e-mails that earlier tests had sent.
        emails = list(OutgoingEmail.objects.order_by("id"))
        lokets = [_world.lokets["alpha"], _world.lokets["beta"]]
        last_audit = {loket.pk: _last_audit_event(loket) for loket in lokets}
        before = database_state()
        yield made
        connection.close()
        connection.set_schema_to_public()
        entries = committed_requests_remove(made["parents"])
        Child.objects.filter(pk__in={entry.child_id for entry in entries}).delete()
        JobRun.objects.filter(id__gt=last_run).delete()
        OutgoingEmail.objects.all().delete()
        OutgoingEmail.objects.bulk_create(emails)
        for loket, location in made["locations"]:
            with tenant_context(loket):
                location_delete(location=location)
                Organizer.objects.filter(pk=location.organizer_id, locations__isnull=True).delete()
        for loket in lokets:
            with tenant_context(loket):
                AuditEvent.objects.filter(id__gt=last_audit[loket.pk]).delete()
        connection.set_schema_to_public()
        left = changed_tables(before, database_state())
        assert left == [], f"the test left data behind for the tests after it: {left}"


def _last_audit_event(loket) -> int:
    with tenant_context(loket):
        return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def drop_points(statements: list[str], samples: int = 5) -> list[int]:
    """Statement numbers to drop at: the first write, writes spread over the operation and
    its last statement."""
    writes = [number for number, sql in enumerate(statements, 1) if sql.startswith(WRITES)]
    assert writes, "the operation writes nothing: nothing to drop in the middle of"
    step = max(1, len(writes) // samples)
    return sorted({*writes[::step], writes[-1], len(statements)})


def dropped(operation: Callable[[], object], at: int | None, before: dict[str, str]) -> Drop:
    """Run ``operation`` with the connection dropped at ``at``: afterwards the database
    holds ``before`` and no e-mail has left."""
    mail.outbox.clear()
    with connection_dropped(at) as drop, contextlib.suppress(DatabaseError):
        operation()
    if at is None:
        assert drop.fired, "no COMMIT: the operation does not run in one transaction"
    assert drop.fired, f"no statement {at}: the drop never happened"
    connection.set_schema_to_public()
    changed = changed_tables(before, database_state())
    assert changed == [], f"dropped before {drop.statement[:120]!r}: half-written {changed}"
    assert mail.outbox == [], f"dropped before {drop.statement[:120]!r}: an e-mail left"
    return drop


def assert_all_or_nothing(operation: Callable[[], object]) -> None:
    """Drop the connection at the COMMIT of ``operation`` and at writes spread over it:
    every time, the database holds what it held before and no e-mail left. Then it runs
    whole, and changes the loket schemas and the public registry, the registry agreeing
    with every loket."""
    connection.set_schema_to_public()
    before = database_state()
    at_commit = dropped(operation, None, before)  # which also counts its statements
    for at in drop_points(at_commit.statements):
        dropped(operation, at, before)
    operation()
    connection.set_schema_to_public()
    changed = changed_tables(before, database_state())
    assert any(not name.startswith("public.") for name in changed), changed
    assert any(name.startswith("public.registry_") for name in changed), changed
    assert status_disagreements() == []


def test_a_dropped_connection_during_a_submission_to_two_lokets_writes_nothing(committed):
    world = committed["world"]
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parent = world.users["parent"]
    committed["parents"].append(parent)
    herent, tienen = make_location(alpha), make_location(beta)
    committed["locations"] += [(alpha, herent), (beta, tienen)]
    connection.set_schema_to_public()

    assert_all_or_nothing(lambda: submit(herent, tienen, parent=parent, child_first_name="Storing"))

    lokets = RegistryEntry.objects.filter(parent=parent).values_list("loket_id", flat=True)
    assert sorted(lokets) == sorted([alpha.pk, beta.pk])
    assert len(mail.outbox) == 1  # the confirmation, once, after the commit that held


def test_a_dropped_connection_during_an_acceptance_writes_nothing(committed):
    """Accepting places the child, closes the choice in the other loket, updates both
    registry entries and records the location's notice: all of it, or none."""
    world = committed["world"]
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parent = world.users["parent"]
    committed["parents"].append(parent)
    herent, tienen = make_location(alpha), make_location(beta)
    committed["locations"] += [(alpha, herent), (beta, tienen)]
    entries = register(herent, name="Aanvaard", parent=parent, also=[tienen])
    made = offer(alpha, choice_of(entries, alpha, herent), world.users["staff_alpha"])
    connection.set_schema_to_public()

    assert_all_or_nothing(lambda: accept(alpha, made, parent))

    with tenant_context(alpha):
        assert Placement.objects.filter(offer=made).count() == 1
    assert choice_status(beta, choice_of(entries, beta, tienen)) == "closed_elsewhere"
    statuses = {
        entry.loket_id: entry.status for entry in RegistryEntry.objects.filter(parent=parent)
    }
    assert statuses == {alpha.pk: "placed", beta.pk: "cancelled"}


def test_a_dropped_connection_during_the_change_after_birth_writes_nothing(committed):
    """Filling in the born child changes every loket's part, every registry entry and the
    child's identity (relinked, merged): all of it, or none."""
    world = committed["world"]
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parent = world.users["parent"]
    committed["parents"].append(parent)
    herent, tienen = make_location(alpha), make_location(beta)
    committed["locations"] += [(alpha, herent), (beta, tienen)]
    unborn = submit(
        herent,
        tienen,
        parent=parent,
        child_first_name="",
        is_expected_birth=True,
        child_birth_date=some_day(10),
    )
    connection.set_schema_to_public()

    assert_all_or_nothing(
        lambda: request_update_child(
            user=parent,
            submission=unborn[0].submission,
            first_name="Lena",
            birth_date=timezone.localdate(),
            now=timezone.now(),
        )
    )

    for entry in unborn:
        with tenant_context(entry.loket):
            request = ChildcareRequest.objects.get(pk=entry.request_id)
            assert (request.is_expected_birth, request.child_first_name) == (False, "Lena")


@pytest.mark.parametrize("is_same_child", [True, False], ids=["confirmed", "rejected"])
def test_a_dropped_connection_while_staff_decide_a_possible_duplicate_writes_nothing(
    committed, is_same_child
):
    """Two families registered what looks like one child, in alpha and beta; alpha's
    staff decide (rejecting gives the other family's entries an identity of their own):
    the decision, the identities and alpha's audit trail, all or none."""
    world = committed["world"]
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parents = [world.users["parent"], world.users["other_parent"]]
    committed["parents"] += parents
    herent, tienen = make_location(alpha), make_location(beta)
    committed["locations"] += [(alpha, herent), (beta, tienen)]
    (one,) = submit(herent, parent=parents[0])
    (other,) = submit(tienen, parent=parents[1], contact_email="b@example.be")
    duplicate = PossibleDuplicate.objects.get(entry=other, other=one)
    connection.set_schema_to_public()

    def decide():
        with tenant_context(alpha):
            return loket_duplicate_decide(
                duplicate_id=duplicate.pk,
                is_same_child=is_same_child,
                actor=world.users["staff_alpha"],
                reason="De families gebeld.",
                now=timezone.now(),
            )

    assert_all_or_nothing(decide)

    duplicate.refresh_from_db()
    assert duplicate.status == ("confirmed" if is_same_child else "rejected")
    one.refresh_from_db()
    other.refresh_from_db()
    assert (one.child_id == other.child_id) is is_same_child


# A merge-sized transaction ---------------------------------------------------------------


@pytest.fixture
def lokets_to_merge(db, django_db_blocker) -> Iterator[tuple]:
    """Two lokets of their own with requests, committed; afterwards both are removed
    entirely (schemas, rows, registry) and every table holds what it held before."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        before = database_state()
        last_email = OutgoingEmail.objects.order_by("-id").values_list("id", flat=True).first()
        made = [
            loket_create(
                slug=f"fault-merge-{letter}",
                name=f"Storing {letter.upper()}",
                kind=Loket.Kind.MUNICIPAL,
                region=_world.region,
                municipalities=Municipality.objects.filter(nis_code=nis_code),
            )
            for letter, nis_code in (("a", "24062"), ("b", "24135"))
        ]
        yield (*made, _world)
        connection.close()
        connection.set_schema_to_public()
        entries = RegistryEntry.objects.filter(loket__in=made)
        children = set(entries.values_list("child_id", flat=True))
        entries.delete()
        Child.objects.filter(pk__in=children, entries__isnull=True).delete()
        CatalogueLocation.objects.filter(loket__in=made).delete()
        LoketMerger.objects.filter(target__in=made).delete()
        Domain.objects.filter(tenant__in=made).delete()
        JobRun.objects.filter(loket__in=made).delete()
        OutgoingEmail.objects.filter(id__gt=last_email or 0).delete()
        with connection.cursor() as cursor:
            for loket in made:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{loket.schema_name}" CASCADE')
        Loket.objects.filter(pk__in=[loket.pk for loket in made]).delete()
        left = changed_tables(before, database_state())
        assert left == [], f"the test left data behind for the tests after it: {left}"


def test_a_dropped_connection_during_a_merge_of_two_lokets_writes_nothing(lokets_to_merge):
    """A merge copies every table of one loket into another and moves its registry,
    catalogue, staff and hosts: dropped at its COMMIT or at any of its writes, neither
    loket nor the public schema holds a row of it; run whole, the child counts once."""
    target, source, world = lokets_to_merge
    in_target, in_source = make_location(target), make_location(source)
    parent = world.users["parent"]
    register(in_source, name="Fusie", parent=parent)
    register(in_target, name="Fusie", parent=parent)
    register(in_source, name="Anders")
    connection.set_schema_to_public()

    assert_all_or_nothing(lambda: loket_merge(source=source, target=target, by="fault test"))

    with tenant_context(target):
        assert ChildcareRequest.objects.filter(child_first_name="Fusie").count() == 1
        assert ChildcareRequest.objects.count() == 2
    assert LoketMerger.objects.get(source=source).target_id == target.pk


# A worker killed during a job -----------------------------------------------------------


def run_worker(
    tmp_path: Path,
    *,
    now: str,
    pause_on: str = "",
    pause_after_mails: int = 0,
    job: str = "allocation.offers_expire",
    loket: str | None = "alpha",
):
    """``manage.py run_jobs`` for alpha's offer expiry, in a process of its own; its
    e-mails are appended to ``mails.jsonl``. ``pause_on``: it stops, as if hung, before
    the first statement containing that text; ``pause_after_mails``: after that many
    e-mails. It writes ``paused`` when it stops there."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "OPVANGLOKET_REGISTRY_KEY": settings.REGISTRY_KEY,
        "OPVANGLOKET_DATA_KEYS": ",".join(settings.DATA_KEYS),
        "DJANGO_SETTINGS_MODULE": "opvangloket.settings",
        "EMAIL_BACKEND": "tests.support.fault_worker.RecordingBackend",
        "FAULT_MAILS": str(tmp_path / "mails.jsonl"),
        "FAULT_PAUSED": str(tmp_path / "paused"),
        "FAULT_PAUSE_ON": pause_on,
        "FAULT_PAUSE_AFTER_MAILS": str(pause_after_mails),
        "PGAPPNAME": "fault-worker",
    }
    env.pop("SENTRY_DSN", None)
    command = [sys.executable, "-m", "tests.support.fault_worker"]
    command += ["--loket", loket] if loket else []  # none: the platform's jobs
    command += ["--job", job, "--now", now, "--force"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def run_to_the_end(tmp_path: Path, **options) -> None:
    """``run_worker`` with ``options``, until it ends; it must end well."""
    worker = run_worker(tmp_path, **options)
    assert worker.wait(timeout=60) == 0, worker.stdout.read().decode()


def killed_while_writing_to_the_outbox(tmp_path: Path, *, now: str, job: str) -> list[str]:
    """Run ``job`` until it writes its first e-mail to the outbox, kill it there (before
    its commit), and say which tables changed meanwhile."""
    before = database_state()
    worker = run_worker(tmp_path, now=now, job=job, pause_on='INSERT INTO "lokets_outgoingemail"')
    kill_when_paused(worker, tmp_path)
    return changed_tables(before, database_state())


def kill_when_paused(worker: subprocess.Popen, tmp_path: Path) -> None:
    deadline = time.monotonic() + 30
    try:
        while not (tmp_path / "paused").exists():
            if worker.poll() is not None:
                pytest.fail("the worker ended before its pause: " + worker.stdout.read().decode())
            assert time.monotonic() < deadline, "the worker never reached its pause"
            time.sleep(0.05)
    finally:
        worker.send_signal(signal.SIGKILL)  # also when it failed: it holds a connection
        worker.wait(timeout=10)
    (tmp_path / "paused").unlink()
    # Its backend ends as soon as PostgreSQL sees the socket closed (its locks with it).
    with fresh_connection() as other:
        while other.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = 'fault-worker' AND datname = current_database()"
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the killed worker's backend stays"
            time.sleep(0.05)


def mails_sent(tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "mails.jsonl"
    if not path.exists():
        return []
    return [tuple(json.loads(line)) for line in path.read_text().splitlines()]


def alpha_location_for_the_parent(committed, **fields) -> tuple:
    """A committed location of alpha for the shared parent (both removed afterwards):
    ``(alpha, parent, location)``."""
    alpha = committed["world"].lokets["alpha"]
    parent = committed["world"].users["parent"]
    committed["parents"].append(parent)
    location = make_location(alpha, **fields)
    committed["locations"].append((alpha, location))
    return alpha, parent, location


@pytest.fixture
def due_offers(committed) -> list[Offer]:
    """Three open offers at alpha, each of its own child, past their answer date tomorrow."""
    world = committed["world"]
    alpha, parent, location = alpha_location_for_the_parent(committed, email="kribbe@example.be")
    made = []
    for name in ("Eerste", "Tweede", "Derde"):
        entries = register(location, name=name, parent=parent)
        made.append(offer(alpha, choice_of(entries, alpha, location), world.users["staff_alpha"]))
    with tenant_context(alpha):
        Offer.objects.filter(pk__in=[one.pk for one in made]).update(answer_by=some_day(1))
    connection.set_schema_to_public()
    return made


def offers_in_alpha(committed, offers: list[Offer]) -> tuple[list[str], list[tuple[int, str]]]:
    with tenant_context(committed["world"].lokets["alpha"]):
        statuses = list(
            Offer.objects.filter(pk__in=[one.pk for one in offers])
            .order_by("pk")
            .values_list("status", flat=True)
        )
        notices = list(
            OfferNotice.objects.filter(offer__in=offers, kind__startswith="expired")
            .order_by("offer_id", "kind")
            .values_list("offer_id", "kind")
        )
    connection.set_schema_to_public()
    return statuses, notices


def later() -> str:
    return (timezone.now() + timedelta(days=3)).replace(tzinfo=None).isoformat(timespec="seconds")


def test_a_worker_killed_inside_the_expiry_job_wrote_nothing_and_the_next_run_finishes_it(
    committed, due_offers, tmp_path
):
    """Killed after the first offer's expiry was written, before the commit:
    nothing of it stays, nothing was sent; the next run expires every offer and sends
    each e-mail once."""
    now = later()
    before = database_state()
    worker = run_worker(tmp_path, now=now, pause_on="allocation_offernotice")
    kill_when_paused(worker, tmp_path)

    changed = changed_tables(before, database_state())
    assert changed == ["public.jobs_jobrun"], changed  # only: a run started, never finished
    killed_run = JobRun.objects.filter(job="allocation.offers_expire").latest("id")
    assert killed_run.status == "running"
    assert offers_in_alpha(committed, due_offers) == (["open"] * 3, [])
    assert mails_sent(tmp_path) == []

    run_to_the_end(tmp_path, now=now)
    # The next run found the killed run's lock gone and said so for the operators.
    killed_run.refresh_from_db()
    assert killed_run.status == "interrupted" and killed_run.finished_at is not None

    statuses, notices = offers_in_alpha(committed, due_offers)
    assert statuses == ["expired"] * 3
    assert len(notices) == 6 == len(set(notices))  # to the parent and the location, each
    sent = mails_sent(tmp_path)
    assert len(sent) == 6 == len(set(sent)), sent


def test_a_worker_killed_while_sending_sends_nothing_twice_when_run_again(
    committed, due_offers, tmp_path
):
    """Killed after the commit, while its e-mails leave: the expiry stands, and the next
    run sends none of them again (a notice is recorded once, in the expiry's commit)."""
    now = later()
    worker = run_worker(tmp_path, now=now, pause_after_mails=2)
    kill_when_paused(worker, tmp_path)
    assert len(mails_sent(tmp_path)) == 2
    statuses, notices = offers_in_alpha(committed, due_offers)
    assert statuses == ["expired"] * 3 and len(notices) == 6

    run_to_the_end(tmp_path, now=now)

    sent = mails_sent(tmp_path)
    assert len(sent) == 2 == len(set(sent)), sent
    assert offers_in_alpha(committed, due_offers) == (statuses, notices)

    # The outbox sends the other four, and the one the mail server took just before the
    # kill (its sent_at was never committed) once more: at least once.
    run_to_the_end(tmp_path, now=now, job="mail.outbox_send", loket=None)
    sent = mails_sent(tmp_path)
    assert len(sent) == 7 and len(set(sent)) == 6, sent
    assert sent[1] == sent[2]  # the one in flight, again first (the oldest due)


def test_a_worker_killed_after_its_commit_before_the_mail_server_loses_no_email(
    committed, due_offers, tmp_path
):
    """Killed after the expiry's COMMIT, before its first e-mail reached the mail server:
    the e-mails wait in the outbox, and its job sends each of them once."""
    now = later()
    worker = run_worker(
        tmp_path, now=now, pause_on='"lokets_outgoingemail"."sent_at" IS NULL'
    )  # the first send
    kill_when_paused(worker, tmp_path)
    assert mails_sent(tmp_path) == []
    statuses, notices = offers_in_alpha(committed, due_offers)
    assert statuses == ["expired"] * 3 and len(notices) == 6
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 6

    run_to_the_end(tmp_path, now=now)  # the expiry again: nothing new to send
    assert mails_sent(tmp_path) == []

    for _run in range(2):  # a second run sends nothing again
        run_to_the_end(tmp_path, now=now, job="mail.outbox_send", loket=None)
        sent = mails_sent(tmp_path)
        assert len(sent) == 6 == len(set(sent)), sent
    assert "kribbe@example.be" in {to for to, _subject in sent}  # the location's too
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_worker_killed_while_sending_a_birth_reminder_does_not_send_it_twice(committed, tmp_path):
    """The reminder that a child was due is recorded before it leaves: a worker killed
    just after the mail server took it does not send it again on the next run."""
    _alpha, parent, location = alpha_location_for_the_parent(committed)
    for due in (10, 11):
        submit(
            location,
            parent=parent,
            child_first_name="",
            is_expected_birth=True,
            child_birth_date=some_day(due),
            child_last_name=f"Verwacht{due}",
        )
    connection.set_schema_to_public()
    now = (timezone.now() + timedelta(days=11 + BIRTH_REMINDER_DAYS + 1)).replace(tzinfo=None)
    now = now.isoformat(timespec="seconds")
    job = "requests.birth_reminders"

    worker = run_worker(tmp_path, now=now, pause_after_mails=1, job=job)
    kill_when_paused(worker, tmp_path)
    assert len(mails_sent(tmp_path)) == 1

    run_to_the_end(tmp_path, now=now, job=job)

    sent = mails_sent(tmp_path)
    assert len(sent) == len(set(sent)), f"an e-mail left twice: {sent}"


@pytest.fixture
def due_reminders(committed) -> tuple[str, list[int]]:
    """Three open requests at alpha, each of its own child, due to be confirmed: the
    moment their reminders are due, and the requests."""
    alpha, parent, location = alpha_location_for_the_parent(committed)
    entries = [
        entry
        for name in ("Eerste", "Tweede", "Derde")
        for entry in register(location, name=name, parent=parent)
    ]
    with tenant_context(alpha):
        requests = ChildcareRequest.objects.filter(pk__in=[entry.request_id for entry in entries])
        due = max(request.confirmed_until for request in requests)
    connection.set_schema_to_public()
    now = timezone.make_aware(datetime(due.year, due.month, due.day, 9)) - timedelta(days=10)
    return now.replace(tzinfo=None).isoformat(timespec="seconds"), [e.request_id for e in entries]


def reminders_in_alpha(committed, request_ids: list[int]) -> list[tuple[int, int | None]]:
    """(request, its e-mail in the outbox) of each confirmation reminder recorded."""
    with tenant_context(committed["world"].lokets["alpha"]):
        notices = list(
            RequestNotice.objects.filter(
                request_id__in=request_ids, kind=RequestNotice.Kind.CONFIRMATION_REMINDER
            )
            .order_by("request_id")
            .values_list("request_id", "outgoing_email_id")
        )
    connection.set_schema_to_public()
    return notices


REMIND = "requests.confirmation_reminders"


def test_a_reminder_job_killed_before_its_commit_wrote_nothing_and_the_next_run_sends_each_once(
    committed, due_reminders, tmp_path
):
    """Killed while writing the first reminder's e-mail to the outbox, before the commit:
    neither its 'already reminded' notice nor its e-mail stays; the next run reminds
    every family once, and the outbox's job has nothing left to send again."""
    now, request_ids = due_reminders
    changed = killed_while_writing_to_the_outbox(tmp_path, now=now, job=REMIND)
    assert changed == ["public.jobs_jobrun"], changed
    assert reminders_in_alpha(committed, request_ids) == [] and mails_sent(tmp_path) == []

    run_to_the_end(tmp_path, now=now, job=REMIND)
    notices = reminders_in_alpha(committed, request_ids)
    assert [request for request, _email in notices] == sorted(request_ids)
    assert all(email is not None for _request, email in notices)
    run_to_the_end(tmp_path, now=now, job="mail.outbox_send", loket=None)
    sent = mails_sent(tmp_path)
    assert len(sent) == 3 == len(set(sent)), sent
    assert {to for to, _subject in sent} == {"sara@example.be"}


def test_a_reminder_job_killed_after_its_commit_before_the_mail_server_loses_no_reminder(
    committed, due_reminders, tmp_path
):
    """Killed after the first reminder's COMMIT (notice and outbox row together), before
    the mail server took it: the next run writes only the other two, and the outbox's job
    sends each of the three once."""
    now, request_ids = due_reminders
    worker = run_worker(
        tmp_path, now=now, job=REMIND, pause_on='"lokets_outgoingemail"."sent_at" IS NULL'
    )  # the first send, right after the first reminder's commit
    kill_when_paused(worker, tmp_path)
    assert mails_sent(tmp_path) == []
    (first,) = reminders_in_alpha(committed, request_ids)
    assert OutgoingEmail.objects.filter(pk=first[1], sent_at__isnull=True).exists()

    for _run in range(2):  # the job again, twice: nothing written twice
        run_to_the_end(tmp_path, now=now, job=REMIND)
    notices = reminders_in_alpha(committed, request_ids)
    assert len(notices) == 3 and first in notices
    assert len(mails_sent(tmp_path)) == 2  # the two new ones, right after their commits

    for _run in range(2):
        run_to_the_end(tmp_path, now=now, job="mail.outbox_send", loket=None)
    sent = mails_sent(tmp_path)
    assert len(sent) == 3 == len(set(sent)), sent
    assert not OutgoingEmail.objects.filter(
        pk__in=[email for _request, email in notices], sent_at__isnull=True
    ).exists()


def test_an_overdue_digest_job_killed_before_its_commit_sends_the_digest_once_later(
    committed, tmp_path
):
    """Killed while writing the loket's daily digest to the outbox, before the commit:
    neither the day's record nor its e-mail stays; the next run writes both, a third run
    the same day nothing, and the outbox's job sends the digest once."""
    alpha, parent, location = alpha_location_for_the_parent(
        committed, name="Kinderdagverblijf Laat Antwoord"
    )
    choice = choice_of(register(location, name="Eik", parent=parent), alpha, location)
    with tenant_context(alpha):
        RequestChoice.objects.filter(pk=choice.pk).update(
            status_changed_at=timezone.now() - timedelta(days=alpha.response_days + 9)
        )
    connection.set_schema_to_public()
    now = timezone.now().replace(tzinfo=None).isoformat(timespec="seconds")
    digest_job = "allocation.overdue_digest"
    try:
        changed = killed_while_writing_to_the_outbox(tmp_path, now=now, job=digest_job)
        assert changed == ["public.jobs_jobrun"], changed

        for _run in range(2):  # the second run the same day finds the day's record
            run_to_the_end(tmp_path, now=now, job=digest_job)
        with tenant_context(alpha):
            assert OverdueDigest.objects.count() == 1
        connection.set_schema_to_public()
        run_to_the_end(tmp_path, now=now, job="mail.outbox_send", loket=None)
        sent = mails_sent(tmp_path)
        assert len(sent) == 1, sent
        assert sent[0][0] == alpha.email
    finally:
        with tenant_context(alpha):
            OverdueDigest.objects.all().delete()
        connection.set_schema_to_public()
