"""Keeping requests current: reminders, lapsing, confirming and reopening, on a controlled clock."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from shared.catalogue.vocabulary import shift_months
from shared.jobs.services import loket_jobs_run, platform_jobs_run
from shared.lokets.models import OutgoingEmail
from shared.portal.selectors import parent_request
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.confirmation import request_confirm, request_reopen
from tenants.requests.models import (
    ChildcareRequest,
    ChoiceStatus,
    RequestEvent,
    RequestNotice,
)
from tests.support.emails import sent_after_commit
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

REMIND = "requests.confirmation_reminders"
REFUSING = "tests.shared.lokets.test_outbox.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
LAPSE = "requests.lapse_unconfirmed"


def at(day, hour: int = 9) -> datetime:
    """A moment on ``day`` on the loket's clock (Brussels)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def run(loket, now: datetime, *names: str) -> None:
    """The jobs through the runner, every time (idempotence is the jobs' own business);
    their e-mails leave through the outbox after each commit."""
    with sent_after_commit():
        runs = loket_jobs_run(loket=loket, now=now, names=names or [REMIND, LAPSE], force=True)
    assert {r.status for r in runs} == {"succeeded"}, [r.error for r in runs]


def the_request(loket) -> ChildcareRequest:
    with tenant_context(loket):
        request = ChildcareRequest.objects.get()
        request.read_choices = list(request.choices.values_list("status", flat=True))
        request.read_events = list(request.events.values_list("kind", flat=True))
        return request


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def registered_at():
    return timezone.now()


@pytest.fixture
def request_in_alpha(world, alpha, registered_at):
    """The parent's request in alpha, registered now; returns its submission."""
    location = make_location(alpha, name="Bengeltjes")
    return submit(location, parent=world.users["parent"], now=registered_at)[0].submission


@pytest.fixture
def due_day(request_in_alpha, alpha, registered_at):
    return the_request(alpha).confirmed_until


@pytest.fixture
def interval_off(world):
    """Gamma asks no confirmation (restored afterwards, in memory too)."""
    gamma = world.lokets["gamma"]
    gamma.confirmation_interval_months = 0
    gamma.save(update_fields=["confirmation_interval_months"])
    yield gamma
    gamma.confirmation_interval_months = 3
    gamma.save(update_fields=["confirmation_interval_months"])


def test_a_request_is_confirmed_for_the_lokets_interval_when_registered(
    alpha, request_in_alpha, registered_at
):
    expected = shift_months(timezone.localdate(registered_at), alpha.confirmation_interval_months)
    assert the_request(alpha).confirmed_until == expected


def test_the_reminder_goes_out_two_weeks_before_and_only_once(alpha, request_in_alpha, due_day):
    run(alpha, at(due_day - timedelta(days=15)))
    assert mail.outbox == []

    run(alpha, at(due_day - timedelta(days=14)))
    run(alpha, at(due_day - timedelta(days=14), hour=10))
    run(alpha, at(due_day - timedelta(days=3)))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sara@example.be"]
    assert "Bevestig je aanvraag" in message.subject  # the request's language: Dutch
    assert f"/mijn-aanvragen/{request_in_alpha}/" in message.body
    assert "alpha.localhost" in message.body
    with tenant_context(alpha):
        assert RequestNotice.objects.filter(kind="confirm_reminder", period=due_day).count() == 1


def test_the_reminder_is_in_the_requests_language(world, alpha, registered_at):
    location = make_location(alpha)
    submit(location, parent=world.users["parent"], now=registered_at, language="fr")
    day = the_request(alpha).confirmed_until
    run(alpha, at(day - timedelta(days=10)), REMIND)
    assert "Confirmez votre demande" in mail.outbox[0].subject
    assert "Veuillez confirmer avant le" in mail.outbox[0].body


