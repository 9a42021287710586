"""An offer's care plan follows the same rule as a request's (``tenants.requests.rules``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.support.allocation import choice_of, offer, register
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db


@pytest.fixture
def lotte(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    entries = register(location, name="Lotte", parent=world.users["parent"])
    return alpha, choice_of(entries, alpha, location)


@pytest.mark.parametrize(
    ("plan", "message"),
    [([], "Choose at least one half-day."), (["sun_am"], "Unknown half-day in the care plan.")],
)
def test_an_offer_with_a_wrong_care_plan_is_refused(world, lotte, plan, message):
    alpha, choice = lotte
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        offer(alpha, choice, world.users["staff_alpha"], care_plan=plan)
    assert refused.value.message_dict == {"care_plan": [message]}


def test_an_offers_care_plan_is_kept_in_week_order_once_each(world, lotte):
    alpha, choice = lotte
    made = offer(
        alpha, choice, world.users["staff_alpha"], care_plan=["tue_pm", "mon_am", "mon_am"]
    )
    assert made.care_plan == ["mon_am", "tue_pm"]
