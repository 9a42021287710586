"""Answering choices, offering places and placing children, across lokets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueAvailability
from shared.catalogue.vocabulary import first_of_month
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation import services
from tenants.allocation.models import Offer, Placement
from tenants.allocation.services import OfferRefused
from tenants.providers.models import Availability
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestEvent
from tests.support.allocation import (
    accept,
    choice_of,
    choice_status,
    hours_ago,
    offer,
    offer_status,
    register,
)
from tests.support.providers import grant_location, make_location, set_free_places
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def herent_and_tienen(world):
    """Lotte chose a location in alpha (Herent) and one in beta (Tienen)."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    herent = make_location(alpha, name="Herent")
    herent_too = make_location(alpha, name="Herent bis")
    tienen = make_location(beta, name="Tienen")
    grant_location(beta, tienen, world.users["provider_beta"])
    entries = register(
        herent, name="Lotte", parent=world.users["parent"], also=[herent_too, tienen]
    )
    return {
        "alpha": alpha,
        "beta": beta,
        "herent": choice_of(entries, alpha, herent),
        "herent_too": choice_of(entries, alpha, herent_too),
        "tienen": choice_of(entries, beta, tienen),
        "entries": entries,
    }


def test_accepting_an_offer_closes_choices_in_other_lokets(world, herent_and_tienen):
    case = herent_and_tienen
    herent_offer = offer(case["alpha"], case["herent"], world.users["staff_alpha"])
    made = offer(case["beta"], case["tienen"], world.users["provider_beta"])
    placement = accept(case["beta"], made, world.users["parent"])

    assert placement.location_id == case["tienen"].location_id
    assert choice_status(case["beta"], case["tienen"]) == ChoiceStatus.ACCEPTED
    assert choice_status(case["alpha"], case["herent"]) == ChoiceStatus.CLOSED_ELSEWHERE
    assert choice_status(case["alpha"], case["herent_too"]) == ChoiceStatus.CLOSED_ELSEWHERE
    assert offer_status(case["alpha"], herent_offer) == Offer.Status.WITHDRAWN
    entries = {
        entry.loket_id: entry
        for entry in RegistryEntry.objects.filter(pk__in=[entry.pk for entry in case["entries"]])
    }
    placed, closed = entries[case["beta"].pk], entries[case["alpha"].pk]
    assert placed.status == RequestStatus.PLACED and placed.placed_at and placed.has_offer
    assert closed.status == RequestStatus.CANCELLED and closed.closed_at and not closed.placed_at
    with tenant_context(case["alpha"]):
        request = ChildcareRequest.objects.get(pk=closed.request_id)
        assert request.status == RequestStatus.CANCELLED
        assert request.events.filter(kind=RequestEvent.Kind.CLOSED_ELSEWHERE).exists()
    with tenant_context(case["beta"]):
        assert ChildcareRequest.objects.get(pk=placed.request_id).status == RequestStatus.PLACED


def test_an_offer_for_a_child_placed_elsewhere_is_withdrawn_when_accepted(world, herent_and_tienen):
    case = herent_and_tienen
    herent_offer = offer(case["alpha"], case["herent"], world.users["staff_alpha"])
    # Another registration of the same child (same name and birth date) placed in beta.
    accept(
        case["beta"],
        offer(case["beta"], case["tienen"], world.users["staff_beta"]),
        world.users["parent"],
    )
    with pytest.raises(OfferRefused) as refused:
        accept(case["alpha"], herent_offer, world.users["parent"])
    assert refused.value.code == "not_open"
    assert refused.value.offer_withdrawn
    with tenant_context(case["alpha"]):
        assert not Placement.objects.filter(offer_id=herent_offer.pk).exists()


