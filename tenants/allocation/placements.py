"""Placements and upcoming starts of a location: the children who accepted a place, with
the family's contact details, for the location's own staff (and the loket's).

This is where a provider finds the family once a place is accepted: the acceptance
e-mail carries a link here instead of the contact details (``notices``). Reading it is
recorded in the loket's audit trail, one event per request shown, as any view of a
family's data is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from shared.accounts.models import User
from shared.catalogue.vocabulary import care_plan_days, day_parts_in_order
from tenants.allocation.models import Placement
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.providers.models import Location
from tenants.providers.occupancy import current_placements
from tenants.requests.models import ChoiceStatus


@dataclass(frozen=True)
class PlacementLine:
    """One child placed at a location, as its staff need it for the contract and the start."""

    placement: Placement
    reference: str
    child_first_name: str
    child_last_name: str
    start_date: date
    end_date: date | None  # the last day of care, when known
    care_plan: list[str]  # half-day codes offered, Monday morning first
    care_plan_days: list[tuple[str, str]]
    contact_name: str
    contact_email: str
    contact_phone: str
    is_upcoming: bool  # starts after ``today``


def location_placements(*, location: Location, today: date) -> list[PlacementLine]:
    """Every current placement of ``location`` (accepted, not ended before ``today``: the
    one rule of ``current_placements``), upcoming starts first (soonest first), then those
    that started (latest start first). One query."""
    placements = (
        current_placements(location=location, on=today)
        .select_related("choice__request", "offer")
        .order_by("start_date", "id")
    )
    lines = [_line(placement, today) for placement in placements]
    upcoming = [line for line in lines if line.is_upcoming]
    started = sorted(
        (line for line in lines if not line.is_upcoming),
        key=lambda line: (line.start_date, line.placement.pk),
        reverse=True,
    )
    return upcoming + started


def _line(placement: Placement, today: date) -> PlacementLine:
    request = placement.choice.request
    guardians = [guardian for guardian in request.guardians or [] if isinstance(guardian, dict)]
    first = guardians[0] if guardians else {}
    plan = list(placement.offer.care_plan)
    return PlacementLine(
        placement=placement,
        reference=request.reference,
        child_first_name=request.child_first_name,
        child_last_name=request.child_last_name,
        start_date=placement.start_date,
        end_date=placement.end_date,
        care_plan=day_parts_in_order(plan),
        care_plan_days=care_plan_days(plan),
        contact_name=str(first.get("name") or ""),
        contact_email=request.contact_email or str(first.get("email") or ""),
        contact_phone=request.contact_phone or str(first.get("phone") or ""),
        is_upcoming=placement.start_date > today,
    )


def locations_with_placement_counts(
    locations: QuerySet[Location], *, today: date
) -> QuerySet[Location]:
    """``locations`` with ``placement_count`` and ``upcoming_count`` (current placements)."""
    standing = Q(placements__choice__status=ChoiceStatus.ACCEPTED) & (
        Q(placements__end_date__isnull=True) | Q(placements__end_date__gte=today)
    )
    return locations.annotate(
        placement_count=Count("placements", filter=standing, distinct=True),
        upcoming_count=Count(
            "placements", filter=standing & Q(placements__start_date__gt=today), distinct=True
        ),
    )


def placements_viewed_record(*, actor: User, lines: list[PlacementLine]) -> None:
    """The audit trail records who saw which family's contact details."""
    for line in lines:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VIEWED,
            object_type=AuditEvent.ObjectType.REQUEST,
            object_id=line.placement.choice.request_id,
            reference=line.reference,
            details={"placement": line.placement.pk, "location": line.placement.location_id},
        )
