"""Each role's start page counts today's work, and each count links to a list showing it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.registry.models import PossibleDuplicate
from tenants.requests.models import RequestChoice
from tenants.signals.services import signal_record
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import grant_location, make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
REASON = "Het enige kind voor deze dagen"


def work(page: str) -> dict[str, tuple[int, str]]:
    """Each work item of a start page: key -> (count, link)."""
    return {
        key: (int(count), href.replace("&amp;", "&"))
        for key, href, count in re.findall(
            r'id="work-(\w+)"><a href="([^"]+)"><span class="work-count">(\d+)</span>', page
        )
    }


def in_review_since(loket, choice, days: int) -> None:
    with tenant_context(loket):
        RequestChoice.objects.filter(pk=choice.pk).update(
            status_changed_at=timezone.now() - timedelta(days=days)
        )


@pytest.fixture
def day(world):
    """Alpha's day: Herent (granted to provider_alpha) has one choice 30 days in review,
    one new this week, one offered and waiting for the parent, and one child who accepted
    a place starting in two months; Linde (not granted) one overdue and one new. Every
    request is new this week but Oud, registered ten days ago. One signal this week, one
    older."""
    alpha = world.lokets["alpha"]
    herent = make_location(alpha, name="Herent")
    linde = make_location(alpha, name="Linde")
    grant_location(alpha, herent, world.users["provider_alpha"])
    late = choice_of(register(herent, name="Anna"), alpha, herent)
    in_review_since(alpha, late, 30)
    register(herent, name="Bert")
    offered = choice_of(register(herent, name="Cas"), alpha, herent)
    offer(alpha, offered, world.users["staff_alpha"], passed_over_reason=REASON)
    placed = choice_of(register(herent, name="Dirk", parent=world.users["parent"]), alpha, herent)
    made = offer(alpha, placed, world.users["staff_alpha"], passed_over_reason=REASON)
    accept(alpha, made, world.users["parent"])
    other_late = choice_of(register(linde, name="Eva"), alpha, linde)
    in_review_since(alpha, other_late, 25)
    register(linde, name="Fien")
    register(linde, name="Oud", registered_at=timezone.now() - timedelta(days=10))
    with tenant_context(alpha):
        for days in (1, 12):
            signal = signal_record(
                location=herent,
                happened_on=timezone.localdate() - timedelta(days=days),
                what_happened="Te veel kinderen",
                what_was_done="Gebeld",
                recorded_by=world.users["staff_alpha"],
                now=timezone.now(),
            )
            signal.recorded_at = timezone.now() - timedelta(days=days)
            signal.save()
    return alpha


def test_loket_staff_see_each_count_of_their_day_with_its_list(client_for, day):
    client = client_for("alpha", user="staff_alpha")
    items = work(client.get("/beheer/").content.decode())
    since = (timezone.localdate() - timedelta(days=6)).isoformat()
    assert items == {
        "overdue": (2, "/beheer/wachtlijst/achterstand/"),
        "offers_waiting": (1, "/beheer/wachtlijst/"),
        "duplicates": (0, "/beheer/dubbels/?status=open"),
        "signals": (1, f"/beheer/signalen/?since={since}"),
        "new_requests": (6, f"/beheer/aanvragen/?registered_since={since}"),
    }
    overdue = client.get(items["overdue"][1]).content.decode()
    assert "Herent" in overdue and "Linde" in overdue
    signals = client.get(items["signals"][1]).content.decode()
    assert "1 signaal geregistreerd sinds" in signals
    requests = client.get(items["new_requests"][1]).content.decode()
    assert '<h2 id="results-heading" aria-live="polite">6 aanvragen</h2>' in requests
    assert "Oud" not in requests
    for _count, link in items.values():
        assert client.get(link).status_code == 200, link


def test_a_possible_duplicate_is_counted_for_loket_staff(client_for, world):
    alpha_place = make_location(world.lokets["alpha"], name="Appel")
    beta_place = make_location(world.lokets["beta"], name="Kers")
    submit(alpha_place, parent=world.users["parent"])
    submit(
        beta_place,
        parent=world.users["other_parent"],
        guardians=[{"name": "Jan Janssens", "email": "jan@example.be", "phone": "0499"}],
        contact_email="jan@example.be",
        street="Molenstraat 99",
    )
    assert PossibleDuplicate.objects.count() == 1
    client = client_for("alpha", user="staff_alpha")
    items = work(client.get("/beheer/").content.decode())
    assert items["duplicates"] == (1, "/beheer/dubbels/?status=open")
    assert 'href="/beheer/dubbels/' in client.get(items["duplicates"][1]).content.decode()


def test_provider_staff_see_only_their_locations_work(client_for, day):
    client = client_for("alpha", user="provider_alpha")
    items = work(client.get("/beheer/").content.decode())
    since = (timezone.localdate() - timedelta(days=6)).isoformat()
    assert items == {
        "overdue": (1, "/beheer/#overdue"),
        "new_choices": (1, f"/beheer/wachtlijst/?since={since}"),
        "offers_waiting": (1, "/beheer/wachtlijst/"),
        "upcoming_starts": (1, "/beheer/plaatsingen/"),
    }
    for _count, link in items.values():
        assert client.get(link).status_code == 200, link
    # The queue overview, from that day, counts the new choices per location: Herent's.
    queues = client.get(items["new_choices"][1]).content.decode()
    assert re.findall(r'<td class="new-choices">(\d+)</td>', queues) == ["1"]
    home = client.get("/beheer/").content.decode()
    late = re.search(r'<section aria-labelledby="overdue-heading".*?</section>', home, re.S)
    assert "Herent" in late.group(0) and "Linde" not in late.group(0)
    placements = client.get("/beheer/plaatsingen/").content.decode()
    assert "Herent" in placements and "Linde" not in placements


def test_provider_staff_without_locations_see_zeros(client_for, world):
    make_location(world.lokets["beta"], name="Niet van jou")
    items = work(client_for("beta", user="provider_beta").get("/beheer/").content.decode())
    assert {key: count for key, (count, _link) in items.items()} == {
        "overdue": 0,
        "new_choices": 0,
        "offers_waiting": 0,
        "upcoming_starts": 0,
    }


@pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])
def test_the_auditor_starts_from_the_lokets_to_audit(client_for):
    client = client_for("audit", user="auditor")
    items = work(client.get("/beheer/").content.decode())
    assert items == {"audit": (3, "/controle/")}
    assert client.get("/controle/").status_code == 200


def test_the_region_coordinator_starts_from_the_regions_figures(client_for, world):
    alpha_place = make_location(world.lokets["alpha"], name="Appel")
    beta_place = make_location(world.lokets["beta"], name="Kers")
    # One child in two lokets (waiting once), one in beta only, registered ten days ago.
    register(alpha_place, name="Anna", also=(beta_place,))
    register(beta_place, name="Bert", registered_at=timezone.now() - timedelta(days=10))
    client = client_for(PORTAL, user="coordinator")
    items = work(client.get("/").content.decode())
    today = timezone.localdate()
    week = f"start={today - timedelta(days=6)}&end={today + timedelta(days=1)}"
    assert items == {
        "waiting": (2, "/cijfers/"),
        "new_requests": (2, f"/cijfers/?{week}"),
    }
    figures = client.get(items["new_requests"][1]).content.decode()
    assert re.search(r"Aanvragen \(elke aanvraag bij een loket\)</th><td>2<", figures), figures