def outbox_run(now: datetime) -> list[str]:
    """The outbox's job; the subjects it sent (the registration's confirmation too: the
    test's transaction never committed it)."""
    mail.outbox.clear()
    (outbox,) = platform_jobs_run(now=now, names=["mail.outbox_send"], force=True)
    assert outbox.status == "succeeded", outbox.error
    return [message.subject for message in mail.outbox]


def reminders(subjects: list[str]) -> list[str]:
    return [subject for subject in subjects if "Bevestig je aanvraag" in subject]


def test_a_reminder_the_mail_server_refused_leaves_later_once(
    alpha, request_in_alpha, due_day, settings
):
    settings.EMAIL_BACKEND = REFUSING
    run(alpha, at(due_day - timedelta(days=14)), REMIND)
    (row,) = OutgoingEmail.objects.filter(to=["sara@example.be"], sent_at__isnull=True)
    assert row.attempts == 1 and "Bevestig je aanvraag" in row.subject
    run(alpha, at(due_day - timedelta(days=13)), REMIND)  # recorded: not written again
    assert OutgoingEmail.objects.filter(to=["sara@example.be"]).count() == 1

    settings.EMAIL_BACKEND = LOCMEM
    assert len(reminders(outbox_run(timezone.now() + timedelta(hours=2)))) == 1
    assert outbox_run(timezone.now() + timedelta(hours=3)) == []
    run(alpha, at(due_day - timedelta(days=12)), REMIND)
    assert mail.outbox == []


def test_the_grace_period_runs_from_when_the_reminder_left(
    alpha, request_in_alpha, due_day, settings
):
    """Written in time, but the mail server refused it until ten days after the date:
    no lapse while it waits in the outbox, and the full grace period after it left."""
    settings.EMAIL_BACKEND = REFUSING
    run(alpha, at(due_day - timedelta(days=14)), REMIND)
    run(alpha, at(due_day + timedelta(days=15)), LAPSE)
    assert the_request(alpha).status == RequestStatus.OPEN  # still in the outbox

    settings.EMAIL_BACKEND = LOCMEM
    assert len(reminders(outbox_run(timezone.now() + timedelta(hours=2)))) == 1
    # The outbox's clock is the real one: say it left ten days after the date.
    OutgoingEmail.objects.filter(to=["sara@example.be"], subject__contains="Bevestig").update(
        sent_at=at(due_day + timedelta(days=10))
    )
    run(alpha, at(due_day + timedelta(days=20)), LAPSE)
    assert the_request(alpha).status == RequestStatus.OPEN
    run(alpha, at(due_day + timedelta(days=25)), LAPSE)
    assert the_request(alpha).status == RequestStatus.LAPSED


def test_the_request_lapses_after_the_grace_period_once(alpha, request_in_alpha, due_day):
    run(alpha, at(due_day - timedelta(days=14)))
    run(alpha, at(due_day + timedelta(days=14)))
    assert the_request(alpha).status == RequestStatus.OPEN

    lapse_day = at(due_day + timedelta(days=15))
    run(alpha, lapse_day)
    run(alpha, lapse_day + timedelta(hours=1))

    request = the_request(alpha)
    assert request.status == RequestStatus.LAPSED
    assert request.read_choices == [ChoiceStatus.LAPSED]
    assert request.read_events.count(RequestEvent.Kind.LAPSED) == 1
    entry = RegistryEntry.objects.get(loket=alpha, request_id=request.pk)
    assert (entry.status, entry.closed_at) == (RequestStatus.LAPSED, lapse_day)
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2
    assert "is vervallen" in subjects[1]


def test_nobody_lapses_without_having_been_reminded_for_the_whole_grace_period(
    alpha, request_in_alpha, due_day
):
    # The reminder only went out late (say the mail server was down for weeks).
    run(alpha, at(due_day + timedelta(days=10)), REMIND)
    run(alpha, at(due_day + timedelta(days=20)), LAPSE)
    assert the_request(alpha).status == RequestStatus.OPEN
    run(alpha, at(due_day + timedelta(days=25)), LAPSE)
    assert the_request(alpha).status == RequestStatus.LAPSED


