"""Retention: closed requests lose their personal data after the loket's period; figures stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.models import JobRun
from shared.jobs.services import jobs_run
from shared.registry.models import PossibleDuplicate, RegistryEntry, RequestStatus
from tenants.allocation.closing import location_close
from tenants.allocation.services import offer_accept, offer_make
from tenants.audit.models import AuditEvent
from tenants.requests import changes, confirmation
from tenants.requests.models import (
    ChildcareRequest,
    ChoiceStatus,
    RequestChoice,
    RequestEvent,
    RequestNote,
)
from tenants.requests.notes import request_note_add
from tests.support.providers import make_location
from tests.support.requests import some_day, submit

pytestmark = pytest.mark.django_db

JOB = "requests.anonymise_closed"
BIRTH = date(2025, 3, 15)


def national_number(born: date, serial: int = 123) -> str:
    """A valid national register number of a child born on ``born`` (after 2000)."""
    digits = f"{born:%y%m%d}{serial:03d}"
    return digits + f"{97 - int('2' + digits) % 97:02d}"


@pytest.fixture
def family(world):
    """Alpha: a parent's request, withdrawn today with a reason, with a note; and an open one."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Bengeltjes")
    closed = submit(
        location,
        parent=world.users["parent"],
        child_birth_date=BIRTH,
        national_number=national_number(BIRTH),
        remarks="Onze Lotte heeft een notenallergie.",
    )[0]
    with tenant_context(alpha):
        request_note_add(
            request=ChildcareRequest.objects.get(pk=closed.request_id),
            author=world.users["staff_alpha"],
            text="Mama belde op 0470 12 34 56.",
        )
    changes.request_withdraw(
        user=world.users["parent"],
        submission=closed.submission,
        now=timezone.now(),
        reason="We verhuizen naar de Kerkstraat 9 bij oma Peeters.",
    )
    still_open = submit(
        location,
        parent=world.users["other_parent"],
        child_first_name="Mats",
        child_last_name="Janssens",
        contact_email="mats@example.be",
    )[0]
    return {"closed": closed, "open": still_open, "location": location}


def run_job(*, days: int, slug: str = "alpha") -> JobRun:
    (run,) = jobs_run(now=timezone.now() + timedelta(days=days), slugs=[slug], names=[JOB])
    return run


def read_request(loket, entry: RegistryEntry) -> ChildcareRequest:
    with tenant_context(loket):
        request = ChildcareRequest.objects.get(pk=entry.request_id)
        request.read_notes = list(RequestNote.objects.filter(request=request))
        request.read_events = list(RequestEvent.objects.filter(request=request))
        return request


def figures(client) -> tuple[bytes, dict, str]:
    year = timezone.localdate().year
    csv = client.get(f"/beheer/cijfers/export.csv?year={year}&split=month").content
    api = client.get(f"/api/v1/figures/?year={year}").json()
    page = client.get(f"/beheer/cijfers/overzicht/?year={year}").content.decode()
    # The figures page's main part (the header's forms carry a fresh CSRF token).
    main = page[page.index("<main") : page.index("</main>")]
    assert "<table" in main
    return csv, api, main


def test_the_job_is_registered_and_runs_from_run_jobs(world, family):
    call_command(
        "run_jobs",
        "--job",
        JOB,
        "--loket",
        "alpha",
        "--now",
        (timezone.now() + timedelta(days=800)).isoformat(timespec="minutes"),
    )
    run = JobRun.objects.get(job=JOB, loket=world.lokets["alpha"])
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.result["anonymised"] == 1


def test_a_closed_request_keeps_its_data_until_the_period_ends(world, family):
    assert run_job(days=700).result["anonymised"] == 0  # 23 months: still kept
    request = read_request(world.lokets["alpha"], family["closed"])
    assert request.child_first_name == "Lotte"
    assert request.anonymised_at is None


