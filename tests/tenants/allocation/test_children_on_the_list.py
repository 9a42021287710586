"""Providers see their children, not only references: first name, age at the start, care
plan and priority on the waiting list (page and API) and on the offer form, and nothing
more of the child or the family (least data)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.allocation import choice_of, hours_ago, register
from tests.support.providers import grant_location, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Het Nest")
    grant_location(alpha, location, world.users["provider_alpha"])
    start = some_day(60)
    entries = register(
        location,
        name="Mila",
        registered_at=hours_ago(3),
        child_last_name="Janssens",
        # 14 months and a few days old on the desired start.
        child_birth_date=start - timedelta(days=14 * 31),
        desired_start=start,
        care_plan=["mon_am", "mon_pm", "wed_am"],
        priorities=["sibling"],
        contact_phone="0499 11 22 33",
    )
    return {"alpha": alpha, "location": location, "choice": choice_of(entries, alpha, location)}


def test_the_waiting_list_shows_first_name_age_days_and_priority_not_the_family(
    client_for, waiting
):
    page = client_for("alpha", "provider_alpha").get(
        f"/beheer/wachtlijst/{waiting['location'].pk}/"
    )
    html = page.content.decode()
    # Each cell carries its column's name: on a phone the rows are cards (.stack-table).
    assert '<th scope="row" class="child-first-name" data-label="Kind">Mila</th>' in html
    assert (
        '<td class="age-at-start" data-label="Leeftijd bij de gewenste start">14 maanden</td>'
        in html
    )
    assert "maandag (hele dag), woensdag (voormiddag)" in html
    assert "1,5 dagen per week" in html
    assert "broer of zus" in html
    # Least data: no last name, date of birth, e-mail or phone of the family.
    for private in ("Janssens", "sara@example.be", "0499 11 22 33", "Sara Peeters"):
        assert private not in html


def test_the_offer_form_shows_the_child(client_for, waiting):
    location, choice = waiting["location"], waiting["choice"]
    page = client_for("alpha", "provider_alpha").get(
        f"/beheer/wachtlijst/{location.pk}/{choice.pk}/aanbod/"
    )
    html = page.content.decode()
    assert '<dd class="child-first-name">Mila</dd>' in html
    assert '<dd class="age-at-start">14 maanden</dd>' in html
    assert "maandag (hele dag), woensdag (voormiddag)" in html
    assert "absolute voorrang" in html
    assert "Janssens" not in html and "0499 11 22 33" not in html


def test_the_queue_api_gives_the_first_name_and_no_more(client_for, waiting):
    data = client_for("alpha", "provider_alpha").get(f"/api/v1/queue/{waiting['location'].pk}/")
    (row,) = data.json()["results"]
    assert row["child_first_name"] == "Mila"
    assert row["age_at_start"] == 14
    assert row["care_plan"] == ["mon_am", "mon_pm", "wed_am"]
    assert row["priorities"] == ["sibling"]
    assert "Janssens" not in data.content.decode()
    assert "child_last_name" not in row and "contact_email" not in row
