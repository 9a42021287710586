"""A location that stops: its choices and offers end, placed children get their request
back, families are told and shown alternatives; loket staff see who was affected."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import first_of_month
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation.closing import location_close
from tenants.allocation.models import Offer
from tenants.allocation.selectors import location_queue
from tenants.providers import services as provider_services
from tenants.providers.models import Location
from tenants.requests.confirmation import request_reopen
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice, RequestEvent
from tests.support.allocation import accept, choice_of, choice_status, hours_ago, offer, register
from tests.support.providers import api, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing(world):
    """De Sluiting in alpha: Ada waits, Bo has an offer, Cas has a place there.

    Cas also chose Herent bis (alpha) and Tienen (beta): both closed when Cas was placed.
    Dirk registered after Cas and waits at Herent bis.
    """
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    location = make_location(alpha, name="De Sluiting")
    herent_bis = make_location(alpha, name="Herent bis")
    tienen = make_location(beta, name="Tienen")
    ada = register(location, name="Ada", registered_at=hours_ago(50))
    bo = register(location, name="Bo", registered_at=hours_ago(40), language="fr")
    cas = register(
        location,
        name="Cas",
        registered_at=hours_ago(30),
        parent=world.users["parent"],
        also=[herent_bis, tienen],
    )
    dirk = register(herent_bis, name="Dirk", registered_at=hours_ago(20))
    staff = world.users["staff_alpha"]
    cas_choice = choice_of(cas, alpha, location)
    accept(alpha, offer(alpha, cas_choice, staff, passed_over_reason="test"), world.users["parent"])
    bo_offer = offer(alpha, choice_of(bo, alpha, location), staff, passed_over_reason="test")
    return {
        "alpha": alpha,
        "beta": beta,
        "location": location,
        "herent_bis": herent_bis,
        "tienen": tienen,
        "ada": choice_of(ada, alpha, location),
        "bo": choice_of(bo, alpha, location),
        "bo_offer": bo_offer,
        "cas": cas_choice,
        "cas_entries": cas,
        "cas_herent_bis": choice_of(cas, alpha, herent_bis),
        "cas_tienen": choice_of(cas, beta, tienen),
        "dirk": choice_of(dirk, alpha, herent_bis),
    }


def close(case, world, closes_on=None, user="staff_alpha"):
    with tenant_context(case["alpha"]):
        return location_close(
            location=case["location"],
            closes_on=closes_on or some_day(30),
            reason="The provider stops",
            actor=world.users[user],
            now=timezone.now(),
        )


def test_closing_unpublishes_at_once_and_ends_open_choices_and_offers(world, closing):
    assert CatalogueLocation.objects.filter(
        loket=closing["alpha"], location_id=closing["location"].pk
    ).exists()
    affected = close(closing, world)
    assert {line.reference for line in affected} == {
        closing[name].request.reference for name in ("ada", "bo", "cas")
    }
    alpha = closing["alpha"]
    with tenant_context(alpha):
        location = Location.objects.get(pk=closing["location"].pk)
        assert location.closes_on == some_day(30) and not location.is_published
        assert Offer.objects.get(pk=closing["bo_offer"].pk).status == Offer.Status.WITHDRAWN
        event = RequestEvent.objects.get(
            request_id=closing["bo"].request_id, kind=RequestEvent.Kind.LOCATION_CLOSED
        )
        assert event.details["offer_withdrawn"] and event.details["location"] == "De Sluiting"
    assert choice_status(alpha, closing["ada"]) == ChoiceStatus.LOCATION_CLOSED
    assert choice_status(alpha, closing["bo"]) == ChoiceStatus.LOCATION_CLOSED
    assert not CatalogueLocation.objects.filter(
        loket=alpha, location_id=closing["location"].pk
    ).exists()


def test_a_placed_child_gets_the_request_back_with_its_registration_time(world, closing):
    alpha, beta = closing["alpha"], closing["beta"]
    registered_at = closing["cas"].request.registered_at
    assert choice_status(alpha, closing["cas_herent_bis"]) == ChoiceStatus.CLOSED_ELSEWHERE
    (cas,) = [line for line in close(closing, world) if line.was_placed]
    assert set(cas.reopened_locations) == {"Herent bis", "Tienen"}
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(pk=closing["cas"].request_id)
        assert request.status == RequestStatus.OPEN
        assert request.registered_at == registered_at
        assert request.desired_start >= some_day(30)
        # Cas registered before Dirk, so Cas is first again at Herent bis.
        queue = list(location_queue(location=closing["herent_bis"]))
        assert [choice.pk for choice in queue] == [
            closing["cas_herent_bis"].pk,
            closing["dirk"].pk,
        ]
    assert choice_status(alpha, closing["cas"]) == ChoiceStatus.LOCATION_CLOSED
    assert choice_status(beta, closing["cas_tienen"]) == ChoiceStatus.IN_REVIEW
    with tenant_context(beta):
        other = ChildcareRequest.objects.get(pk=closing["cas_tienen"].request_id)
        assert other.status == RequestStatus.OPEN
    statuses = set(
        RegistryEntry.objects.filter(
            pk__in=[entry.pk for entry in closing["cas_entries"]]
        ).values_list("status", flat=True)
    )
    assert statuses == {RequestStatus.OPEN}


def test_each_family_is_told_by_email_in_its_language_after_the_commit(
    world, closing, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        close(closing, world)
    assert len(mailoutbox) == 3
    subjects = {mail.subject for mail in mailoutbox}
    bo_reference = closing["bo"].request.reference
    assert f"De Sluiting ferme : votre demande {bo_reference}" in subjects
    assert any("De Sluiting sluit" in subject for subject in subjects)
    assert all("/mijn-aanvragen/" in mail.body for mail in mailoutbox)


def test_only_loket_staff_close_and_only_once(world, closing):
    with pytest.raises(PermissionDenied):
        close(closing, world, user="provider_alpha")
    close(closing, world, closes_on=some_day(-1))
    with pytest.raises(ValidationError):
        close(closing, world)


def test_a_closing_location_cannot_be_published_again(world, closing):
    close(closing, world)
    with tenant_context(closing["alpha"]), pytest.raises(ValidationError):
        provider_services.location_update(
            location=Location.objects.get(pk=closing["location"].pk), is_published=True
        )


def test_the_parent_sees_nearby_alternatives_with_free_places(client_for, world, closing):
    alpha = closing["alpha"]
    month = first_of_month(closing["cas"].request.desired_start)
    nearby = make_location(alpha, name="Om De Hoek")
    full = make_location(alpha, name="Volzet")
    set_free_places(alpha, nearby, month, "baby", 2)
    set_free_places(alpha, full, month, "baby", 0)
    set_free_places(alpha, closing["location"], month, "baby", 4)
    school = make_location(alpha, name="Naschools", kind="out_of_school", age_min_months=30)
    set_free_places(alpha, school, month, "baby", 1)
    close(closing, world, closes_on=some_day(0))
    submission = closing["cas_entries"][0].submission
    page = client_for("alpha", "parent").get(f"/mijn-aanvragen/{submission}/").content.decode()
    assert "Om De Hoek" in page
    assert "Volzet" not in page and "Naschools" not in page
    assert 'id="alternatives-heading"' in page


def test_staff_close_on_the_page_and_see_who_was_affected(client_for, world, closing):
    client = client_for("alpha", "staff_alpha")
    url = f"/beheer/opvang/locaties/{closing['location'].pk}/sluiten/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"closes_on": some_day(14).isoformat(), "reason": "Stopt"})
    assert response.status_code == 302
    summary = client.get(url).content.decode()
    for name in ("ada", "bo", "cas"):
        assert closing[name].request.reference in summary
    detail = client.get(f"/beheer/opvang/locaties/{closing['location'].pk}/").content.decode()
    assert url in detail


def test_provider_staff_and_other_lokets_cannot_close(client_for, world, closing):
    url = f"/beheer/opvang/locaties/{closing['location'].pk}/sluiten/"
    data = {"closes_on": some_day(14).isoformat()}
    assert client_for("alpha", "provider_alpha").post(url, data).status_code == 403
    assert client_for("alpha", "staff_beta").post(url, data).status_code == 403
    api_url = f"/api/v1/providers/locations/{closing['location'].pk}/close/"
    assert api(client_for("alpha", "staff_beta"), "post", api_url, data).status_code == 403
    with tenant_context(closing["alpha"]):
        assert Location.objects.get(pk=closing["location"].pk).closes_on is None


def test_api_closes_and_reports_the_affected_requests(client_for, world, closing):
    client = client_for("alpha", "staff_alpha")
    url = f"/api/v1/providers/locations/{closing['location'].pk}/close/"
    response = api(client, "post", url, {"closes_on": some_day(7).isoformat(), "reason": "x"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["closes_on"] == some_day(7).isoformat()
    placed = [line for line in body["affected"] if line["was_placed"]]
    assert [line["reference"] for line in placed] == [closing["cas"].request.reference]
    assert api(client, "post", url, {"closes_on": some_day(7).isoformat()}).status_code == 400
    assert api(client, "get", url).json()["affected"] == body["affected"]


def test_a_lapsed_choice_at_a_closed_location_stays_closed_when_reopened(world, closing):
    alpha = closing["alpha"]
    with tenant_context(alpha):
        ChildcareRequest.objects.filter(pk=closing["ada"].request_id).update(
            status=RequestStatus.LAPSED
        )
        RequestChoice.objects.filter(pk=closing["ada"].pk).update(status=ChoiceStatus.LAPSED)
    affected = close(closing, world)
    assert closing["ada"].request.reference not in {line.reference for line in affected}
    with tenant_context(alpha):
        request_reopen(
            request=ChildcareRequest.objects.get(pk=closing["ada"].request_id),
            actor=world.users["staff_alpha"],
            now=timezone.now(),
        )
    assert choice_status(alpha, closing["ada"]) == ChoiceStatus.LAPSED
