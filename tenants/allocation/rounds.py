"""Allocation rounds: every request for a start period answered at once (a loket setting).

The loket sets a round (start months and a decision date; ``Loket.uses_allocation_rounds``
switches rounds on, off by default). While a round is planned or its proposals wait,
offers for its start months come only from the round (``check_offer_outside_round``,
called by ``services.offer_make``), so that registering first gives no advantage beyond
the legal order.

On the decision date the job ``allocation.rounds_run`` runs the round:

- the candidates are the open requests of this loket that want to start in the range,
  with their choices in review, best first by the parent's rank;
- a place is (location, start month, age group at the start) with the free places the
  location publishes for that month and age group as its capacity (a month whose free
  places are not known has no place in the round);
- each location takes children in its legal order (``selectors.place_orders``, the order
  of ``location_queue``), and ``matching.deferred_acceptance`` proposes at most one
  place per child, stable by that order.

The start months run one after the other, earliest first: a child proposed for an
earlier month holds that location's place in the later months too (as its offer will), so
a later month's capacity loses one per child proposed at that location before.

Each location answers its proposals (``proposal_confirm``: an offer through
``services.offer_make``, which the parent answers as usual; ``proposal_reject`` with a
reason). A rejection frees the place, and the round runs again for the children without a
confirmed proposal, without the rejected pairs; proposals that change are ``replaced``.
The round closes once no proposal waits, or when loket staff close it
(``round_close``: the proposals still waiting stay unanswered).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.accounts.permissions import Access, check_object_access, has_access
from shared.catalogue.vocabulary import add_months, age_groups_at, first_of_month, month_errors
from shared.lokets.models import Loket
from shared.lokets.selectors import current_loket
from shared.registry.models import RequestStatus
from tenants.allocation.matching import Candidate, deferred_acceptance
from tenants.allocation.models import AllocationRound, Offer, RoundProposal
from tenants.allocation.selectors import place_orders
from tenants.providers.occupancy import MonthOccupancy, month_occupancy
from tenants.providers.selectors import LOCATION_MANAGERS, locations_manageable_by
from tenants.requests.models import ChoiceStatus, RequestChoice

# The rounds that decide the offers of their start months.
LIVE_STATUSES = (AllocationRound.Status.PLANNED, AllocationRound.Status.PROPOSED)
MAX_ROUND_MONTHS = 12
REASON_MAX_LENGTH = 1000


def _month_label(month: date) -> str:
    return f"{month:%m/%Y}"


# --- The setting and the rounds ----------------------------------------------------------


def _check_loket_staff(*, actor: User, loket: Loket) -> None:
    if not has_access(Access.PROVIDERS_LOKET_STAFF, user=actor, loket=loket):
        raise PermissionDenied


def live_rounds() -> list[AllocationRound]:
    """The planned or proposing rounds of the current loket, the first to decide first."""
    return list(
        AllocationRound.objects.filter(status__in=LIVE_STATUSES).order_by("decision_date", "id")
    )


def round_holding(rounds: list[AllocationRound], *, start_date: date) -> AllocationRound | None:
    """Of ``rounds`` (``live_rounds``), the first whose start months hold ``start_date``."""
    month = first_of_month(start_date)
    return next((r for r in rounds if r.start_month_from <= month <= r.start_month_to), None)


def live_round_for(*, start_date: date) -> AllocationRound | None:
    """The planned or proposing round whose start months hold ``start_date``, if any."""
    return round_holding(live_rounds(), start_date=start_date)


def check_offer_outside_round(*, start_date: date) -> None:
    """An offer for a start month of a live round is refused: the round decides it."""
    found = live_round_for(start_date=start_date)
    if found is None:
        return
    raise ValidationError(
        {
            "start_date": [
                _(
                    "Start months %(first)s to %(last)s are decided by the allocation round of "
                    "%(decision)s: places for them are offered through the round's proposals."
                )
                % {
                    "first": _month_label(found.start_month_from),
                    "last": _month_label(found.start_month_to),
                    "decision": f"{found.decision_date:%d/%m/%Y}",
                }
            ]
        },
        code="decided_by_round",
    )


@transaction.atomic
def rounds_switch(*, loket: Loket, on: bool, actor: User) -> Loket:
    """Switch allocation rounds on or off for the loket (loket staff only).

    Off only while no round is planned or waiting for its locations.
    """
    _check_loket_staff(actor=actor, loket=loket)
    if not on and AllocationRound.objects.filter(status__in=LIVE_STATUSES).exists():
        raise ValidationError(
            _("A round is planned or waits for its locations: cancel or finish it first."),
            code="round_live",
        )
    Loket.objects.filter(pk=loket.pk).update(uses_allocation_rounds=on)
    loket.uses_allocation_rounds = on
    return loket


@transaction.atomic
def round_create(
    *,
    start_month_from: date,
    start_month_to: date,
    decision_date: date,
    actor: User,
    now: datetime,
) -> AllocationRound:
    """Plan a round for the start months ``start_month_from``..``start_month_to``.

    The decision date lies between today and the first start month (before it); the
    range spans at most 12 months and does not overlap another planned or proposing round.
    """
    loket = current_loket()
    _check_loket_staff(actor=actor, loket=loket)
    if not loket.uses_allocation_rounds:
        raise ValidationError(
            _("Allocation rounds are switched off for this loket."), code="rounds_off"
        )
    first, last = first_of_month(start_month_from), first_of_month(start_month_to)
    errors: dict[str, list[str]] = defaultdict(list)
    for field, month in (("start_month_from", first), ("start_month_to", last)):
        errors[field].extend(month_errors(month))
    today = timezone.localdate(now)
    if not errors["start_month_from"] and not errors["start_month_to"]:
        if last < first:
            errors["start_month_to"].append(_("The last start month comes before the first."))
        elif add_months(first, MAX_ROUND_MONTHS) <= last:
            errors["start_month_to"].append(
                _("A round spans at most %(months)s start months.") % {"months": MAX_ROUND_MONTHS}
            )
    if decision_date < today:
        errors["decision_date"].append(_("The decision date cannot be in the past."))
    elif not errors["start_month_from"] and decision_date >= first:
        errors["decision_date"].append(_("The decision date comes before the first start month."))
    if not any(errors.values()):
        # One round at a time per month: the table is locked for the check.
        list(AllocationRound.objects.select_for_update().filter(status__in=LIVE_STATUSES))
        overlapping = AllocationRound.objects.filter(
            status__in=LIVE_STATUSES, start_month_from__lte=last, start_month_to__gte=first
        ).first()
        if overlapping is not None:
            errors["start_month_from"].append(
                _("Another round already decides start months %(first)s to %(last)s.")
                % {
                    "first": _month_label(overlapping.start_month_from),
                    "last": _month_label(overlapping.start_month_to),
                }
            )
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    return AllocationRound.objects.create(
        start_month_from=first,
        start_month_to=last,
        decision_date=decision_date,
        created_by=actor,
        created_at=now,
    )


@transaction.atomic
def round_cancel(
    *, allocation_round: AllocationRound, actor: User, now: datetime
) -> AllocationRound:
    """Cancel a planned round (loket staff): offers for its months are made as usual again."""
    _check_loket_staff(actor=actor, loket=current_loket())
    locked = AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)
    if locked.status != AllocationRound.Status.PLANNED:
        raise ValidationError(
            _("Only a planned round can be cancelled (this one: %(status)s).")
            % {"status": locked.get_status_display()},
            code="not_planned",
        )
    locked.status = AllocationRound.Status.CANCELLED
    locked.cancelled_by = actor
    locked.cancelled_at = now
    locked.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    return locked


@transaction.atomic
def round_close(
    *, allocation_round: AllocationRound, actor: User, now: datetime
) -> AllocationRound:
    """Close a round whose proposals still wait (loket staff): those stay unanswered, and
    offers for its start months are made as usual again."""
    _check_loket_staff(actor=actor, loket=current_loket())
    locked = AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)
    if locked.status != AllocationRound.Status.PROPOSED:
        raise ValidationError(
            _("Only a round with proposals can be closed (this one: %(status)s).")
            % {"status": locked.get_status_display()},
            code="not_proposed",
        )
    RoundProposal.objects.filter(round=locked, status=RoundProposal.Status.PROPOSED).update(
        status=RoundProposal.Status.UNANSWERED
    )
    locked.status = AllocationRound.Status.CLOSED
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at"])
    return locked


# --- Running a round ---------------------------------------------------------------------


def _round_choices(allocation_round: AllocationRound) -> list[RequestChoice]:
    """The choices in review of open requests that want to start in the round's months,
    of children without a confirmed proposal, without the pairs their location rejected."""
    settled = RoundProposal.objects.filter(
        round=allocation_round, status=RoundProposal.Status.CONFIRMED
    ).values("choice__request_id")
    rejected = RoundProposal.objects.filter(
        round=allocation_round, status=RoundProposal.Status.REJECTED
    ).values("choice_id")
    return list(
        RequestChoice.objects.filter(
            status=ChoiceStatus.IN_REVIEW,
            request__status=RequestStatus.OPEN,
            request__desired_start__gte=allocation_round.start_month_from,
            request__desired_start__lt=add_months(allocation_round.start_month_to, 1),
        )
        .exclude(request_id__in=settled)
        .exclude(pk__in=rejected)
        .select_related("request", "location")
        .order_by("request_id", "rank", "id")
    )


def _age_group_here(occupancy: MonthOccupancy, groups: list[str]) -> str:
    """The child's age group the location counts its free places in (the youngest known)."""
    return next((group for group in groups if occupancy.free.get(group) is not None), groups[0])


