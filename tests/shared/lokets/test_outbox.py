"""The outbox (``shared.lokets.outbox``): an e-mail decided in a committed transaction
leaves at least once, even when the process dies between the commit and the mail server;
two workers never send one row twice; a refused e-mail is tried again; sent rows go after
their retention."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.services import platform_jobs_run
from shared.lokets.branding import branding_for
from shared.lokets.emails import email_message
from shared.lokets.models import OutgoingEmail
from shared.lokets.outbox import outbox_add, outbox_send_due
from tenants.allocation.models import OfferNotice
from tests.support.allocation import choice_of, offer, register
from tests.support.providers import grant_location, make_location

JOB = "mail.outbox_send"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(BaseEmailBackend):
    """A mail server that takes its time, and remembers every e-mail it took."""

    taken: list[str] = []
    lock = threading.Lock()

    def send_messages(self, messages):
        for message in messages:
            time.sleep(0.05)
            with self.lock:
                SlowBackend.taken.append(message.subject)
        return len(messages)


REFUSING = f"{__name__}.RefusingBackend"
SLOW = f"{__name__}.SlowBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def run_job(now):
    (run,) = platform_jobs_run(now=now, names=[JOB], force=True)
    assert run.status == "succeeded", run.error
    return run.result


@pytest.fixture
def offered(world, django_capture_on_commit_callbacks):
    """Lotte asked a place at Herent (alpha); its confirmation has left."""
    alpha = world.lokets["alpha"]
    herent = make_location(alpha, name="Herent", email="kdv@herent.test")
    grant_location(alpha, herent, world.users["provider_alpha"])
    with django_capture_on_commit_callbacks(execute=True):
        entries = register(herent, name="Lotte", parent=world.users["parent"])
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    mail.outbox.clear()
    return alpha, choice_of(entries, alpha, herent)


@pytest.mark.django_db
def test_an_offer_whose_process_died_after_the_commit_is_sent_by_the_job_once(
    world, offered, django_capture_on_commit_callbacks
):
    alpha, choice = offered
    # The transaction commits, the process dies before its send after the commit runs.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = offer(alpha, choice, world.users["provider_alpha"])
    assert len(callbacks) == 1 and mail.outbox == []
    (row,) = OutgoingEmail.objects.filter(sent_at__isnull=True)
    assert row.to == ["sara@example.be"] and row.loket_id == alpha.pk and row.html

    # Within the grace the job leaves it to the web process.
    assert run_job(timezone.now())["sent"] == 0
    assert mail.outbox == []

    result = run_job(timezone.now() + timedelta(minutes=2))
    assert result["sent"] == 1 and result["failed"] == 0
    (message,) = mail.outbox
    assert message.to == ["sara@example.be"]
    assert "Herent" in message.subject
    assert message.subject == row.subject and message.body == row.text
    assert message.alternatives[0] == (row.html, "text/html")
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1

    # Another run, and the late callback of the dead process, send nothing again.
    assert run_job(timezone.now() + timedelta(minutes=5))["sent"] == 0
    callbacks[0]()
    assert len(mail.outbox) == 1
    with tenant_context(alpha):
        assert OfferNotice.objects.filter(offer=made).count() == 1


@pytest.mark.django_db
def test_the_send_after_the_commit_marks_the_row_sent(
    world, offered, django_capture_on_commit_callbacks
):
    alpha, choice = offered
    with django_capture_on_commit_callbacks(execute=True):
        offer(alpha, choice, world.users["provider_alpha"])
        assert mail.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    assert run_job(timezone.now() + timedelta(minutes=2))["sent"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_email_is_tried_again_with_a_longer_wait(
    world, offered, settings, django_capture_on_commit_callbacks
):
    alpha, choice = offered
    settings.EMAIL_BACKEND = REFUSING
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        offer(alpha, choice, world.users["provider_alpha"])  # the offer stands
    (row,) = OutgoingEmail.objects.filter(sent_at__isnull=True)
    assert row.attempts == 1 and "SMTPServerDisconnected" in row.last_error

    result = run_job(start + timedelta(minutes=2))
    assert result["failed"] == 1 and result["failing_by_loket"] == {str(alpha.pk): 1}
    row.refresh_from_db()
    assert row.attempts == 2
    # Waits twice as long as after the first attempt.
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=100)
    assert run_job(timezone.now() + timedelta(seconds=90)) == {
        "sent": 0,
        "failed": 0,
        "purged": 0,
        "failing_by_loket": {str(alpha.pk): 1},
    }

    settings.EMAIL_BACKEND = LOCMEM
    assert run_job(timezone.now() + timedelta(minutes=3))["sent"] == 1
    (message,) = mail.outbox
    assert message.to == ["sara@example.be"]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 3
    assert run_job(timezone.now() + timedelta(minutes=10))["sent"] == 0
    assert len(mail.outbox) == 1


def _row(subject: str, **fields) -> OutgoingEmail:
    now = timezone.now()
    values = {"to": ["a@example.be"], "subject": subject, "text": "Hallo", "html": "<p>Hallo</p>"}
    values.update({"created_at": now, "next_attempt_at": now, **fields})
    return OutgoingEmail.objects.create(**values)


@pytest.mark.django_db
def test_sent_rows_are_deleted_after_the_retention(world, settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    now = timezone.now()
    old = _row("old", created_at=now - timedelta(days=9), sent_at=now - timedelta(days=8))
    recent = _row("recent", created_at=now - timedelta(days=6), sent_at=now - timedelta(days=6))
    unsent = _row(
        "unsent", created_at=now - timedelta(days=9), next_attempt_at=now + timedelta(hours=1)
    )
    assert run_job(now)["purged"] == 1
    left = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert old.pk not in left and {recent.pk, unsent.pk} <= left
    settings.OUTBOX_RETENTION_DAYS = 5
    assert run_job(now)["purged"] == 1
    assert not OutgoingEmail.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_an_email_of_no_loket_leaves_as_it_was_made(world, django_capture_on_commit_callbacks):
    face = branding_for(loket=None)
    message = email_message(
        subject="Onderwerp",
        text="Hallo",
        to=["a@example.be"],
        face=face,
        language="nl",
        from_email="x@y.be",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outbox_add(message=message, loket=None)
    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to, sent.from_email) == (
        "Onderwerp",
        "Hallo",
        ["a@example.be"],
        "x@y.be",
    )
    assert sent.alternatives == message.alternatives
    row = OutgoingEmail.objects.get(subject="Onderwerp")
    assert row.sent_at is not None and row.loket_id is None


@pytest.mark.django_db
def test_an_email_with_more_than_the_outbox_keeps_is_refused(world):
    face = branding_for(loket=None)
    message = email_message(
        subject="Onderwerp",
        text="Hallo",
        to=["a@example.be"],
        face=face,
        language="nl",
        headers={"X-A": "1"},
    )
    with pytest.raises(ValueError):
        outbox_add(message=message, loket=None)
    assert not OutgoingEmail.objects.filter(subject="Onderwerp").exists()


@pytest.fixture
def committed_rows(django_db_setup, django_db_blocker):
    """Unsent rows committed for other connections to see; removed afterwards."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        past = timezone.now() - timedelta(minutes=5)
        rows = [
            _row(f"outbox-concurrency-{n}", created_at=past, next_attempt_at=past)
            for n in range(12)
        ]
        yield rows
        OutgoingEmail.objects.filter(pk__in=[row.pk for row in rows]).delete()