def test_a_request_with_a_place_on_offer_does_not_lapse(alpha, request_in_alpha, due_day):
    with tenant_context(alpha):
        ChildcareRequest.objects.get().choices.update(status=ChoiceStatus.OFFERED)
    run(alpha, at(due_day - timedelta(days=14)))
    run(alpha, at(due_day + timedelta(days=20)))
    assert the_request(alpha).status == RequestStatus.OPEN


def test_nothing_happens_in_a_loket_that_asks_no_confirmation(world, interval_off):
    location = make_location(interval_off)
    submit(location, parent=world.users["parent"])
    assert the_request(interval_off).confirmed_until is None
    # Even a request dated while the loket still asked: the loket switched it off since.
    with tenant_context(interval_off):
        ChildcareRequest.objects.update(confirmed_until=timezone.localdate())
    for days in (0, 30, 400):
        run(interval_off, timezone.now() + timedelta(days=days))
    assert mail.outbox == []
    assert the_request(interval_off).status == RequestStatus.OPEN


def test_an_undated_open_request_gets_a_date_that_leaves_time_for_the_reminder(
    alpha, request_in_alpha
):
    with tenant_context(alpha):
        ChildcareRequest.objects.update(
            confirmed_until=None, registered_at=timezone.now() - timedelta(days=400)
        )
    now = timezone.now()
    run(alpha, now, REMIND)
    request = the_request(alpha)
    assert request.confirmed_until == timezone.localdate(now) + timedelta(days=14)
    assert len(mail.outbox) == 1  # reminded at once, lapsing no earlier than four weeks on


def test_confirming_moves_the_date_of_every_part_and_prevents_the_reminder(
    world, alpha, registered_at
):
    beta = world.lokets["beta"]
    submission = submit(
        make_location(alpha), make_location(beta), parent=world.users["parent"], now=registered_at
    )[0].submission
    due = the_request(alpha).confirmed_until
    confirmed_on = at(due - timedelta(days=20))

    request_confirm(user=world.users["parent"], submission=submission, now=confirmed_on)

    new_due = shift_months(confirmed_on.date(), 3)
    for loket in (alpha, beta):
        request = the_request(loket)
        assert request.confirmed_until == new_due
        assert RequestEvent.Kind.CONFIRMED in request.read_events
    run(alpha, at(due - timedelta(days=14)))
    run(alpha, at(due + timedelta(days=30)))
    assert mail.outbox == []
    assert the_request(alpha).status == RequestStatus.OPEN
    run(alpha, at(new_due - timedelta(days=14)), REMIND)
    assert len(mail.outbox) == 1


def test_another_parent_cannot_confirm(world, request_in_alpha):
    from tenants.requests.changes import RequestNotFound

    with pytest.raises(RequestNotFound):
        request_confirm(
            user=world.users["other_parent"], submission=request_in_alpha, now=timezone.now()
        )


def test_a_request_in_a_loket_without_confirmation_need_not_be_confirmed(world, interval_off):
    submission = submit(make_location(interval_off), parent=world.users["parent"])[0].submission
    with pytest.raises(ValidationError):
        request_confirm(user=world.users["parent"], submission=submission, now=timezone.now())
    assert parent_request(user=world.users["parent"], submission=submission).confirm_by is None


def test_the_parent_confirms_on_the_request_page(client_for, world, alpha, request_in_alpha):
    client = client_for("alpha", user="parent")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/mijn-aanvragen/{request_in_alpha}/").content.decode()
    assert "Confirm that you still need care" in page
    assert f"/mijn-aanvragen/{request_in_alpha}/bevestigen/" in page

    response = client.post(f"/mijn-aanvragen/{request_in_alpha}/bevestigen/", follow=True)

    assert response.status_code == 200
    assert "Thank you: your request stays open." in response.content.decode()
    assert RequestEvent.Kind.CONFIRMED in the_request(alpha).read_events
    assert client.get(f"/mijn-aanvragen/{request_in_alpha}/bevestigen/").status_code == 405


