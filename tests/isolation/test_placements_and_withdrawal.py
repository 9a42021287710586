"""The family's contact details under placements, and withdrawing an offer, stay inside
their walls: only staff of the location's own loket and provider staff granted that
location; provider staff of another location or another loket see and do nothing."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.allocation.models import Offer
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import api, grant_location, make_location, make_location_unknown_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world):
    """Mila is placed at Herent (alpha); Noor has an open offer there; Lien waits in beta."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    herent = make_location(alpha, name="Herent Kapoentjes")
    mine = make_location(alpha, name="Van een andere aanbieder")
    tienen = make_location_unknown_to(beta, alpha, name="Tienen Zonnestraal")
    grant_location(alpha, mine, world.users["provider_alpha"])
    grant_location(beta, tienen, world.users["provider_beta"])
    mila = choice_of(register(herent, name="Mila", parent=world.users["parent"]), alpha, herent)
    noor = choice_of(register(herent, name="Noor"), alpha, herent)
    made = offer(alpha, mila, world.users["staff_alpha"])
    placement = accept(alpha, made, world.users["parent"])
    open_offer = offer(alpha, noor, world.users["staff_alpha"], passed_over_reason="")
    return {
        "alpha": alpha,
        "beta": beta,
        "herent": herent,
        "tienen": tienen,
        "placement": placement,
        "noor": noor,
        "open_offer": open_offer,
    }


def _pages(location_id: int) -> list[str]:
    return [f"/beheer/plaatsingen/{location_id}/", f"/api/v1/placements/{location_id}/"]


def test_loket_staff_of_the_locations_loket_see_the_placement(client_for, placed):
    client = client_for("alpha", "staff_alpha")
    for path in _pages(placed["herent"].pk):
        response = client.get(path)
        assert response.status_code == 200 and "Mila" in response.content.decode()


def test_provider_staff_of_another_location_see_nothing(client_for, placed):
    client = client_for("alpha", "provider_alpha")
    overview = client.get("/beheer/plaatsingen/").content.decode()
    assert "Herent Kapoentjes" not in overview
    for path in _pages(placed["herent"].pk):
        response = client.get(path)
        assert response.status_code == 404 and "Mila" not in response.content.decode()


def test_staff_of_another_loket_see_nothing(client_for, placed):
    for user in ("provider_beta", "staff_beta"):
        on_alpha = client_for("alpha", user)
        assert on_alpha.get("/beheer/plaatsingen/").status_code == 403
        for path in _pages(placed["herent"].pk):
            assert on_alpha.get(path).status_code == 403
        # On their own host, alpha's location id means nothing (or their own location).
        on_beta = client_for("beta", user)
        for path in _pages(placed["herent"].pk):
            assert "Mila" not in on_beta.get(path).content.decode()
    assert client_for("alpha", "parent").get("/beheer/plaatsingen/").status_code == 403
    assert client_for("audit", "auditor").get("/beheer/plaatsingen/").status_code == 404


def test_only_the_locations_own_staff_withdraw_its_offer(client_for, placed):
    made, noor, herent = placed["open_offer"], placed["noor"], placed["herent"]
    page = f"/beheer/wachtlijst/{herent.pk}/{noor.pk}/aanbod-intrekken/"
    endpoint = f"/api/v1/offers/{made.public_id}/withdraw/"
    reason = {"reason": "Ik probeer het"}
    other_location = client_for("alpha", "provider_alpha")
    assert other_location.post(page, reason).status_code == 404
    assert api(other_location, "post", endpoint, reason).status_code == 404
    for user in ("provider_beta", "staff_beta"):
        on_alpha = client_for("alpha", user)
        assert on_alpha.post(page, reason).status_code == 403
        assert api(on_alpha, "post", endpoint, reason).status_code == 403
        assert api(client_for("beta", user), "post", endpoint, reason).status_code == 404
    assert api(client_for("alpha", "parent"), "post", endpoint, reason).status_code == 403
    with tenant_context(placed["alpha"]):
        assert Offer.objects.get(pk=made.pk).status == Offer.Status.OPEN
    # The location's own loket staff may.
    done = api(client_for("alpha", "staff_alpha"), "post", endpoint, reason)
    assert done.status_code == 200