def test_after_two_years_the_personal_data_are_gone_and_the_figures_are_the_same(
    world, family, client_for
):
    alpha = world.lokets["alpha"]
    staff = client_for("alpha", "staff_alpha")
    before = figures(staff)
    assert before[1]["totals"]["unique_requests"] == 2
    assert before[1]["totals"]["withdrawn"] == 1
    entry_before = RegistryEntry.objects.get(pk=family["closed"].pk)

    run = run_job(days=740)

    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.result["anonymised"] == 1
    assert figures(staff) == before
    request = read_request(alpha, family["closed"])
    assert request.anonymised_at is not None
    assert (request.child_first_name, request.child_last_name) == ("", "—")
    assert request.child_birth_date == date(2025, 3, 1)  # the month only
    assert request.national_number == ""
    assert request.guardians == []
    assert (request.contact_email, request.contact_phone, request.street) == ("", "", "")
    assert request.remarks == ""
    assert request.parent_id is None
    assert [note.text for note in request.read_notes] == [""]
    withdrawn = [e for e in request.read_events if e.kind == RequestEvent.Kind.WITHDRAWN]
    assert withdrawn[0].details["reason"] == ""
    # Kept: what the figures and the loket's follow-up need.
    assert request.status == RequestStatus.WITHDRAWN
    assert request.postcode == "3020"
    assert request.reference == family["closed"].reference
    entry = RegistryEntry.objects.get(pk=family["closed"].pk)
    assert entry.child_id == entry_before.child_id
    assert (entry.status, entry.closed_at, entry.registered_at) == (
        entry_before.status,
        entry_before.closed_at,
        entry_before.registered_at,
    )
    assert entry.residence_id == entry_before.residence_id
    assert entry.name_key != entry_before.name_key
    assert (entry.national_number_key, entry.family_key, entry.claim_email_key) == ("", "", "")
    assert entry.parent_id is None
    # The open request of another family is untouched.
    untouched = read_request(alpha, family["open"])
    assert (untouched.child_first_name, untouched.contact_email) == ("Mats", "mats@example.be")
    # Nothing of the family is left in the loket's schema or the registry row.
    with tenant_context(alpha), connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_to_json(r)::text FROM requests_childcarerequest r WHERE id = %s",
            [request.pk],
        )
        row = cursor.fetchone()[0]
    for text in ("Lotte", "Vermeulen", "Peeters", "sara@example.be", "Kerkstraat", "0470"):
        assert text not in row
    # Recorded in the audit trail, by the system.
    with tenant_context(alpha):
        recorded = AuditEvent.objects.filter(
            reference=request.reference, details__event="anonymised"
        )
        assert [(event.actor_id, event.details["why"]) for event in recorded] == [
            (None, "retention")
        ]


def test_running_twice_changes_nothing_the_second_time(world, family):
    assert run_job(days=740).result["anonymised"] == 1
    request = read_request(world.lokets["alpha"], family["closed"])
    with tenant_context(world.lokets["alpha"]):
        trail = AuditEvent.objects.count()
    again = jobs_run(
        now=timezone.now() + timedelta(days=741), slugs=["alpha"], names=[JOB], force=True
    )
    assert again[0].result["anonymised"] == 0
    assert read_request(world.lokets["alpha"], family["closed"]).anonymised_at == (
        request.anonymised_at
    )
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.count() == trail


def test_the_loket_setting_decides_how_long(world, family):
    alpha = world.lokets["alpha"]
    alpha.personal_data_retention_months = 6
    alpha.save(update_fields=["personal_data_retention_months"], verbosity=0)
    try:
        assert run_job(days=150).result["anonymised"] == 0
        assert run_job(days=200).result["anonymised"] == 1
    finally:
        alpha.personal_data_retention_months = 24
        alpha.save(update_fields=["personal_data_retention_months"], verbosity=0)


def test_an_open_request_is_never_anonymised_however_old(world, family):
    run_job(days=4000)
    assert read_request(world.lokets["alpha"], family["open"]).anonymised_at is None