def test_two_workers_at_once_never_send_a_row_twice(committed_rows, settings):
    settings.EMAIL_BACKEND = SLOW
    SlowBackend.taken = []
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]
    mine = OutgoingEmail.objects.filter(pk__in=[row.pk for row in committed_rows])

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            # The job's own advisory lock is bypassed: two drains at once, like the web
            # process's send after the commit next to the job's.
            results[index] = outbox_send_due(now=timezone.now())
        except Exception as error:  # the outcome is what the test looks at
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(result, dict) for result in results), results

    subjects = [row.subject for row in committed_rows]
    taken = [subject for subject in SlowBackend.taken if subject in subjects]
    assert sorted(taken) == sorted(subjects)  # each exactly once
    # Both workers sent some: they ran side by side, skipping each other's rows.
    assert all(result["sent"] > 0 for result in results), results
    assert not mine.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_password_reset_asked_while_the_mail_server_is_down_leaves_later_once(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    """allauth's e-mails go through the outbox too: the mail server being down loses none."""
    settings.EMAIL_BACKEND = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("beta").post(
            "/account/password/reset/", {"email": "other_parent@test.test"}
        )
    assert response.status_code == 302
    (row,) = OutgoingEmail.objects.filter(to=["other_parent@test.test"])
    assert row.sent_at is None and row.attempts == 1 and row.html
    assert row.loket_id == world.lokets["beta"].pk

    settings.EMAIL_BACKEND = LOCMEM
    assert run_job(timezone.now() + timedelta(minutes=3))["sent"] == 1
    assert run_job(timezone.now() + timedelta(minutes=10))["sent"] == 0
    (message,) = mail.outbox
    assert message.to == ["other_parent@test.test"]
    assert "/account/password/reset/key/" in message.body