def round_assignment(allocation_round: AllocationRound) -> dict[int, RequestChoice]:
    """The choice proposed to each child (by request id) if the round ran now."""
    by_month: dict[date, list[RequestChoice]] = defaultdict(list)
    for choice in _round_choices(allocation_round):
        by_month[first_of_month(choice.request.desired_start)].append(choice)
    occupancies: dict[tuple[int, date], MonthOccupancy] = {}
    taken_before: dict[int, int] = defaultdict(int)  # location -> proposed in earlier months
    assigned: dict[int, RequestChoice] = {}
    for month in sorted(by_month):
        choices = by_month[month]
        by_location: dict[int, list[RequestChoice]] = defaultdict(list)
        for choice in choices:
            by_location[choice.location_id].append(choice)
        orders = {}
        for location_choices in by_location.values():
            orders.update(
                place_orders(
                    location=location_choices[0].location,
                    choice_ids=[choice.pk for choice in location_choices],
                )
            )
        capacity: dict[tuple, int] = {}
        place_of: dict[int, tuple] = {}  # choice id -> place
        for choice in choices:
            key = (choice.location_id, month)
            if key not in occupancies:
                occupancies[key] = month_occupancy(location=choice.location, month=month)
            occupancy = occupancies[key]
            group = _age_group_here(
                occupancy,
                age_groups_at(choice.request.child_birth_date, choice.request.desired_start),
            )
            place = (choice.location_id, month, group)
            place_of[choice.pk] = place
            free = occupancy.free.get(group)
            capacity[place] = max((free or 0) - taken_before[choice.location_id], 0)
        by_request: dict[int, list[RequestChoice]] = defaultdict(list)
        for choice in choices:
            by_request[choice.request_id].append(choice)
        candidates = [
            Candidate(
                key=request_id,
                choices=[place_of[choice.pk] for choice in ranked],
                order_at={place_of[choice.pk]: orders[choice.pk] for choice in ranked},
            )
            for request_id, ranked in by_request.items()
        ]
        result = deferred_acceptance(candidates=candidates, capacity=capacity)
        for request_id, place in result.items():
            if place is None:
                continue
            choice = next(c for c in by_request[request_id] if place_of[c.pk] == place)
            assigned[request_id] = choice
            taken_before[choice.location_id] += 1
    return assigned


