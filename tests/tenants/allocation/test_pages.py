"""The queue pages of provider and loket staff, and parents answering on "Mijn aanvragen"."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import tenant_context

from shared.registry.models import RequestStatus
from tenants.allocation.models import Offer, Placement
from tenants.requests.models import ChoiceStatus
from tests.support.allocation import PLAN, choice_of, choice_status, hours_ago, offer, register
from tests.support.providers import grant_location, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="De Wachtlijst")
    grant_location(alpha, location, world.users["provider_alpha"])
    first = register(location, name="Eerste", registered_at=hours_ago(5), priorities=["sibling"])
    second = register(
        location, name="Tweede", registered_at=hours_ago(2), parent=world.users["parent"]
    )
    return {
        "alpha": alpha,
        "location": location,
        "first": choice_of(first, alpha, location),
        "second": choice_of(second, alpha, location),
    }


def url(queue, action: str = "", choice: str = "") -> str:
    base = f"/beheer/wachtlijst/{queue['location'].pk}/"
    return base + (f"{queue[choice].pk}/{action}/" if choice else "")


def test_provider_sees_the_queue_in_order_with_rank_and_priority(client_for, queue):
    client = client_for("alpha", "provider_alpha")
    overview = client.get("/beheer/wachtlijst/")
    assert overview.status_code == 200 and "De Wachtlijst" in overview.content.decode()
    page = client.get(url(queue)).content.decode()
    references = re.findall(r'<td class="reference"[^>]*>([A-Z]{3}-\d{4}-\d{5})</td>', page)
    assert references == [queue["first"].request.reference, queue["second"].request.reference]
    assert "absolute priority" in page or "absolute voorrang" in page


def test_passing_over_needs_a_reason_and_loket_staff_see_it(client_for, queue):
    provider = client_for("alpha", "provider_alpha")
    data = {"start_date": some_day(60).isoformat(), "care_plan": PLAN, "answer_by": ""}
    refused = provider.post(url(queue, "aanbod", "second"), data)
    assert refused.status_code == 400
    assert 'id="id_passed_over_reason_error"' in refused.content.decode()
    done = provider.post(
        url(queue, "aanbod", "second"),
        {**data, "passed_over_reason": "Zus start dezelfde week in de groep"},
    )
    assert done.status_code == 302
    assert choice_status(queue["alpha"], queue["second"]) == ChoiceStatus.OFFERED
    # Loket staff see the exception with its reason; provider staff do not get that list.
    page = client_for("alpha", "staff_alpha").get("/beheer/wachtlijst/uitzonderingen/")
    assert "Zus start dezelfde week in de groep" in page.content.decode()
    assert (
        client_for("alpha", "provider_alpha").get("/beheer/wachtlijst/uitzonderingen/").status_code
        == 403
    )


def test_no_place_and_other_date_from_the_queue(client_for, queue):
    client = client_for("alpha", "staff_alpha")
    answered = client.post(url(queue, "geen-plaats", "first"), {"reason_code": "age"})
    assert answered.status_code == 302
    response = client.post(
        url(queue, "andere-datum", "second"),
        {"proposed_start": some_day(120).isoformat(), "reason_code": "start_date"},
    )
    assert response.status_code == 302
    assert choice_status(queue["alpha"], queue["first"]) == ChoiceStatus.NO_PLACE
    assert choice_status(queue["alpha"], queue["second"]) == ChoiceStatus.OTHER_DATE


def test_queue_filters_by_start_month(client_for, queue):
    client = client_for("alpha", "provider_alpha")
    later = some_day(200)
    page = client.get(url(queue), {"start_month": f"{later:%Y-%m}"}).content.decode()
    assert queue["first"].request.reference not in page


def test_parent_sees_the_offer_and_accepts_it(client_for, world, queue):
    offer(queue["alpha"], queue["second"], world.users["staff_alpha"], passed_over_reason="x")
    client = client_for("testregio.localhost", "parent")
    page = client.get("/mijn-aanvragen/").content.decode()
    assert "De Wachtlijst" in page and '<section class="offer"' in page
    (public_id,) = re.findall(r"/mijn-aanvragen/aanbod/([0-9a-f-]{36})/aanvaarden/", page)
    # First a page that says what accepting closes; only its button accepts.
    confirm = client.get(f"/mijn-aanvragen/aanbod/{public_id}/aanvaarden/")
    assert confirm.status_code == 200
    assert "Wil je de plaats bij De Wachtlijst aanvaarden?" in confirm.content.decode()
    assert choice_status(queue["alpha"], queue["second"]) == ChoiceStatus.OFFERED
    response = client.post(f"/mijn-aanvragen/aanbod/{public_id}/aanvaarden/")
    assert response.status_code == 302
    with tenant_context(queue["alpha"]):
        placement = Placement.objects.get(choice=queue["second"])
        assert placement.choice.request.status == RequestStatus.PLACED
    assert '<section class="offer"' not in client.get("/mijn-aanvragen/").content.decode()


def test_the_confirmation_page_lists_the_familys_choices_that_close_in_every_loket(
    client_for, world
):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    offered = make_location(alpha, name="Kinderdagverblijf Offerte")
    second = make_location(alpha, name="Tweede Keus")
    there = make_location(beta, name="Crèche Elders")
    entries = register(offered, name="Lotte", parent=world.users["parent"], also=(second, there))
    # Another family registered a child of the same names: nothing of theirs is shown.
    register(there, name="Lotte", parent=world.users["other_parent"])
    grant_location(alpha, offered, world.users["provider_alpha"])
    made = offer(alpha, choice_of(entries, alpha, offered), world.users["provider_alpha"])
    client = client_for("testregio.localhost", "parent")
    client.cookies["django_language"] = "en"
    page = client.get(f"/mijn-aanvragen/aanbod/{made.public_id}/aanvaarden/").content.decode()
    closing = re.search(r'<ul class="closing-choices">(.*?)</ul>', page, re.S).group(1)
    assert "Tweede Keus (Loket Alpha)" in closing
    assert "Crèche Elders (Loket Beta)" in closing
    assert closing.count("<li>") == 2  # not the offered choice, not the other family's
    assert "Kinderdagverblijf Offerte" not in closing
    accept_url = f"/mijn-aanvragen/aanbod/{made.public_id}/aanvaarden/"
    assert client_for("alpha", "other_parent").get(accept_url).status_code == 404
    # Once answered, the page sends the parent back with a message.
    client.post(accept_url)
    assert client.get(accept_url).status_code == 302
    # What closed says why, in words a parent reads right; the provider made the offer.
    (listed,) = client.get("/api/v1/my/requests/").json()["results"]
    request_page = client.get(f"/mijn-aanvragen/{listed['submission']}/").content.decode()
    beta_part = request_page.split("<h3>Loket Beta</h3>")[1].split("</table>")[0]
    assert "Closed: place found elsewhere" in beta_part
    # Never "cancelled" for what the parent did not cancel (the CSS class aside).
    assert "ancel" not in re.sub(r'class="[^"]*"', "", request_page)
    history = request_page.split('class="my-request-history"')[1]
    offered_line = next(row for row in history.split("<tr") if "offer" in row.lower())
    assert "the location" in offered_line


def test_parent_declines_with_a_reason(client_for, world, queue):
    made = offer(
        queue["alpha"], queue["second"], world.users["staff_alpha"], passed_over_reason="x"
    )
    client = client_for("alpha", "parent")
    decline = f"/mijn-aanvragen/aanbod/{made.public_id}/weigeren/"
    assert client.get(decline).status_code == 200
    assert client.post(decline, {"reason": "We verhuizen"}).status_code == 302
    with tenant_context(queue["alpha"]):
        declined = Offer.objects.get(pk=made.pk)
    assert declined.status == Offer.Status.DECLINED and declined.decline_reason == "We verhuizen"


def test_another_parent_cannot_answer_the_offer(client_for, world, queue):
    made = offer(
        queue["alpha"], queue["second"], world.users["staff_alpha"], passed_over_reason="x"
    )
    client = client_for("alpha", "other_parent")
    assert client.post(f"/mijn-aanvragen/aanbod/{made.public_id}/aanvaarden/").status_code == 404
    assert client.post(f"/mijn-aanvragen/aanbod/{made.public_id}/weigeren/").status_code == 404
    assert client.post(f"/api/v1/my/offers/{made.public_id}/accept/").status_code == 404
    assert client.post(f"/api/v1/my/offers/{made.public_id}/decline/").status_code == 404
    with tenant_context(queue["alpha"]):
        assert Offer.objects.get(pk=made.pk).status == Offer.Status.OPEN


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "9999-12-31"])
def test_a_start_month_past_any_calendar_is_a_filter_error_on_page_and_api(
    client_for, queue, month
):
    client = client_for("alpha", "provider_alpha")
    page = client.get(url(queue), {"start_month": month}, HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code in (200, 400)
    assert "Kies een maand van 2000-01 tot 2099-12." in page.content.decode()
    api = client.get(f"/api/v1/queue/{queue['location'].pk}/", {"start_month": month})
    assert api.status_code == 400
    assert list(api.json()) == ["start_month"]