def test_an_anonymised_request_cannot_be_reopened(world, family):
    alpha = world.lokets["alpha"]
    run_job(days=740)
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(pk=family["closed"].request_id)
        request.status = RequestStatus.LAPSED  # as if it had lapsed
        ChildcareRequest.objects.filter(pk=request.pk).update(status=RequestStatus.LAPSED)
        RegistryEntry.objects.filter(pk=family["closed"].pk).update(status=RequestStatus.LAPSED)
        with pytest.raises(ValidationError) as refused:
            confirmation.request_reopen(
                request=request, actor=world.users["staff_alpha"], now=timezone.now()
            )
    assert refused.value.error_list[0].code == "anonymised"


def test_audit_events_older_than_the_audit_period_are_deleted(world, family, settings):
    settings.AUDIT_RETENTION_MONTHS = 12
    with tenant_context(world.lokets["alpha"]):
        kept = AuditEvent.objects.create(
            action="viewed", object_type="request", reference="X", at=timezone.now()
        )
        AuditEvent.objects.create(
            action="viewed",
            object_type="request",
            reference="Y",
            at=timezone.now() - timedelta(days=400),
        )
    run = run_job(days=1)
    assert run.result["audit_events_deleted"] == 1
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(pk=kept.pk).exists()
        assert not AuditEvent.objects.filter(reference="Y").exists()


def test_a_decision_on_a_possible_duplicate_loses_its_reason(world, family):
    duplicate = PossibleDuplicate.objects.create(
        entry=family["open"],
        other=family["closed"],
        reason=PossibleDuplicate.Reason.NAME_AND_BIRTH_DATE,
        status=PossibleDuplicate.Status.REJECTED,
        found_at=timezone.now(),
        decided_at=timezone.now(),
        decision_reason="Lotte Vermeulen is een ander kind dan Mats.",
    )
    run_job(days=740)
    duplicate.refresh_from_db()
    assert duplicate.decision_reason == ""
    assert duplicate.status == PossibleDuplicate.Status.REJECTED


def test_free_text_in_the_history_is_emptied_and_ids_stay(world, family):
    alpha = world.lokets["alpha"]
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(pk=family["closed"].request_id)
        answered = RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.NO_PLACE,
            details={"location": "Bengeltjes", "reason": "", "note": "Broer Jules al hier."},
            at=timezone.now(),
        )
    run_job(days=740)
    with tenant_context(alpha):
        answered.refresh_from_db()
        assert answered.details == {"location": "Bengeltjes", "reason": "", "note": ""}
        note_added = RequestEvent.objects.get(request_id=request.pk, kind=RequestEvent.Kind.NOTE)
        assert isinstance(note_added.details["note"], int)


def test_a_placed_request_whose_data_were_removed_is_not_reopened_when_its_location_closes(
    world, family
):
    alpha, parent = world.lokets["alpha"], world.users["other_parent"]
    with tenant_context(alpha):
        choice = RequestChoice.objects.get(request_id=family["open"].request_id)
        offer = offer_make(
            choice=choice,
            actor=world.users["staff_alpha"],
            start_date=some_day(60),
            care_plan=["mon_am", "mon_pm"],
            now=timezone.now(),
        )
        offer_accept(offer=offer, parent_or_staff=parent, now=timezone.now())
    assert run_job(days=740).result["anonymised"] == 2
    with tenant_context(alpha):
        affected = location_close(
            location=family["location"],
            closes_on=some_day(30),
            reason="De opvang stopt",
            actor=world.users["staff_alpha"],
            now=timezone.now(),
        )
        request = ChildcareRequest.objects.get(pk=family["open"].request_id)
        assert request.status == RequestStatus.PLACED  # no family left to look for a place
        assert RequestChoice.objects.get(pk=choice.pk).status == ChoiceStatus.LOCATION_CLOSED
    assert [item.reopened_locations for item in affected if item.was_placed] == [()]
    assert RegistryEntry.objects.get(pk=family["open"].pk).status == RequestStatus.PLACED
