"""The answer clock: the date by which a location should answer, overdue choices on the
dashboards, and one e-mail digest a day for the loket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.jobs.services import jobs_run
from tenants.allocation.models import OverdueDigest
from tests.support.allocation import choice_of, register
from tests.support.providers import grant_location, make_location
from tests.tenants.allocation.test_overdue import in_review_since

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(world):
    """In alpha (21 days): Eik waits 30 days at Herent (overdue), Fien 5 days at Tildonk."""
    alpha = world.lokets["alpha"]
    herent = make_location(alpha, name="Herent")
    tildonk = make_location(alpha, name="Tildonk")
    grant_location(alpha, tildonk, world.users["provider_alpha"])
    late = choice_of(register(herent, name="Eik"), alpha, herent)
    in_review_since(alpha, late, 30)
    fresh = choice_of(register(tildonk, name="Fien"), alpha, tildonk)
    in_review_since(alpha, fresh, 5)
    return {"alpha": alpha, "herent": herent, "tildonk": tildonk, "late": late, "fresh": fresh}


def _date(days_ago: int, days: int = 21) -> str:
    return (timezone.localdate() - timedelta(days=days_ago) + timedelta(days=days)).strftime(
        "%d/%m/%Y"
    )


def test_the_waiting_list_shows_by_when_the_location_answers(client_for, clock):
    html = (
        client_for("alpha", "provider_alpha")
        .get(f"/beheer/wachtlijst/{clock['tildonk'].pk}/")
        .content.decode()
    )
    due = timezone.localdate() + timedelta(days=16)
    assert "je antwoordt uiterlijk" in html
    assert f"{due.day} " in html and "te laat" not in html
    late = (
        client_for("alpha", "staff_alpha")
        .get(f"/beheer/wachtlijst/{clock['herent'].pk}/")
        .content.decode()
    )
    assert "te laat" in late


def test_the_request_page_shows_the_answer_date_of_each_choice(client_for, clock):
    with tenant_context(clock["alpha"]):
        reference = clock["late"].request.reference
    html = (
        client_for("alpha", "staff_alpha").get(f"/beheer/aanvragen/{reference}/").content.decode()
    )
    assert "Opvang antwoordt uiterlijk" in html
    assert _date(30) in html and "te laat" in html


def test_overdue_choices_reach_the_loket_and_the_providers_dashboards(client_for, world, clock):
    loket_home = client_for("alpha", "staff_alpha").get("/beheer/").content.decode()
    assert 'id="overdue"' in loket_home and "Herent" in loket_home
    # The provider sees only its own location, and Tildonk is not overdue.
    provider_home = client_for("alpha", "provider_alpha").get("/beheer/").content.decode()
    assert 'id="overdue"' not in provider_home
    grant_location(clock["alpha"], clock["herent"], world.users["provider_alpha"])
    provider_home = client_for("alpha", "provider_alpha").get("/beheer/").content.decode()
    assert 'id="overdue"' in provider_home and "Herent" in provider_home
    # Another loket's staff see nothing of alpha's.
    beta_home = client_for("beta", "staff_beta").get("/beheer/").content.decode()
    assert "Herent" not in beta_home


def test_the_loket_gets_one_overdue_digest_a_day(world, clock, django_capture_on_commit_callbacks):
    now = timezone.now()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        jobs_run(now=now, names=["allocation.overdue_digest"], slugs=["alpha"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alpha@loket.test"]
    assert "1 keuze wacht langer dan 21 dagen" in message.subject
    assert "Herent: 1" in message.body and "/beheer/wachtlijst/" in message.body
    assert "Eik" not in message.body  # references and locations only
    # Run again (forced, later the same day): nothing more.
    jobs_run(now=now + timedelta(minutes=5), names=["allocation.overdue_digest"], force=True)
    assert len(mail.outbox) == 1
    with tenant_context(clock["alpha"]):
        assert OverdueDigest.objects.count() == 1
    # The next day it comes again, once.
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "run_jobs",
            "--loket",
            "alpha",
            "--job",
            "allocation.overdue_digest",
            "--now",
            (now + timedelta(days=1)).isoformat(),
        )
    assert len(mail.outbox) == 2


def test_no_digest_while_nothing_is_overdue(world):
    mail.outbox.clear()
    jobs_run(now=timezone.now(), names=["allocation.overdue_digest"], slugs=["gamma"])
    assert mail.outbox == []