def test_another_parent_cannot_accept_or_decline(world, herent_and_tienen):
    case = herent_and_tienen
    made = offer(case["beta"], case["tienen"], world.users["provider_beta"])
    with pytest.raises(PermissionDenied):
        accept(case["beta"], made, world.users["other_parent"])
    with tenant_context(case["beta"]), pytest.raises(PermissionDenied):
        services.offer_decline(
            offer=made, reason="", actor=world.users["other_parent"], now=timezone.now()
        )
    assert offer_status(case["beta"], made) == Offer.Status.OPEN


def test_provider_staff_answer_only_granted_locations(world, herent_and_tienen):
    case = herent_and_tienen
    with pytest.raises(PermissionDenied):
        offer(case["alpha"], case["herent"], world.users["provider_alpha"])
    with tenant_context(case["alpha"]), pytest.raises(PermissionDenied):
        services.choice_answer_no_place(
            choice=case["herent"],
            actor=world.users["provider_beta"],
            now=timezone.now(),
            reason_code="other",
        )


def test_passing_over_a_child_ranked_higher_needs_a_reason(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    first = choice_of(
        register(location, name="Eerste", registered_at=hours_ago(5)), alpha, location
    )
    second = choice_of(
        register(location, name="Tweede", registered_at=hours_ago(2)), alpha, location
    )
    staff = world.users["staff_alpha"]
    with pytest.raises(ValidationError) as refused:
        offer(alpha, second, staff)
    assert "passed_over_reason" in refused.value.message_dict
    made = offer(alpha, second, staff, passed_over_reason="Broer of zus start dezelfde week")
    assert made.passed_over_count == 1
    # The first child in the queue never needs a reason.
    assert offer(alpha, first, staff).passed_over_count == 0


def test_a_child_who_wants_to_start_later_is_not_passed_over(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    register(location, name="Later", registered_at=hours_ago(5), desired_start=some_day(150))
    soon = choice_of(register(location, name="Nu", registered_at=hours_ago(2)), alpha, location)
    assert offer(alpha, soon, world.users["staff_alpha"]).passed_over_count == 0


def test_advised_offers_stay_within_ten_percent_of_licensed_places(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, licensed_capacity=18)
    choices = [
        choice_of(register(location, name=f"Advies{index}"), alpha, location) for index in range(2)
    ]
    staff = world.users["staff_alpha"]
    made = offer(alpha, choices[0], staff, advising_organisation="Huis van het Kind")
    assert made.advising_organisation == "Huis van het Kind"
    # 18 places: one advised place (10% is 1.8); a second would exceed it.
    with pytest.raises(ValidationError) as refused:
        offer(
            alpha,
            choices[1],
            staff,
            advising_organisation="OCMW",
            passed_over_reason="advies",
        )
    assert "advising_organisation" in refused.value.message_dict
    # Without advice the offer is an ordinary one.
    assert offer(alpha, choices[1], staff, passed_over_reason="zie dossier").pk


def test_an_offer_holds_the_last_free_place_and_both_parents_can_accept(world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    start = some_day(60)
    set_free_places(alpha, location, start, "baby", 1)
    first = choice_of(register(location, name="Een", parent=world.users["parent"]), alpha, location)
    second = choice_of(
        register(location, name="Twee", parent=world.users["other_parent"]), alpha, location
    )
    staff = world.users["staff_alpha"]

    def published() -> int:
        return CatalogueAvailability.objects.get(
            catalogue_location__location_id=location.pk,
            catalogue_location__loket=alpha,
            month=first_of_month(start),
        ).free_places

    offers = [offer(alpha, first, staff)]
    assert published() == 0  # the open offer holds the one free place
    with pytest.raises(ValidationError) as asked:
        offer(alpha, second, staff, passed_over_reason="-")
    assert "capacity_confirmed" in asked.value.message_dict
    offers.append(offer(alpha, second, staff, passed_over_reason="-", capacity_confirmed=True))
    assert offer_status(alpha, offers[1]) == Offer.Status.OPEN
    accept(alpha, offers[0], world.users["parent"])
    assert published() == 0
    # Beyond the free places, but the provider confirmed: the parent can accept.
    placement = accept(alpha, offers[1], world.users["other_parent"])
    assert placement.location_id == location.pk
    assert published() == 0
    with tenant_context(alpha):
        # The provider's count stays as it was said, with who and when.
        assert Availability.objects.get(location=location).free_places == 1


def test_declining_ends_the_choice_and_keeps_the_request_open(world, herent_and_tienen):
    case = herent_and_tienen
    made = offer(case["beta"], case["tienen"], world.users["provider_beta"])
    with tenant_context(case["beta"]):
        services.offer_decline(
            offer=made, reason="Te ver", actor=world.users["parent"], now=timezone.now()
        )
        declined = Offer.objects.get(pk=made.pk)
    assert declined.status == Offer.Status.DECLINED and declined.decline_reason == "Te ver"
    assert choice_status(case["beta"], case["tienen"]) == ChoiceStatus.DECLINED
    assert choice_status(case["alpha"], case["herent"]) == ChoiceStatus.IN_REVIEW
    entry = RegistryEntry.objects.get(loket=case["beta"], request_id=case["tienen"].request_id)
    assert entry.status == RequestStatus.OPEN and entry.has_offer


def test_no_place_and_other_date_answer_a_choice(world, herent_and_tienen):
    case = herent_and_tienen
    staff = world.users["staff_alpha"]
    with tenant_context(case["alpha"]):
        no_place = {"actor": staff, "now": timezone.now(), "reason_code": "no_capacity_days"}
        services.choice_answer_no_place(choice=case["herent"], **no_place)
        services.choice_propose_other_date(
            choice=case["herent_too"],
            proposed_start=some_day(120),
            actor=staff,
            now=timezone.now(),
            reason_code="start_date",
        )
        with pytest.raises(ValidationError):
            services.choice_answer_no_place(choice=case["herent"], **no_place)
        events = list(
            RequestEvent.objects.filter(request_id=case["herent"].request_id).values_list(
                "kind", flat=True
            )
        )
    assert choice_status(case["alpha"], case["herent"]) == ChoiceStatus.NO_PLACE
    assert choice_status(case["alpha"], case["herent_too"]) == ChoiceStatus.OTHER_DATE
    assert {RequestEvent.Kind.NO_PLACE, RequestEvent.Kind.OTHER_DATE} <= set(events)


def test_an_offer_can_be_made_after_another_start_date_was_proposed(world, herent_and_tienen):
    case = herent_and_tienen
    staff = world.users["staff_alpha"]
    with tenant_context(case["alpha"]):
        services.choice_propose_other_date(
            choice=case["herent"],
            proposed_start=some_day(90),
            actor=staff,
            now=timezone.now(),
            reason_code="start_date",
        )
    made = offer(case["alpha"], case["herent"], staff, start_date=some_day(90))
    assert made.status == Offer.Status.OPEN


def test_expiring_offers_is_idempotent(world, herent_and_tienen):
    case = herent_and_tienen
    staff = world.users["staff_alpha"]
    due = offer(case["alpha"], case["herent"], staff, answer_by=some_day(1))
    not_due = offer(case["alpha"], case["herent_too"], staff, answer_by=some_day(5))
    later = timezone.now() + timedelta(days=3)
    with tenant_context(case["alpha"]):
        assert [expired.pk for expired in services.offers_expire_due(now=later)] == [due.pk]
        assert services.offers_expire_due(now=later) == []
    assert offer_status(case["alpha"], due) == Offer.Status.EXPIRED
    assert offer_status(case["alpha"], not_due) == Offer.Status.OPEN
    assert choice_status(case["alpha"], case["herent"]) == ChoiceStatus.EXPIRED


def test_the_default_answer_date_is_the_lokets_setting(world, herent_and_tienen):
    case = herent_and_tienen
    made = offer(case["alpha"], case["herent"], world.users["staff_alpha"])
    assert made.answer_by == timezone.localdate() + timedelta(days=case["alpha"].offer_answer_days)