def test_the_parent_confirms_through_the_api(client_for, world, alpha, request_in_alpha):
    client = client_for("testregio.localhost", user="parent")
    path = f"/api/v1/my/requests/{request_in_alpha}/"
    before = client.get(path).json()
    assert before["confirm_by"] == the_request(alpha).confirmed_until.isoformat()

    response = client.post(path + "confirm/", content_type="application/json")

    assert response.status_code == 200
    today = timezone.localdate()
    assert response.json()["parts"][0]["confirmed_until"] == shift_months(today, 3).isoformat()
    other = client_for("testregio.localhost", user="other_parent")
    assert other.post(path + "confirm/").status_code == 404


def lapse(alpha, due_day) -> None:
    run(alpha, at(due_day - timedelta(days=14)))
    run(alpha, at(due_day + timedelta(days=15)))
    assert the_request(alpha).status == RequestStatus.LAPSED


def test_loket_staff_reopen_a_lapsed_request(world, alpha, request_in_alpha, due_day):
    lapse(alpha, due_day)
    reopened_at = at(due_day + timedelta(days=40))
    with tenant_context(alpha):
        request_reopen(
            request=ChildcareRequest.objects.get(),
            actor=world.users["staff_alpha"],
            now=reopened_at,
        )
    request = the_request(alpha)
    assert request.status == RequestStatus.OPEN
    assert request.read_choices == [ChoiceStatus.IN_REVIEW]
    assert request.read_events[-1] == RequestEvent.Kind.REOPENED
    assert request.confirmed_until == shift_months(reopened_at.date(), 3)
    entry = RegistryEntry.objects.get(loket=alpha, request_id=request.pk)
    assert (entry.status, entry.closed_at) == (RequestStatus.OPEN, None)
    # The parent sees it open again and can be reminded for the new date.
    with translation.override("en"):
        found = parent_request(user=world.users["parent"], submission=request_in_alpha)
        # Descriptions are lazy: read them while English is active.
        history = [str(line.description) for line in found.history]
    assert found.status == RequestStatus.OPEN
    assert "The loket reopened your request." in history


def test_only_a_lapsed_request_can_be_reopened(world, alpha, request_in_alpha):
    with tenant_context(alpha), pytest.raises(ValidationError):
        request_reopen(
            request=ChildcareRequest.objects.get(),
            actor=world.users["staff_alpha"],
            now=timezone.now(),
        )


def test_the_reopen_button_and_api_for_loket_staff(
    client_for, world, alpha, request_in_alpha, due_day
):
    reference = the_request(alpha).reference
    staff = client_for("alpha", user="staff_alpha")
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Reopen the request" not in staff.get(f"/beheer/aanvragen/{reference}/").content.decode()
    api = f"/api/v1/requests/{reference}/reopen/"
    assert staff.post(api).status_code == 400  # still open

    lapse(alpha, due_day)
    page = staff.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert "Reopen the request" in page
    assert client_for("alpha", user="parent").post(api).status_code == 403
    assert client_for("beta", user="staff_beta").post(api).status_code in (403, 404)

    response = staff.post(f"/beheer/aanvragen/{reference}/heropenen/", follow=True)
    assert response.status_code == 200
    assert "The request is open again." in response.content.decode()
    assert the_request(alpha).status == RequestStatus.OPEN


def test_reopening_through_the_api(client_for, alpha, request_in_alpha, due_day):
    lapse(alpha, due_day)
    reference = the_request(alpha).reference
    staff = client_for("alpha", user="staff_alpha")
    response = staff.post(f"/api/v1/requests/{reference}/reopen/")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "open"
    assert "reopened" in [event["kind"] for event in body["events"]]
    assert staff.post("/api/v1/requests/XXX-2026-99999/reopen/").status_code == 404