def _run(allocation_round: AllocationRound, *, now: datetime) -> list[RoundProposal]:
    """Propose the round's places anew; proposals still waiting that change are replaced."""
    assigned = round_assignment(allocation_round)
    wanted = {choice.pk for choice in assigned.values()}
    waiting = RoundProposal.objects.filter(
        round=allocation_round, status=RoundProposal.Status.PROPOSED
    )
    kept = set(waiting.filter(choice_id__in=wanted).values_list("choice_id", flat=True))
    waiting.exclude(choice_id__in=wanted).update(status=RoundProposal.Status.REPLACED)
    run = (
        RoundProposal.objects.filter(round=allocation_round).aggregate(last=Max("run"))["last"] or 0
    ) + 1
    made = RoundProposal.objects.bulk_create(
        RoundProposal(round=allocation_round, choice=choice, run=run, created_at=now)
        for choice in sorted(assigned.values(), key=lambda choice: choice.pk)
        if choice.pk not in kept
    )
    _close_when_answered(allocation_round, now=now)
    return made


def _close_when_answered(allocation_round: AllocationRound, *, now: datetime) -> None:
    if not RoundProposal.objects.filter(
        round=allocation_round, status=RoundProposal.Status.PROPOSED
    ).exists():
        allocation_round.status = AllocationRound.Status.CLOSED
        allocation_round.closed_at = now
        allocation_round.save(update_fields=["status", "closed_at"])


