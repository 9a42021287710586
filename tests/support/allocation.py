"""Building queues, offers and placements in tests, through the allocation services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry
from tenants.allocation import services
from tenants.allocation.models import Offer
from tenants.requests.models import ChildcareRequest, RequestChoice
from tests.support.requests import some_day, submit

PLAN = ["mon_am", "mon_pm", "tue_am", "tue_pm"]


def register(location, *, name: str, parent=None, registered_at: datetime | None = None, **data):
    """A request of child ``name`` for ``location`` (and any ``also`` locations elsewhere).

    ``registered_at`` moves the registration time afterwards (the rules check today's).
    Returns the registry entries, one per loket.
    """
    also = data.pop("also", ())
    entries = submit(location, *also, parent=parent, child_first_name=name, **data)
    if registered_at is not None:
        for entry in entries:
            with tenant_context(entry.loket):
                ChildcareRequest.objects.filter(pk=entry.request_id).update(
                    registered_at=registered_at
                )
            RegistryEntry.objects.filter(pk=entry.pk).update(registered_at=registered_at)
    return entries


def choice_of(entries, loket: Loket, location) -> RequestChoice:
    entry = next(entry for entry in entries if entry.loket_id == loket.pk)
    with tenant_context(loket):
        return RequestChoice.objects.select_related("request", "location").get(
            request_id=entry.request_id, location_id=location.pk
        )


def offer(loket: Loket, choice: RequestChoice, actor, **fields) -> Offer:
    values = {
        "start_date": choice.request.desired_start,
        "care_plan": PLAN,
        "now": timezone.now(),
        "passed_over_reason": "",
    }
    values.update(fields)
    with tenant_context(loket):
        return services.offer_make(choice=choice, actor=actor, **values)


def accept(loket: Loket, made: Offer, user, now: datetime | None = None):
    with tenant_context(loket):
        return services.offer_accept(offer=made, parent_or_staff=user, now=now or timezone.now())


def choice_status(loket: Loket, choice: RequestChoice) -> str:
    with tenant_context(loket):
        return RequestChoice.objects.get(pk=choice.pk).status


def offer_status(loket: Loket, made: Offer) -> str:
    with tenant_context(loket):
        return Offer.objects.get(pk=made.pk).status


def hours_ago(hours: int) -> datetime:
    return timezone.now() - timedelta(hours=hours)


__all__ = ["PLAN", "some_day"]


def round_with_proposal(loket: Loket, location, staff):
    """A proposing allocation round of ``loket`` with one waiting proposal at ``location``
    (rounds switched on, a child registered, free places counted, the round run)."""
    from shared.catalogue.vocabulary import first_of_month
    from tenants.allocation import rounds
    from tests.support.providers import set_free_places

    entries = register(location, name="Ronde")
    choice = choice_of(entries, loket, location)
    month = first_of_month(choice.request.desired_start)
    set_free_places(loket, location, month, "baby", 5)
    now = timezone.now()
    with tenant_context(loket):
        rounds.rounds_switch(loket=loket, on=True, actor=staff)
        planned = rounds.round_create(
            start_month_from=month,
            start_month_to=month,
            decision_date=timezone.localdate(now),
            actor=staff,
            now=now,
        )
        rounds.rounds_run_due(now=now)
        proposal = planned.proposals.get(choice=choice)
    return planned, proposal
