"""Queues, offers and answers stay inside their walls: loket, granted locations, own child.

A provider in beta (Tienen) offers a place, the parent accepts, and the same child's open
choice in alpha (Herent) shows "place found elsewhere" at once. Provider staff never see
or act on another loket's queue or a location not granted to them; another parent never
answers an offer for someone else's child.
"""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from tenants.allocation.models import Offer
from tenants.requests.models import ChoiceStatus
from tests.support.allocation import PLAN, choice_of, choice_status, register
from tests.support.providers import grant_location, make_location, make_location_unknown_to
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def lotte(world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    herent = make_location(alpha, name="Herent Kapoentjes")
    tienen = make_location_unknown_to(beta, alpha, name="Tienen Zonnestraal")
    grant_location(beta, tienen, world.users["provider_beta"])
    grant_location(alpha, herent, world.users["provider_alpha"])
    entries = register(herent, name="Lotte", parent=world.users["parent"], also=[tienen])
    return {
        "alpha": alpha,
        "beta": beta,
        "herent": herent,
        "tienen": tienen,
        "herent_choice": choice_of(entries, alpha, herent),
        "tienen_choice": choice_of(entries, beta, tienen),
    }


def offer_url(location, choice) -> str:
    return f"/beheer/wachtlijst/{location.pk}/{choice.pk}/aanbod/"


def test_provider_in_beta_offers_parent_accepts_and_alpha_shows_place_found_elsewhere(
    client_for, lotte
):
    provider = client_for("beta", "provider_beta")
    response = provider.post(
        offer_url(lotte["tienen"], lotte["tienen_choice"]),
        {"start_date": some_day(60).isoformat(), "care_plan": PLAN},
    )
    assert response.status_code == 302
    parent = client_for("alpha", "parent")
    page = parent.get("/mijn-aanvragen/").content.decode()
    (public_id,) = re.findall(r"/mijn-aanvragen/aanbod/([0-9a-f-]{36})/aanvaarden/", page)
    assert parent.post(f"/mijn-aanvragen/aanbod/{public_id}/aanvaarden/").status_code == 302

    assert choice_status(lotte["alpha"], lotte["herent_choice"]) == ChoiceStatus.CLOSED_ELSEWHERE
    page = parent.get("/mijn-aanvragen/").content.decode()
    assert "choice-closed_elsewhere" in page and "choice-accepted" in page
    # Alpha's provider no longer sees Lotte waiting.
    queue = client_for("alpha", "provider_alpha").get(f"/beheer/wachtlijst/{lotte['herent'].pk}/")
    waiting, ended = queue.content.decode().split('id="endings"')
    assert lotte["herent_choice"].request.reference not in waiting
    # It shows among the choices that ended lately, as "place found elsewhere".
    assert lotte["herent_choice"].request.reference in ended
    assert "choice-closed_elsewhere" in ended


def test_provider_staff_of_alpha_cannot_see_or_act_on_betas_queue(client_for, lotte):
    tienen, choice = lotte["tienen"], lotte["tienen_choice"]
    on_beta = client_for("beta", "provider_alpha")
    assert on_beta.get("/beheer/wachtlijst/").status_code == 403
    assert on_beta.get(f"/beheer/wachtlijst/{tienen.pk}/").status_code == 403
    assert on_beta.post(offer_url(tienen, choice), {}).status_code == 403
    assert on_beta.get(f"/api/v1/queue/{tienen.pk}/").status_code == 403
    # On alpha's own host, beta's ids mean nothing.
    on_alpha = client_for("alpha", "provider_alpha")
    assert on_alpha.get(f"/beheer/wachtlijst/{tienen.pk}/").status_code == 404
    assert on_alpha.post(offer_url(tienen, choice), {}).status_code == 404
    assert on_alpha.get(f"/api/v1/queue/{tienen.pk}/").status_code == 404
    assert choice_status(lotte["beta"], choice) == ChoiceStatus.IN_REVIEW


def test_provider_staff_cannot_reach_a_location_not_granted_to_them(client_for, world, lotte):
    alpha = lotte["alpha"]
    other = make_location(alpha, name="Niet van mij")
    entries = register(other, name="Noor")
    choice = choice_of(entries, alpha, other)
    client = client_for("alpha", "provider_alpha")
    overview = client.get("/beheer/wachtlijst/").content.decode()
    assert "Herent Kapoentjes" in overview and "Niet van mij" not in overview
    assert client.get(f"/beheer/wachtlijst/{other.pk}/").status_code == 404
    data = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    assert client.post(offer_url(other, choice), data).status_code == 404
    assert client.post(f"/beheer/wachtlijst/{other.pk}/{choice.pk}/geen-plaats/").status_code == 404
    # A choice of a non-granted location through a granted location's URL: 404 too.
    assert client.post(offer_url(lotte["herent"], choice), data).status_code == 404
    assert client.post(f"/api/v1/choices/{choice.pk}/no-place/").status_code == 404
    assert choice_status(alpha, choice) == ChoiceStatus.IN_REVIEW


def test_the_auditor_loket_has_no_queues(client_for):
    assert client_for("audit", "auditor").get("/beheer/wachtlijst/").status_code == 404


def test_parent_b_cannot_accept_parent_as_offer_from_any_host(client_for, lotte, world):
    provider = client_for("beta", "provider_beta")
    provider.post(
        offer_url(lotte["tienen"], lotte["tienen_choice"]),
        {"start_date": some_day(60).isoformat(), "care_plan": PLAN},
    )
    with tenant_context(lotte["beta"]):
        made = Offer.objects.get(choice=lotte["tienen_choice"])
    for host in ("alpha", "beta", "testregio.localhost"):
        other = client_for(host, "other_parent")
        assert other.post(f"/mijn-aanvragen/aanbod/{made.public_id}/aanvaarden/").status_code == 404
        assert other.post(f"/api/v1/my/offers/{made.public_id}/accept/").status_code == 404
    with tenant_context(lotte["beta"]):
        assert Offer.objects.get(pk=made.pk).status == Offer.Status.OPEN
