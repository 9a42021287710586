"""A place on offer ends when the parent withdraws the request or removes that location."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.allocation.models import Offer, Placement
from tenants.allocation.services import offer_accept, offer_make
from tenants.requests import changes
from tenants.requests.models import RequestChoice
from tests.support.providers import make_location
from tests.support.requests import some_day, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(world):
    """The parent's request at two locations of alpha; the first offers a place."""
    alpha = world.lokets["alpha"]
    first, second = make_location(alpha, name="Bengeltjes"), make_location(alpha, name="Speelvogel")
    entry = submit(first, second, parent=world.users["parent"])[0]
    with tenant_context(alpha):
        choice = RequestChoice.objects.get(request_id=entry.request_id, location=first)
        offer = offer_make(
            choice=choice,
            actor=world.users["staff_alpha"],
            start_date=some_day(60),
            care_plan=["mon_am", "mon_pm"],
            now=timezone.now(),
        )
    return {"entry": entry, "offer": offer, "choice": choice}


def test_withdrawing_the_request_withdraws_its_open_offer(world, offered):
    changes.request_withdraw(
        user=world.users["parent"], submission=offered["entry"].submission, now=timezone.now()
    )
    with tenant_context(world.lokets["alpha"]):
        offer = Offer.objects.get(pk=offered["offer"].pk)
        assert offer.status == Offer.Status.WITHDRAWN
        with pytest.raises(ValidationError):
            offer_accept(offer=offer, parent_or_staff=world.users["parent"], now=timezone.now())
        assert not Placement.objects.exists()


def test_removing_the_offered_location_withdraws_its_offer(world, offered):
    changes.request_remove_choice(
        user=world.users["parent"],
        submission=offered["entry"].submission,
        part=offered["entry"].pk,
        choice=offered["choice"].pk,
        now=timezone.now(),
    )
    with tenant_context(world.lokets["alpha"]):
        assert Offer.objects.get(pk=offered["offer"].pk).status == Offer.Status.WITHDRAWN
