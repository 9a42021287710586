"""Allocation rounds, through the pages, the API and the job: the loket plans a round, on
the decision date every child waiting for its start months gets at most one proposal
(stable by each location's legal order), locations confirm (an offer the parent answers)
or reject (the round runs again)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.vocabulary import first_of_month
from shared.jobs.services import jobs_run
from tenants.allocation.models import AllocationRound, Offer, RoundProposal
from tests.support.allocation import PLAN, choice_of, register
from tests.support.providers import api, grant_location, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


def _switch_on(client) -> None:
    response = client.post("/beheer/rondes/instelling/", {"on": "on"})
    assert response.status_code == 302, response.content


@pytest.fixture
def case(world):
    """Two locations with one free baby place each in the start month, and three children:

    - Anna, registered first, ranks Zonnebloem then Regenboog;
    - Cas, registered second, ranks Regenboog then Zonnebloem;
    - Bram, registered last but in a priority group (a sibling), ranks Zonnebloem first.

    The stable outcome: Bram at Zonnebloem (his priority beats Anna's earlier
    registration), Anna at Regenboog (registered before Cas), Cas without a place.
    Provider staff of alpha manage Regenboog only.
    """
    alpha = world.lokets["alpha"]
    start = some_day(100)
    zonnebloem = make_location(alpha, name="Zonnebloem")
    regenboog = make_location(alpha, name="Regenboog")
    grant_location(alpha, regenboog, world.users["provider_alpha"])
    for location in (zonnebloem, regenboog):
        set_free_places(alpha, location, start, "baby", 1)
    base = timezone.now() - timedelta(days=10)
    anna = register(
        zonnebloem, name="Anna", registered_at=base, desired_start=start, also=(regenboog,)
    )
    cas = register(
        regenboog,
        name="Cas",
        parent=world.users["parent"],
        registered_at=base + timedelta(hours=1),
        desired_start=start,
        also=(zonnebloem,),
    )
    bram = register(
        zonnebloem,
        name="Bram",
        registered_at=base + timedelta(hours=2),
        desired_start=start,
        priorities=["sibling"],
        also=(regenboog,),
    )
    return {
        "alpha": alpha,
        "start": start,
        "zonnebloem": zonnebloem,
        "regenboog": regenboog,
        "anna": anna,
        "cas": cas,
        "bram": bram,
    }


def _plan(client, case, decision_date) -> dict:
    month = f"{case['start']:%Y-%m}"
    made = api(
        client,
        "post",
        "/api/v1/rounds/",
        {
            "start_month_from": month,
            "start_month_to": month,
            "decision_date": decision_date.isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    return made.json()


def _proposals(case) -> dict[tuple[str, str], str]:
    """(child, location) -> status of every proposal."""
    with tenant_context(case["alpha"]):
        return {
            (p.choice.request.child_first_name, p.choice.location.name): p.status
            for p in RoundProposal.objects.select_related("choice__request", "choice__location")
        }


def _proposal_id(case, child: str) -> int:
    with tenant_context(case["alpha"]):
        return RoundProposal.objects.get(
            choice__request__child_first_name=child, status="proposed"
        ).pk


def _run_job(now) -> None:
    jobs_run(now=now, names=["allocation.rounds_run"], slugs=["alpha"], force=True)


def test_rounds_are_off_until_the_loket_switches_them_on(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    month = f"{case['start']:%Y-%m}"
    form = {
        "start_month_from": month,
        "start_month_to": month,
        "decision_date": some_day(1).isoformat(),
    }
    refused = staff.post("/beheer/rondes/", form)
    assert refused.status_code == 400
    assert "Toewijzingsrondes zijn uitgeschakeld voor dit loket." in refused.content.decode()
    _switch_on(staff)
    page = staff.post("/beheer/rondes/", form)
    assert page.status_code == 302
    assert "Toewijzingsrondes gebruiken" in staff.get("/beheer/rondes/").content.decode()
    # A round that starts before its decision date makes no sense: a clear message.
    late = api(
        staff,
        "post",
        "/api/v1/rounds/",
        {**form, "decision_date": (first_of_month(case["start"]) + timedelta(days=3)).isoformat()},
    )
    assert late.status_code == 400
    assert "decision_date" in late.content.decode()
    # Months that overlap a planned round, and values that are no dates: 400 per field.
    overlap = api(staff, "post", "/api/v1/rounds/", form)
    assert overlap.status_code == 400
    assert "Een andere ronde beslist al" in overlap.json()["start_month_from"][0]
    bad = api(
        staff,
        "post",
        "/api/v1/rounds/",
        {"start_month_from": ["2027-01"], "start_month_to": "2027-13", "decision_date": 3},
    )
    assert bad.status_code == 400
    assert {"start_month_from", "start_month_to", "decision_date"} <= set(bad.json())


def test_a_planned_round_decides_the_offers_of_its_months(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    planned = _plan(staff, case, some_day(1))
    choice = choice_of(case["bram"], case["alpha"], case["zonnebloem"])  # first in its queue
    offer = {"start_date": case["start"].isoformat(), "care_plan": PLAN}
    refused = api(staff, "post", f"/api/v1/choices/{choice.pk}/offers/", offer)
    assert refused.status_code == 400
    assert "toewijzingsronde" in refused.json()["start_date"][0]
    # Cancelled, the round no longer decides: the offer goes as usual.
    assert api(staff, "post", f"/api/v1/rounds/{planned['id']}/cancel/").status_code == 200
    made = api(staff, "post", f"/api/v1/choices/{choice.pk}/offers/", offer)
    assert made.status_code == 201, made.content


def test_the_job_runs_the_round_once_on_its_decision_date(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    planned = _plan(staff, case, some_day(1))
    now = timezone.now()
    _run_job(now)  # the day before: nothing yet
    assert _proposals(case) == {}
    _run_job(now + timedelta(days=1))
    expected = {("Bram", "Zonnebloem"): "proposed", ("Anna", "Regenboog"): "proposed"}
    assert _proposals(case) == expected
    _run_job(now + timedelta(days=1, minutes=5))  # again the same day: nothing new
    assert _proposals(case) == expected
    shown = api(staff, "get", f"/api/v1/rounds/{planned['id']}/").json()
    assert shown["status"] == "proposed"
    assert sorted((p["child_first_name"], p["choice_rank"]) for p in shown["proposals"]) == [
        ("Anna", 2),
        ("Bram", 1),
    ]
    page = staff.get(f"/beheer/rondes/{planned['id']}/").content.decode()
    assert "Bram" in page and "Anna" in page and "Cas" not in page


def test_a_rejection_frees_the_place_and_the_round_runs_again(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    _plan(staff, case, some_day(0))
    _run_job(timezone.now())
    with tenant_context(case["alpha"]):
        bram_before = RoundProposal.objects.get(choice__request__child_first_name="Bram").pk
    provider = client_for("alpha", "provider_alpha")
    url = f"/beheer/rondes/voorstellen/{_proposal_id(case, 'Anna')}/afwijzen/"
    shown = provider.get(url).content.decode()
    # What the location decides on: the child's first name, age, days and rank.
    assert 'class="child-first-name">Anna<' in shown
    assert "maandag (hele dag), dinsdag (hele dag), donderdag (hele dag)" in shown
    without_reason = provider.post(url, {"reason": ""})
    assert without_reason.status_code == 400
    assert "Zeg waarom je dit voorstel afwijst." in without_reason.content.decode()
    assert provider.post(url, {"reason": "Geen plaats op dinsdag"}).status_code == 302
    # Anna may not go to Regenboog now, and Bram keeps Zonnebloem by priority: Cas gets
    # Regenboog. Bram's proposal stays the one it was.
    assert _proposals(case) == {
        ("Bram", "Zonnebloem"): "proposed",
        ("Anna", "Regenboog"): "rejected",
        ("Cas", "Regenboog"): "proposed",
    }
    with tenant_context(case["alpha"]):
        assert RoundProposal.objects.get(pk=bram_before).status == "proposed"
        assert RoundProposal.objects.get(choice__request__child_first_name="Cas").run == 2
    listed = provider.get("/beheer/rondes/voorstellen/").content.decode()
    assert "Cas" in listed and "Geen plaats" not in listed


def test_confirming_offers_the_place_and_the_parent_answers_as_usual(client_for, world, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    planned = _plan(staff, case, some_day(0))
    _run_job(timezone.now())
    provider = client_for("alpha", "provider_alpha")
    rejected = api(
        provider,
        "post",
        f"/api/v1/rounds/proposals/{_proposal_id(case, 'Anna')}/reject/",
        {"reason": "Geen plaats op dinsdag"},
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    cas_id = _proposal_id(case, "Cas")
    confirmed = api(provider, "post", f"/api/v1/rounds/proposals/{cas_id}/confirm/", {})
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["status"] == "confirmed"
    assert body["offer"]["start_date"] == case["start"].isoformat()
    assert body["offer"]["status"] == "open"
    # The loket's answering time and the request's care plan.
    assert body["offer"]["answer_by"] == some_day(case["alpha"].offer_answer_days).isoformat()
    assert (
        api(provider, "post", f"/api/v1/rounds/proposals/{cas_id}/confirm/", {}).status_code == 400
    )

    parent = client_for("testregio.localhost", "parent")
    mine = parent.get("/api/v1/my/requests/").json()
    statuses = {
        choice["location_name"]: choice["status"]
        for request in mine["results"]
        for part in request["parts"]
        for choice in part["choices"]
    }
    assert statuses["Regenboog"] == "offered"
    accepted = parent.post(f"/api/v1/my/offers/{body['offer']['public_id']}/accept/")
    assert accepted.status_code == 200, accepted.content

    # Loket staff confirm Bram's place too: no proposal waits, the round closes.
    bram = _proposal_id(case, "Bram")
    assert staff.post(f"/beheer/rondes/voorstellen/{bram}/bevestigen/", {}).status_code == 302
    assert api(staff, "get", f"/api/v1/rounds/{planned['id']}/").json()["status"] == "closed"
    with tenant_context(case["alpha"]):
        assert Offer.objects.filter(round_proposal__isnull=False).count() == 2


def test_only_the_locations_own_staff_answer_a_proposal(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    planned = _plan(staff, case, some_day(0))
    _run_job(timezone.now())
    bram = _proposal_id(case, "Bram")  # at Zonnebloem, not granted to provider_alpha
    provider = client_for("alpha", "provider_alpha")
    assert api(provider, "post", f"/api/v1/rounds/proposals/{bram}/confirm/", {}).status_code == 404
    assert provider.get(f"/beheer/rondes/voorstellen/{bram}/bevestigen/").status_code == 404
    listed = api(provider, "get", "/api/v1/rounds/proposals/").json()
    assert [p["child_first_name"] for p in listed["results"]] == ["Anna"]
    assert "Bram" not in provider.get("/beheer/rondes/voorstellen/").content.decode()
    # Provider staff plan no rounds and see no round.
    assert api(provider, "get", "/api/v1/rounds/").status_code == 403
    assert provider.get(f"/beheer/rondes/{planned['id']}/").status_code in (403, 404)
    # Another loket's staff: nothing of alpha's round.
    other = client_for("beta", "provider_beta")
    assert api(other, "get", "/api/v1/rounds/proposals/").json()["count"] == 0
    assert api(other, "post", f"/api/v1/rounds/proposals/{bram}/confirm/", {}).status_code == 404
    other_staff = client_for("beta", "staff_beta")
    assert api(other_staff, "get", f"/api/v1/rounds/{planned['id']}/").status_code == 404
    assert client_for("alpha", "staff_beta").get("/beheer/rondes/").status_code in (403, 404)
    with tenant_context(case["alpha"]):
        assert AllocationRound.objects.get(pk=planned["id"]).status == "proposed"


def test_a_child_proposed_for_an_earlier_month_holds_the_place_in_the_later_ones(client_for, world):
    """One free place in each of two months is the same place: a child starting in the
    first month keeps it in the second, so the round proposes it once."""
    alpha = world.lokets["alpha"]
    first = first_of_month(some_day(100))
    second = first_of_month(first + timedelta(days=40))
    location = make_location(alpha, name="Eenplaats")
    for month in (first, second):
        set_free_places(alpha, location, month, "baby", 1)
    register(location, name="Vroeg", desired_start=first + timedelta(days=4))
    register(location, name="Later", desired_start=second + timedelta(days=4))
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    made = api(
        staff,
        "post",
        "/api/v1/rounds/",
        {
            "start_month_from": f"{first:%Y-%m}",
            "start_month_to": f"{second:%Y-%m}",
            "decision_date": some_day(0).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    _run_job(timezone.now())
    shown = api(staff, "get", f"/api/v1/rounds/{made.json()['id']}/").json()
    assert [p["child_first_name"] for p in shown["proposals"]] == ["Vroeg"]


def test_loket_staff_close_a_round_its_locations_leave_unanswered(client_for, case):
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    planned = _plan(staff, case, some_day(0))
    _run_job(timezone.now())
    anna = _proposal_id(case, "Anna")
    closed = staff.post(f"/beheer/rondes/{planned['id']}/afsluiten/")
    assert closed.status_code == 302
    assert _proposals(case) == {
        ("Bram", "Zonnebloem"): "unanswered",
        ("Anna", "Regenboog"): "unanswered",
    }
    provider = client_for("alpha", "provider_alpha")
    late = api(provider, "post", f"/api/v1/rounds/proposals/{anna}/reject/", {"reason": "Vol"})
    assert late.status_code == 400
    assert "Deze ronde is afgesloten" in late.content.decode()
    # Offers for its months are made as usual again.
    choice = choice_of(case["bram"], case["alpha"], case["zonnebloem"])
    offer = {"start_date": case["start"].isoformat(), "care_plan": PLAN}
    made = api(staff, "post", f"/api/v1/choices/{choice.pk}/offers/", offer)
    assert made.status_code == 201, made.content
    again = api(staff, "post", f"/api/v1/rounds/{planned['id']}/close/")
    assert again.status_code == 400


def test_the_parent_reads_that_the_start_month_is_answered_in_a_round(client_for, case):
    """Cas's parent: on 'Mijn aanvragen' and in the API, the round's day and what it means."""
    parent = client_for("testregio.localhost", "parent")
    parent.cookies["django_language"] = "en"
    (listed,) = parent.get("/api/v1/my/requests/").json()["results"]
    assert listed["parts"][0]["round_decision_date"] is None
    staff = client_for("alpha", "staff_alpha")
    _switch_on(staff)
    _plan(staff, case, some_day(5))
    (listed,) = parent.get("/api/v1/my/requests/").json()["results"]
    assert listed["parts"][0]["round_decision_date"] == some_day(5).isoformat()
    page = parent.get(f"/mijn-aanvragen/{listed['submission']}/").content.decode()
    assert "answers every request for this start month at once" in page
    assert "registering earlier gives no advantage beyond the priority rules" in page
