"""Parents are reminded once before an open offer's answer date, in their language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.services import loket_jobs_run
from tenants.allocation.models import OfferNotice
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import make_location
from tests.support.requests import some_day
from tests.tenants.allocation.test_notices import at

pytestmark = pytest.mark.django_db

REMIND = "allocation.offer_reminders"


def run(loket, now, capture) -> None:
    with capture(execute=True):
        runs = loket_jobs_run(loket=loket, now=now, names=[REMIND], force=True)
    assert {r.status for r in runs} == {"succeeded"}, [r.error for r in runs]


@pytest.fixture
def offered(world, django_capture_on_commit_callbacks):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Bengeltjes")
    entries = register(location, name="Lotte", parent=world.users["parent"])
    answer_by = some_day(10)
    with django_capture_on_commit_callbacks(execute=True):
        made = offer(
            alpha,
            choice_of(entries, alpha, location),
            world.users["staff_alpha"],
            answer_by=answer_by,
        )
    mail.outbox.clear()
    return {"loket": alpha, "offer": made, "answer_by": answer_by, "entries": entries}


def test_two_days_before_the_answer_date_the_parent_is_reminded_once(
    offered, django_capture_on_commit_callbacks
):
    loket, answer_by = offered["loket"], offered["answer_by"]
    run(loket, at(answer_by - timedelta(days=3)), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # not yet
    run(loket, at(answer_by - timedelta(days=2)), django_capture_on_commit_callbacks)
    run(loket, at(answer_by - timedelta(days=2), 15), django_capture_on_commit_callbacks)
    run(loket, at(answer_by), django_capture_on_commit_callbacks)
    (reminder,) = mail.outbox
    assert reminder.to == ["sara@example.be"]
    assert "Bengeltjes" in reminder.subject and "Lotte" in reminder.subject
    assert "Je hebt nog niet geantwoord" in reminder.body
    with tenant_context(loket):
        submission = offered["offer"].choice.request.submission
    assert f"/mijn-aanvragen/{submission}/" in reminder.body
    with tenant_context(loket):
        kinds = OfferNotice.objects.filter(offer=offered["offer"]).values_list("kind", flat=True)
        assert "reminder_parent" in set(kinds)


def test_an_answered_offer_gets_no_reminder(world, offered, django_capture_on_commit_callbacks):
    accept(offered["loket"], offered["offer"], world.users["parent"])
    mail.outbox.clear()
    run(
        offered["loket"],
        at(offered["answer_by"] - timedelta(days=1)),
        django_capture_on_commit_callbacks,
    )
    assert mail.outbox == []


def test_an_offer_made_with_a_short_answer_time_is_not_reminded_the_same_day(
    world, django_capture_on_commit_callbacks
):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Snel")
    entries = register(location, name="Noor", parent=world.users["parent"], language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        offer(
            alpha,
            choice_of(entries, alpha, location),
            world.users["staff_alpha"],
            answer_by=some_day(2),
        )
    mail.outbox.clear()
    run(alpha, at(some_day(0), 23), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # the offer itself was mailed today
    # A day after the offer (not "tomorrow at 23:00": after 23:00 that is less than a day).
    run(alpha, timezone.now() + timedelta(days=1, minutes=1), django_capture_on_commit_callbacks)
    (reminder,) = mail.outbox
    assert "Vous n'avez pas encore répondu" in reminder.body  # the family's language
