"""Retention of signals: after the loket's period a signal loses its free text and who
recorded it (``tenants.signals.retention``, in the job ``requests.anonymise_closed``);
every count of signals stays the same, and one loket's job leaves the others alone."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.models import JobRun
from shared.jobs.services import jobs_run
from tenants.audit.models import AuditEvent
from tenants.signals.models import LocationSignal
from tenants.signals.services import signal_record
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db

JOB = "requests.anonymise_closed"
LIST = "/beheer/signalen/"
EXPORT = "/beheer/signalen/export.csv"
# Two years and a bit later: past the default period (24 months) of a signal recorded now.
LATER = timedelta(days=800)
OLD_TEXT = "Noor (2 jaar) viel van de trap; mama Els Peeters verwittigd."
OLD_DONE = "Juf Ann Maes zette een traphekje."


def record(loket, location, user, *, now: datetime, what: str, done: str = "") -> LocationSignal:
    with tenant_context(loket):
        return signal_record(
            location=location,
            happened_on=timezone.localdate(now) - timedelta(days=1),
            what_happened=what,
            what_was_done=done,
            recorded_by=user,
            now=now,
        )


@pytest.fixture
def signals(world):
    """Alpha: a signal recorded now (old by the job's clock) and one recorded shortly
    before the job's clock; beta: one recorded now."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    now = timezone.now()
    alpha_location = make_location(alpha, name="Kinderdagverblijf Regenboog")
    beta_location = make_location(beta, name="De Speelboom")
    made = {
        "old": record(
            alpha, alpha_location, world.users["staff_alpha"], now=now, what=OLD_TEXT, done=OLD_DONE
        ),
        "recent": record(
            alpha,
            alpha_location,
            world.users["staff_alpha"],
            now=now + LATER - timedelta(days=30),
            what="Lekkend dak in de slaapkamer.",
        ),
        "beta": record(
            beta, beta_location, world.users["staff_beta"], now=now, what="Mats viel in de tuin."
        ),
    }
    connection.set_schema_to_public()
    return made


def run_job(*, slug: str, later: timedelta = LATER, force: bool = False) -> JobRun:
    (run,) = jobs_run(now=timezone.now() + later, slugs=[slug], names=[JOB], force=force)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    return run


def read(loket, signal: LocationSignal) -> LocationSignal:
    with tenant_context(loket):
        return LocationSignal.objects.get(pk=signal.pk)


def signal_figures(client, since: str) -> tuple[int, int, list[list[str]], int]:
    """What counts signals: the list's heading and rows, the rows of the CSV without the
    two texts, and the list of those recorded since a day (the start page's link)."""
    page = client.get(LIST).content.decode()
    heading = int(re.search(r'<h2 id="list-heading">\s*(\d+)', page).group(1))
    rows = page.count("<tr>") - 1  # without the header row
    text = client.get(EXPORT).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    kept_columns = [
        [cell for index, cell in enumerate(line) if index not in (4, 5)] for line in lines
    ]
    since_page = client.get(LIST, {"since": since}).content.decode()
    recent = since_page.count("<tr>") - 1
    return heading, rows, kept_columns, recent


def test_old_signals_lose_their_text_and_the_counts_stay_the_same(world, signals, client_for):
    alpha = world.lokets["alpha"]
    staff = client_for("alpha", "staff_alpha")
    since = timezone.localdate().isoformat()
    before = signal_figures(staff, since)
    assert before[0] == before[1] == 2 and before[3] == 2

    run = run_job(slug="alpha")

    assert run.result["signals_anonymised"] == 1
    assert signal_figures(staff, since) == before
    old = read(alpha, signals["old"])
    assert (old.what_happened, old.what_was_done, old.recorded_by_id) == ("", "", None)
    assert old.anonymised_at is not None
    # What the counts are made of stays.
    assert (old.location_id, old.location_name, old.happened_on, old.recorded_at) == (
        signals["old"].location_id,
        "Kinderdagverblijf Regenboog",
        signals["old"].happened_on,
        signals["old"].recorded_at,
    )
    # The recent one keeps everything.
    recent = read(alpha, signals["recent"])
    assert recent.what_happened == "Lekkend dak in de slaapkamer."
    assert recent.recorded_by_id == world.users["staff_alpha"].pk and recent.anonymised_at is None
    # Nothing of the old text is left in the row, on the page or in the CSV.
    with tenant_context(alpha), connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(s)::text FROM signals_locationsignal s WHERE id = %s", [old.pk]
        )
        row = cursor.fetchone()[0]
    page = staff.get(LIST).content.decode()
    exported = staff.get(EXPORT).content.decode("utf-8-sig")
    for text in ("Noor", "Peeters", "Maes", "traphekje"):
        assert text not in row and text not in page and text not in exported
    assert page.count('<td colspan="2"><em>') == 1  # "text removed", in its place
    # The audit trail says the job removed it, and nothing of what was removed.
    assert anonymisations(alpha) == [(None, old.pk, {"event": "anonymised", "why": "retention"})]


def anonymisations(loket) -> list[tuple]:
    with tenant_context(loket):
        return list(
            AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.SIGNAL).values_list(
                "actor_id", "object_id", "details"
            )
        )


def test_running_twice_changes_nothing_the_second_time(world, signals):
    alpha = world.lokets["alpha"]
    assert run_job(slug="alpha").result["signals_anonymised"] == 1
    first = read(alpha, signals["old"])
    again = run_job(slug="alpha", later=LATER + timedelta(days=1), force=True)
    assert again.result["signals_anonymised"] == 0
    assert read(alpha, signals["old"]).anonymised_at == first.anonymised_at
    assert len(anonymisations(alpha)) == 1  # recorded once, by the run that did it
    assert read(alpha, signals["recent"]).anonymised_at is None


def test_the_loket_setting_decides_how_long(world, signals):
    alpha = world.lokets["alpha"]
    alpha.personal_data_retention_months = 36
    alpha.save(update_fields=["personal_data_retention_months"], verbosity=0)
    try:
        assert run_job(slug="alpha").result["signals_anonymised"] == 0
        assert read(alpha, signals["old"]).what_happened == OLD_TEXT
        # Three years and more after it was recorded.
        later = run_job(slug="alpha", later=timedelta(days=1200), force=True)
        assert later.result["signals_anonymised"] == 1
        assert read(alpha, signals["old"]).what_happened == ""
    finally:
        alpha.personal_data_retention_months = 24
        alpha.save(update_fields=["personal_data_retention_months"], verbosity=0)


def test_a_lokets_job_never_touches_another_lokets_signals(world, signals):
    beta = world.lokets["beta"]
    with tenant_context(beta):
        beta_before = list(LocationSignal.objects.order_by("pk").values())
    run_job(slug="alpha")
    with tenant_context(beta):
        assert list(LocationSignal.objects.order_by("pk").values()) == beta_before
    assert read(beta, signals["beta"]).what_happened == "Mats viel in de tuin."

    assert run_job(slug="beta").result["signals_anonymised"] == 1
    assert read(beta, signals["beta"]).what_happened == ""
    # And beta's job left alpha's recent signal as it was.
    assert read(world.lokets["alpha"], signals["recent"]).anonymised_at is None