@transaction.atomic
def rounds_run_due(*, now: datetime) -> list[AllocationRound]:
    """Run every planned round whose decision date has come (the job; once per round)."""
    today = timezone.localdate(now)
    due = list(
        AllocationRound.objects.select_for_update(skip_locked=True)
        .filter(status=AllocationRound.Status.PLANNED, decision_date__lte=today)
        .order_by("decision_date", "id")
    )
    for allocation_round in due:
        allocation_round.status = AllocationRound.Status.PROPOSED
        allocation_round.proposed_at = now
        allocation_round.save(update_fields=["status", "proposed_at"])
        _run(allocation_round, now=now)
    return due


# --- The locations answer ----------------------------------------------------------------


def _lock_waiting(proposal: RoundProposal, actor: User) -> RoundProposal:
    proposal = RoundProposal.objects.select_related("choice__location").get(pk=proposal.pk)
    check_object_access(
        *LOCATION_MANAGERS, user=actor, loket=current_loket(), obj=proposal.choice.location
    )
    # The round first, then the proposal: a re-run and an answer wait for each other.
    AllocationRound.objects.select_for_update().get(pk=proposal.round_id)
    locked = (
        RoundProposal.objects.select_for_update(of=("self",))
        .select_related("round", "choice__request", "choice__location")
        .get(pk=proposal.pk)
    )
    if locked.round.status != AllocationRound.Status.PROPOSED:
        raise ValidationError(
            _("This round is closed: offers for its start months are made as usual."),
            code="round_closed",
        )
    if locked.status != RoundProposal.Status.PROPOSED:
        raise ValidationError(
            _("This proposal has been answered or replaced already (%(status)s).")
            % {"status": locked.get_status_display()},
            code="not_waiting",
        )
    return locked


@transaction.atomic
def proposal_confirm(
    *, proposal: RoundProposal, actor: User, now: datetime, capacity_confirmed: bool = False
) -> Offer:
    """The location confirms: an offer of the proposed place, which the parent answers.

    The offer starts on the desired start date, for the request's care plan, to be
    answered within the loket's answering time (``services.offer_make``, with its checks).
    """
    from tenants.allocation.services import offer_make  # services import this module

    proposal = _lock_waiting(proposal, actor)
    choice = proposal.choice
    made = offer_make(
        choice=choice,
        start_date=choice.request.desired_start,
        care_plan=list(choice.request.care_plan),
        actor=actor,
        now=now,
        passed_over_reason=_("Proposed by the allocation round of %(decision)s.")
        % {"decision": f"{proposal.round.decision_date:%d/%m/%Y}"},
        capacity_confirmed=capacity_confirmed,
        for_round=True,
    )
    proposal.status = RoundProposal.Status.CONFIRMED
    proposal.offer = made
    proposal.answered_by = actor
    proposal.answered_at = now
    proposal.save(update_fields=["status", "offer", "answered_by", "answered_at"])
    _close_when_answered(proposal.round, now=now)
    return made


@transaction.atomic
def proposal_reject(
    *, proposal: RoundProposal, reason: str, actor: User, now: datetime
) -> list[RoundProposal]:
    """The location rejects, with a reason: the place is free again and the round runs
    again for the children without a confirmed proposal. Returns the new proposals."""
    reason = reason.strip()[:REASON_MAX_LENGTH]
    if not reason:
        raise ValidationError({"reason": [_("Say why you reject this proposal.")]})
    proposal = _lock_waiting(proposal, actor)
    proposal.status = RoundProposal.Status.REJECTED
    proposal.reject_reason = reason
    proposal.answered_by = actor
    proposal.answered_at = now
    proposal.save(update_fields=["status", "reject_reason", "answered_by", "answered_at"])
    return _run(proposal.round, now=now)


# --- Reading -----------------------------------------------------------------------------


def rounds_all() -> QuerySet[AllocationRound]:
    return AllocationRound.objects.select_related("created_by").order_by("-decision_date", "-id")


def round_proposals(*, allocation_round: AllocationRound) -> QuerySet[RoundProposal]:
    """Every proposal of the round, for loket staff: by location, then child."""
    return (
        RoundProposal.objects.filter(round=allocation_round)
        .select_related("choice__request", "choice__location", "offer", "answered_by")
        .order_by("choice__location__name", "choice__request__registered_at", "id")
    )


def proposals_for(
    *, user: User, loket: Loket, status: str | None = None
) -> QuerySet[RoundProposal]:
    """The proposals at the locations the user manages (provider staff: granted ones)."""
    proposals = RoundProposal.objects.filter(
        choice__location__in=locations_manageable_by(user=user, loket=loket)
    )
    if status:
        proposals = proposals.filter(status=status)
    return proposals.select_related(
        "round", "choice__request", "choice__location", "offer"
    ).order_by("-round__decision_date", "choice__location__name", "id")
