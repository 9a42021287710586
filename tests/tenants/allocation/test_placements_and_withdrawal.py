"""After a place is accepted the location finds the child and the family's contact under
placements and upcoming starts (page and API, audited); a location withdraws an offer
itself, with a reason the parent reads in their language."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from tenants.allocation.models import Offer, Placement
from tenants.audit.models import AuditEvent
from tenants.requests.models import ChoiceStatus, RequestEvent
from tests.support.allocation import accept, choice_of, choice_status, hours_ago, offer, register
from tests.support.providers import api, grant_location, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="De Speelboom", email="kdv@speelboom.test")
    grant_location(alpha, location, world.users["provider_alpha"])
    first = register(
        location,
        name="Mila",
        child_last_name="Janssens",
        parent=world.users["parent"],
        registered_at=hours_ago(5),
        contact_phone="0499 11 22 33",
    )
    second = register(location, name="Noah", child_last_name="Claes", registered_at=hours_ago(2))
    return {
        "alpha": alpha,
        "location": location,
        "mila": choice_of(first, alpha, location),
        "noah": choice_of(second, alpha, location),
    }


def _placed(world, case, start=None):
    made = offer(
        case["alpha"],
        case["mila"],
        world.users["provider_alpha"],
        start_date=start or some_day(30),
        care_plan=["mon_am", "mon_pm", "fri_am"],
    )
    return accept(case["alpha"], made, world.users["parent"])


def test_an_accepted_place_shows_under_upcoming_starts_with_the_familys_contact(
    world, case, client_for
):
    placement = _placed(world, case)
    client = client_for("alpha", "provider_alpha")
    home = client.get("/beheer/").content.decode()
    assert "/beheer/plaatsingen/" in home
    overview = client.get("/beheer/plaatsingen/").content.decode()
    assert "De Speelboom" in overview
    page = client.get(f"/beheer/plaatsingen/{case['location'].pk}/")
    assert page.status_code == 200
    upcoming, _started = page.content.decode().split('id="started"')
    assert f'id="placement-{placement.pk}"' in upcoming
    for shown in ("Mila Janssens", "Sara Peeters", "sara@example.be", "0499 11 22 33"):
        assert shown in upcoming
    assert "maandag (hele dag), vrijdag (voormiddag)" in upcoming
    assert "Noah" not in page.content.decode()  # still waiting: not a placement
    # Who saw the family's contact details is in the audit trail.
    with tenant_context(case["alpha"]):
        viewed = AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEWED, reference=case["mila"].request.reference
        )
        assert viewed.filter(actor=world.users["provider_alpha"]).exists()


def test_the_placements_api_for_planning_software(world, case, client_for):
    placement = _placed(world, case)
    client = client_for("alpha", "provider_alpha")
    data = client.get(f"/api/v1/placements/{case['location'].pk}/").json()
    (row,) = data["results"]
    assert row["placement"] == placement.pk
    assert (row["child_first_name"], row["child_last_name"]) == ("Mila", "Janssens")
    assert row["contact_name"] == "Sara Peeters"
    assert row["contact_email"] == "sara@example.be"
    assert row["contact_phone"] == "0499 11 22 33"
    assert row["care_plan"] == ["mon_am", "mon_pm", "fri_am"]
    assert row["start_date"] == placement.start_date.isoformat() and row["is_upcoming"]
    upcoming = client.get(f"/api/v1/placements/{case['location'].pk}/", {"upcoming": "true"})
    assert upcoming.json()["count"] == 1
    refused = client.get(f"/api/v1/placements/{case['location'].pk}/", {"upcoming": "soon"})
    assert refused.status_code == 400 and "upcoming" in refused.json()


def test_the_acceptance_mail_links_to_the_placements_not_the_contact(
    world, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _placed(world, case)
    (to_location,) = [m for m in mail.outbox if m.to == ["kdv@speelboom.test"]]
    assert f"/beheer/plaatsingen/{case['location'].pk}/" in to_location.body
    assert "sara@example.be" not in to_location.body and "0499" not in to_location.body


def test_a_provider_withdraws_an_offer_with_a_reason_and_the_parent_is_told(
    world, case, client_for, django_capture_on_commit_callbacks
):
    made = offer(case["alpha"], case["mila"], world.users["provider_alpha"])
    entry = RegistryEntry.objects.get(reference=case["mila"].request.reference)
    assert entry.has_offer
    client = client_for("alpha", "provider_alpha")
    queue = client.get(f"/beheer/wachtlijst/{case['location'].pk}/").content.decode()
    url = f"/beheer/wachtlijst/{case['location'].pk}/{case['mila'].pk}/aanbod-intrekken/"
    assert url in queue
    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "id_reason_error" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"reason": "De groep sluit een maand door verbouwing."})
    assert done.status_code == 302

    with tenant_context(case["alpha"]):
        assert Offer.objects.get(pk=made.pk).status == Offer.Status.WITHDRAWN
        event = RequestEvent.objects.filter(
            request_id=case["mila"].request_id, kind=RequestEvent.Kind.OFFER_WITHDRAWN
        ).get()
    # The history says who, and the choice waits again in the same place of the order.
    assert event.actor == world.users["provider_alpha"]
    assert event.details["note"] == "De groep sluit een maand door verbouwing."
    assert choice_status(case["alpha"], case["mila"]) == ChoiceStatus.IN_REVIEW
    rows = client.get(f"/api/v1/queue/{case['location'].pk}/").json()["results"]
    assert [row["choice"] for row in rows] == [case["mila"].pk, case["noah"].pk]
    entry.refresh_from_db()
    assert not entry.has_offer and entry.status == "open"
    # The parent hears it in the family's language, with the reason.
    (message,) = mail.outbox
    assert message.to == ["sara@example.be"]
    assert "trekt het aanbod" in message.subject
    assert "De groep sluit een maand door verbouwing." in message.body
    # The parent's history names the location and the reason.
    page = client_for("alpha", "parent").get("/mijn-aanvragen/").content.decode()
    assert "De groep sluit een maand door verbouwing." in page
    # Once withdrawn, nothing is left to withdraw.
    assert client.post(url, {"reason": "nog eens"}).status_code == 404


def test_withdrawing_through_the_api_in_the_parents_language(
    world, case, client_for, django_capture_on_commit_callbacks
):
    with tenant_context(case["alpha"]):
        type(case["mila"].request).objects.filter(pk=case["mila"].request_id).update(language="fr")
    made = offer(case["alpha"], case["mila"], world.users["provider_alpha"])
    client = client_for("alpha", "provider_alpha")
    missing = api(client, "post", f"/api/v1/offers/{made.public_id}/withdraw/", {})
    assert missing.status_code == 400 and "reason" in missing.json()
    with django_capture_on_commit_callbacks(execute=True):
        done = api(
            client,
            "post",
            f"/api/v1/offers/{made.public_id}/withdraw/",
            {"reason": "Erreur de date."},
        )
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    (message,) = mail.outbox
    assert "retire son offre" in message.subject and "Erreur de date." in message.body
    again = api(client, "post", f"/api/v1/offers/{made.public_id}/withdraw/", {"reason": "x"})
    assert again.status_code == 400
    # An offer another answer already ended (accepted) cannot be withdrawn.
    made = offer(case["alpha"], case["mila"], world.users["provider_alpha"])
    accept(case["alpha"], made, world.users["parent"])
    late = api(client, "post", f"/api/v1/offers/{made.public_id}/withdraw/", {"reason": "te laat"})
    assert late.status_code == 400


def test_a_placement_that_ended_leaves_the_list_and_one_that_will_end_says_when(
    world, case, client_for
):
    placement = _placed(world, case)
    client = client_for("alpha", "provider_alpha")
    path = f"/api/v1/placements/{case['location'].pk}/"
    with tenant_context(case["alpha"]):
        Placement.objects.filter(pk=placement.pk).update(end_date=some_day(400))
    (row,) = client.get(path).json()["results"]
    assert row["end_date"] == some_day(400).isoformat()
    with tenant_context(case["alpha"]):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=some_day(-60), end_date=some_day(-1)
        )
    assert client.get(path).json()["count"] == 0
    page = client.get(f"/beheer/plaatsingen/{case['location'].pk}/").content.decode()
    assert "Mila" not in page


def test_the_location_sets_when_a_child_leaves_on_the_placements_page(world, case, client_for):
    placement = _placed(world, case, start=some_day(30))
    location = case["location"]
    client = client_for("alpha", "provider_alpha")
    page = client.get(f"/beheer/plaatsingen/{location.pk}/").content.decode()
    end_url = f"/beheer/plaatsingen/{location.pk}/{placement.pk}/einddatum/"
    assert f'href="{end_url}"' in page
    # Before the start: refused next to the field, what was typed kept.
    refused = client.post(end_url, {"end_date": some_day(10).isoformat()})
    assert refused.status_code == 400
    assert "De einddatum kan niet vóór de startdatum liggen." in refused.content.decode()
    assert some_day(10).isoformat() in refused.content.decode()
    assert client.post(end_url, {"end_date": some_day(400).isoformat()}).status_code == 302
    with tenant_context(case["alpha"]):
        assert Placement.objects.get(pk=placement.pk).end_date == some_day(400)
    # Emptied: not known again.
    assert client.post(end_url, {"end_date": ""}).status_code == 302
    with tenant_context(case["alpha"]):
        assert Placement.objects.get(pk=placement.pk).end_date is None
    # Another loket's staff and a provider without the location get nothing.
    assert client_for("alpha", "provider_beta").post(end_url, {"end_date": ""}).status_code in (
        403,
        404,
    )
    other = make_location(case["alpha"], name="Ander Huis")
    assert (
        client.get(f"/beheer/plaatsingen/{other.pk}/{placement.pk}/einddatum/").status_code == 404
    )
