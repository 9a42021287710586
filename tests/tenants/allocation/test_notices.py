"""E-mails about offers: once each, after the commit, in the reader's language."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.services import loket_jobs_run
from tenants.allocation.models import Offer, OfferNotice
from tenants.requests.models import ChoiceStatus
from tests.support.allocation import accept, choice_of, choice_status, offer, register
from tests.support.providers import grant_location, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db

EXPIRE = "allocation.offers_expire"


def at(day, hour: int = 9) -> datetime:
    """A moment on ``day`` on the loket's clock (Brussels)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def run_expiry(loket, now: datetime, capture) -> None:
    with capture(execute=True):
        runs = loket_jobs_run(loket=loket, now=now, names=[EXPIRE], force=True)
    assert {r.status for r in runs} == {"succeeded"}, [r.error for r in runs]


@pytest.fixture
def case(world):
    """Lotte asked a place at Herent (alpha, e-mail kdv@herent.test) and at Tienen (beta)."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    herent = make_location(alpha, name="Herent", email="kdv@herent.test")
    tienen = make_location(beta, name="Tienen", email="kdv@tienen.test", languages=["fr"])
    grant_location(alpha, herent, world.users["provider_alpha"])
    entries = register(herent, name="Lotte", parent=world.users["parent"], also=[tienen])
    return {
        "alpha": alpha,
        "beta": beta,
        "herent": herent,
        "tienen": tienen,
        "choice": choice_of(entries, alpha, herent),
        "tienen_choice": choice_of(entries, beta, tienen),
    }


def test_an_offer_is_mailed_to_the_parent_with_its_answer_date_and_link(
    world, case, django_capture_on_commit_callbacks
):
    answer_by = some_day(10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        offer(case["alpha"], case["choice"], world.users["provider_alpha"], answer_by=answer_by)
        assert mail.outbox == []  # not before the commit
    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == ["sara@example.be"]
    assert "Herent" in message.subject and "antwoord vóór" in message.subject
    with tenant_context(case["alpha"]):
        submission = case["choice"].request.submission
    assert f"/mijn-aanvragen/{submission}/" in message.body
    assert "alpha.localhost" in message.body
    assert str(answer_by.day) in message.body


def test_the_offer_mail_waits_for_the_commit(world, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        offer(case["alpha"], case["choice"], world.users["provider_alpha"])
    # The callback is only registered: it runs if and when the transaction commits.
    assert len(callbacks) == 1 and mail.outbox == []


def test_the_offer_mail_is_in_the_requests_language(world, django_capture_on_commit_callbacks):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Bengeltjes")
    entries = register(location, name="Louise", parent=world.users["parent"], language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        offer(alpha, choice_of(entries, alpha, location), world.users["staff_alpha"])
    assert "Une place pour Louise" in mail.outbox[0].subject
    assert "Mes demandes" in mail.outbox[0].body


def test_an_expired_offer_is_told_to_parent_and_location_once_even_when_the_job_runs_twice(
    world, case, django_capture_on_commit_callbacks
):
    answer_by = some_day(3)
    with django_capture_on_commit_callbacks(execute=True):
        made = offer(
            case["alpha"], case["choice"], world.users["provider_alpha"], answer_by=answer_by
        )
    mail.outbox.clear()

    run_expiry(case["alpha"], at(answer_by, 23), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # the answer date itself still counts

    later = at(answer_by + timedelta(days=1))
    run_expiry(case["alpha"], later, django_capture_on_commit_callbacks)
    run_expiry(case["alpha"], later, django_capture_on_commit_callbacks)
    run_expiry(case["alpha"], later + timedelta(hours=1), django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == [
        "kdv@herent.test",
        "sara@example.be",
    ]
    to_parent = next(m for m in mail.outbox if m.to == ["sara@example.be"])
    to_location = next(m for m in mail.outbox if m.to == ["kdv@herent.test"])
    assert "vervallen" in to_parent.subject
    assert "Aanbod vervallen" in to_location.subject
    assert f"/beheer/wachtlijst/{case['herent'].pk}/" in to_location.body
    assert choice_status(case["alpha"], case["choice"]) == ChoiceStatus.EXPIRED
    with tenant_context(case["alpha"]):
        assert Offer.objects.get(pk=made.pk).status == Offer.Status.EXPIRED
        assert set(OfferNotice.objects.filter(offer=made).values_list("kind", flat=True)) == {
            "offered_parent",
            "expired_parent",
            "expired_provider",
        }


def test_a_notice_already_recorded_is_not_sent_again(
    world, case, django_capture_on_commit_callbacks
):
    """Even if an offer were expired a second time, its notices exist: nothing goes out."""
    from tenants.allocation.notices import offer_expired_notify

    with django_capture_on_commit_callbacks(execute=True):
        made = offer(case["alpha"], case["choice"], world.users["provider_alpha"])
    with tenant_context(case["alpha"]), django_capture_on_commit_callbacks(execute=True):
        made = Offer.objects.select_related("choice__request", "choice__location").get(pk=made.pk)
        offer_expired_notify(offer=made, now=timezone.now())
        offer_expired_notify(offer=made, now=timezone.now())
    assert len(mail.outbox) == 3  # the offer, then one expiry notice to each


def test_accepting_tells_the_location_in_its_language_and_closing_elsewhere_tells_nobody(
    world, case, django_capture_on_commit_callbacks
):
    start = some_day(40)
    set_free_places(case["beta"], case["tienen"], start, "baby", 2)
    set_free_places(case["beta"], case["tienen"], start, "toddler", 2)
    with django_capture_on_commit_callbacks(execute=True):
        offer(case["alpha"], case["choice"], world.users["provider_alpha"])
        made = offer(
            case["beta"], case["tienen_choice"], world.users["staff_beta"], start_date=start
        )
    assert len(mail.outbox) == 2  # one offer each to the parent
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        accept(case["beta"], made, world.users["parent"])

    # Only Tienen hears (in French, its language); Herent's choice closed without a mail.
    (message,) = mail.outbox
    assert message.to == ["kdv@tienen.test"]
    assert "Place acceptée" in message.subject
    # The family's contact details are not in the mail: a link to the placements page is.
    assert "sara@example.be" not in message.body and "0470" not in message.body
    assert f"/beheer/plaatsingen/{case['tienen'].pk}/" in message.body
    assert choice_status(case["alpha"], case["choice"]) == ChoiceStatus.CLOSED_ELSEWHERE


def test_the_location_sees_offers_waiting_and_choices_that_ended(
    world, case, client_for, django_capture_on_commit_callbacks
):
    answer_by = some_day(2)
    with django_capture_on_commit_callbacks(execute=True):
        offer(case["alpha"], case["choice"], world.users["provider_alpha"], answer_by=answer_by)
    provider = client_for("alpha", "provider_alpha")
    page = provider.get(f"/beheer/wachtlijst/{case['herent'].pk}/").content.decode()
    assert 'id="offers-waiting"' in page

    run_expiry(case["alpha"], at(answer_by + timedelta(days=1)), django_capture_on_commit_callbacks)
    page = provider.get(f"/beheer/wachtlijst/{case['herent'].pk}/").content.decode()
    waiting, ended = page.split('id="endings"')
    assert 'id="offers-waiting"' not in waiting
    assert "choice-expired" in ended
    overview = provider.get("/beheer/wachtlijst/").content.decode()
    assert "<td>1</td>" in overview  # one expired offer lately


def test_mijn_aanvragen_counts_the_open_offers(
    world, case, client_for, django_capture_on_commit_callbacks
):
    parent = client_for("alpha", "parent")
    assert 'id="open-offers"' not in parent.get("/mijn-aanvragen/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        offer(case["alpha"], case["choice"], world.users["provider_alpha"])
    assert 'id="open-offers"' in parent.get("/mijn-aanvragen/").content.decode()
