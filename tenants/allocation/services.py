"""Answering choices and allocating places: offers, their answers, and placements.

Each service runs in one database transaction, records a ``RequestEvent`` on the request
it touches and keeps the child's ``RegistryEntry`` rows in step. Accepting an offer is the
one that reaches other lokets: a placement anywhere closes the child's other open choices
everywhere, through the public registry and ``tenant_context`` on the same connection,
so in the same transaction.

Concurrency: ``offer_accept`` first locks every registry entry of the child (ordered by
id), so two accepts for one child run one after the other. ``offer_make`` locks the
choice, so an offer cannot slip in while another loket closes that choice, and the
location, so two offers cannot both take the last free place (an offer holds its place).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.accounts.permissions import Access, check_object_access, has_access
from shared.catalogue.vocabulary import age_groups_at, day_parts_in_order, first_of_month
from shared.lokets.models import Loket
from shared.lokets.selectors import current_loket
from shared.registry.children import duplicates_placed_elsewhere, in_one_family
from shared.registry.models import AnswerReason, RegistryAnswer, RegistryEntry, RequestStatus
from tenants.allocation.capacity import offer_capacity_check
from tenants.allocation.models import Offer, Placement
from tenants.allocation.notices import (
    offer_accepted_notify,
    offer_expired_notify,
    offer_made_notify,
    offer_withdrawn_notify,
    placed_elsewhere_notify,
)
from tenants.allocation.rounds import check_offer_outside_round
from tenants.allocation.selectors import (
    advised_places_in_use,
    entries_closing_with,
    ranked_higher_without_offer,
)
from tenants.providers.models import Location
from tenants.providers.selectors import LOCATION_MANAGERS
from tenants.providers.services import availability_take_place, free_places_publish
from tenants.requests.history import (
    record_closed_elsewhere,
    record_no_place,
    record_offer_accepted,
    record_offer_declined,
    record_offer_expired,
    record_offer_made,
    record_offer_withdrawn,
    record_other_date,
)
from tenants.requests.models import (
    OPEN_CHOICE_STATUSES,
    ChildcareRequest,
    ChoiceStatus,
    RequestChoice,
)
from tenants.requests.parts import (
    in_each_loket,
    lock_child,
    part_answer_clear,
    part_answer_record,
    part_mark_offered,
    part_set_status,
    part_touch,
)
from tenants.requests.rules import care_plan_errors

# Share of a location's licensed places that may go against the priority order on the
# advice of a family-support organisation (rules from 1 April 2024).
ADVISED_SHARE_PERCENT = 10
REASON_MAX_LENGTH = 1000
# Choices a provider may still answer (an offer waits for the parent instead).
ANSWERABLE_STATUSES = (ChoiceStatus.IN_REVIEW, ChoiceStatus.OTHER_DATE)


class OfferRefused(ValidationError):
    """Accepting was refused; ``offer_withdrawn`` tells whether the offer is gone for good."""

    def __init__(self, message: str, *, code: str, offer_withdrawn: bool):
        super().__init__(message, code=code)
        self.offer_withdrawn = offer_withdrawn


def _check_manages(*, actor: User, location: Location) -> None:
    """Only loket staff and provider staff granted this location answer its choices."""
    check_object_access(*LOCATION_MANAGERS, user=actor, loket=current_loket(), obj=location)


def _lock_answerable(choice: RequestChoice) -> RequestChoice:
    """The choice, locked and read again, when the provider may still answer it."""
    locked = (
        RequestChoice.objects.select_for_update(of=("self",))
        .select_related("request", "location")
        .get(pk=choice.pk)
    )
    if locked.status not in ANSWERABLE_STATUSES or locked.request.status != RequestStatus.OPEN:
        raise ValidationError(
            _("This request can no longer be answered here (%(status)s).")
            % {"status": locked.get_status_display()},
            code="not_answerable",
        )
    return locked


def _set_choice_status(choice: RequestChoice, status: str, now: datetime) -> None:
    choice.status = status
    choice.status_changed_at = now
    choice.save(update_fields=["status", "status_changed_at"])


def _answer_reason(reason_code: str, note: str) -> tuple[str, str]:
    """The reason code checked, the note trimmed; a clear message for a bad code."""
    if reason_code not in AnswerReason.values:
        raise ValidationError(
            {
                "reason_code": [
                    _("Choose why: %(reasons)s.")
                    % {"reasons": "; ".join(str(label) for label in AnswerReason.labels)}
                ]
            },
            code="reason_code",
        )
    return reason_code, note.strip()[:REASON_MAX_LENGTH]


def _set_answer(choice: RequestChoice, status: str, reason_code: str, note: str, now) -> None:
    choice.status = status
    choice.status_changed_at = now
    choice.answer_reason = reason_code
    choice.answer_note = note
    choice.save(update_fields=["status", "status_changed_at", "answer_reason", "answer_note"])


@transaction.atomic
def choice_answer_no_place(
    *, choice: RequestChoice, actor: User, now: datetime, reason_code: str, note: str = ""
) -> RequestChoice:
    """The location has no place for this child (an end status of the choice).

    ``reason_code`` (an ``AnswerReason``) says why, for the parent and the figures (the
    registry keeps it per location kind and municipality); ``note`` is optional.
    """
    _check_manages(actor=actor, location=choice.location)
    reason_code, note = _answer_reason(reason_code, note)
    choice = _lock_answerable(choice)
    _set_answer(choice, ChoiceStatus.NO_PLACE, reason_code, note, now)
    record_no_place(
        choice.request,
        actor=actor,
        at=now,
        location=choice.location.name,
        reason_code=reason_code,
        note=note,
    )
    part_answer_record(
        choice.request,
        location=choice.location,
        answer=RegistryAnswer.Answer.NO_PLACE,
        reason=reason_code,
        now=now,
    )
    return choice


@transaction.atomic
def choice_propose_other_date(
    *,
    choice: RequestChoice,
    proposed_start: date,
    actor: User,
    now: datetime,
    reason_code: str,
    note: str = "",
) -> RequestChoice:
    """The location could take the child from another start date; the parent may adapt.

    ``reason_code`` and ``note`` as for ``choice_answer_no_place``.
    """
    _check_manages(actor=actor, location=choice.location)
    reason_code, note = _answer_reason(reason_code, note)
    choice = _lock_answerable(choice)
    if proposed_start < timezone.localdate(now):
        raise ValidationError(
            {"proposed_start": [_("The proposed start date cannot be in the past.")]}
        )
    _set_answer(choice, ChoiceStatus.OTHER_DATE, reason_code, note, now)
    record_other_date(
        choice.request,
        actor=actor,
        at=now,
        location=choice.location.name,
        proposed_start=proposed_start,
        reason_code=reason_code,
        note=note,
    )
    part_answer_record(
        choice.request,
        location=choice.location,
        answer=RegistryAnswer.Answer.OTHER_DATE,
        reason=reason_code,
        now=now,
    )
    return choice


def _check_advice_share(*, location: Location) -> None:
    # Locked, so that two advised offers at once cannot both take the last advised place.
    Location.objects.select_for_update().filter(pk=location.pk).first()
    in_use = advised_places_in_use(location=location)
    if (in_use + 1) * 100 > location.licensed_capacity * ADVISED_SHARE_PERCENT:
        raise ValidationError(
            {
                "advising_organisation": [
                    _(
                        "On advice, at most %(percent)s%% of the %(capacity)s licensed places "
                        "may go against the priority order; %(in_use)s are in use already."
                    )
                    % {
                        "percent": ADVISED_SHARE_PERCENT,
                        "capacity": location.licensed_capacity,
                        "in_use": in_use,
                    }
                ]
            },
        )


@transaction.atomic
def offer_make(
    *,
    choice: RequestChoice,
    start_date: date,
    care_plan: list[str],
    actor: User,
    now: datetime,
    answer_by: date | None = None,
    passed_over_reason: str = "",
    advising_organisation: str = "",
    capacity_confirmed: bool = False,
    for_round: bool = False,
) -> Offer:
    """Offer a place for this choice; the parent answers by ``answer_by``.

    A start month that a planned or proposing allocation round decides is refused, unless
    the offer confirms that round's proposal (``for_round``, from ``rounds.proposal_confirm``).

    The offer holds a place of its start month until it is answered. When that month
    shows no free place for the child's age group, the one who offers confirms the
    capacity (``capacity_confirmed``); the parent can then always accept.

    Children ranked higher in the queue who want to start by then and wait without an
    offer may only be passed over with a reason (shown to loket staff). On the advice of a
    family-support organisation, at most 10% of the licensed places may be offered
    against the priority order.
    """
    _check_manages(actor=actor, location=choice.location)
    choice = _lock_answerable(choice)
    loket = current_loket()
    today = timezone.localdate(now)
    answer_by = answer_by or today + timedelta(days=loket.offer_answer_days)
    passed_over_reason = passed_over_reason.strip()[:REASON_MAX_LENGTH]
    advising_organisation = advising_organisation.strip()[:150]
    errors: dict[str, list[str]] = defaultdict(list)
    if start_date < today:
        errors["start_date"].append(_("The start date cannot be in the past."))
    elif not for_round:
        check_offer_outside_round(start_date=start_date)
    if answer_by < today:
        errors["answer_by"].append(_("The date to answer by cannot be in the past."))
    plan = day_parts_in_order(care_plan)
    if plan_errors := care_plan_errors(plan):
        errors["care_plan"] = plan_errors
    passed_over = ranked_higher_without_offer(choice=choice, start_date=start_date).count()
    if passed_over and not passed_over_reason:
        errors["passed_over_reason"].append(
            _(
                "%(count)s children ranked higher wait without an offer: say why you offer "
                "this place to this child first."
            )
            % {"count": passed_over}
        )
    if errors:
        raise ValidationError(dict(errors))
    if advising_organisation:
        _check_advice_share(location=choice.location)
    beyond = offer_capacity_check(
        location=choice.location,
        start_date=start_date,
        birth_date=choice.request.child_birth_date,
        confirmed=capacity_confirmed,
    )
    offer = Offer.objects.create(
        choice=choice,
        start_date=start_date,
        care_plan=plan,
        answer_by=answer_by,
        passed_over_reason=passed_over_reason if passed_over else "",
        passed_over_count=passed_over,
        advising_organisation=advising_organisation,
        beyond_free_places=beyond,
        created_by=actor,
        created_at=now,
    )
    free_places_publish(location=choice.location)
    _set_choice_status(choice, ChoiceStatus.OFFERED, now)
    record_offer_made(
        choice.request,
        actor=actor,
        at=now,
        location=choice.location.name,
        start_date=start_date,
        answer_by=answer_by,
        passed_over=passed_over,
    )
    part_mark_offered(choice.request, now=now)
    part_answer_clear(choice.request, location_id=choice.location_id)
    offer_made_notify(offer=offer, now=now)
    return offer


def _may_answer(*, request: ChildcareRequest, user: User, loket: Loket) -> bool:
    """The parent of the request, or the loket's staff answering at the desk for them."""
    if request.parent_id is not None and request.parent_id == user.pk:
        return True
    return has_access(Access.LOKET_STAFF, user=user, loket=loket)


def _lock_child(request: ChildcareRequest, loket: Loket) -> tuple[RegistryEntry, list]:
    """Every registry entry of the request's child, locked in id order; and this request's."""
    own = RegistryEntry.objects.get(loket_id=loket.pk, request_id=request.pk)
    entries = lock_child([own])
    return entries[own.pk], list(entries.values())


def _withdraw_offer(offer: Offer, now: datetime) -> None:
    offer.status = Offer.Status.WITHDRAWN
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    _offer_released(offer)


def _offer_released(offer: Offer) -> None:
    """The place the offer held is free again: the catalogue shows it."""
    free_places_publish(location=Location.objects.get(pk=offer.choice.location_id))


def _close_elsewhere(
    *, entries: list[RegistryEntry], placed_entry: RegistryEntry, now: datetime, actor: User
) -> None:
    """Close every other open choice of the child, in every loket, and withdraw their offers.

    The accepted choice is no longer open when this runs; the other choices of the same
    request close too (a child needs one place).
    """
    closing = entries_closing_with(placed=placed_entry, entries=entries)
    marked = duplicates_placed_elsewhere(
        placed=placed_entry,
        others=[
            entry
            for entry in entries
            if entry.status == RequestStatus.OPEN and not in_one_family(entry, placed_entry)
        ],
        now=now,
    )
    placed_elsewhere_notify(duplicates=marked, placed=placed_entry)
    for _loket, loket_entries in in_each_loket(closing):
        request_ids = [entry.request_id for entry in loket_entries]
        choices = list(
            RequestChoice.objects.select_for_update(of=("self",))
            .select_related("location")
            .filter(request_id__in=request_ids, status__in=OPEN_CHOICE_STATUSES)
            .order_by("id")
        )
        offers = Offer.objects.select_for_update(of=("self",)).filter(
            choice__in=choices, status=Offer.Status.OPEN
        )
        for offer in offers:
            _withdraw_offer(offer, now)
        closed_by_request: dict[int, list[str]] = defaultdict(list)
        for choice in choices:
            _set_choice_status(choice, ChoiceStatus.CLOSED_ELSEWHERE, now)
            closed_by_request[choice.request_id].append(choice.location.name)
        requests = ChildcareRequest.objects.select_for_update().in_bulk(request_ids)
        for entry in loket_entries:
            request = requests.get(entry.request_id)
            if request is None or entry.pk == placed_entry.pk:
                continue
            part_set_status(request, status=RequestStatus.CANCELLED, now=now, entry=entry)
        for request_id, locations in closed_by_request.items():
            if request_id in requests:
                record_closed_elsewhere(
                    requests[request_id], actor=actor, at=now, locations=locations
                )


@transaction.atomic
def _accept(
    *, offer: Offer, user: User, now: datetime
) -> tuple[Placement | None, OfferRefused | None]:
    loket = current_loket()
    choice = RequestChoice.objects.select_related("request", "location").get(pk=offer.choice_id)
    if not _may_answer(request=choice.request, user=user, loket=loket):
        raise PermissionDenied
    own_entry, entries = _lock_child(choice.request, loket)
    # Read again under the lock: another accept may have withdrawn it in the meantime.
    offer = Offer.objects.select_for_update().get(pk=offer.pk, choice=choice)
    if offer.status != Offer.Status.OPEN:
        return None, OfferRefused(
            _("This offer is no longer open (%(status)s).")
            % {"status": offer.get_status_display()},
            code="not_open",
            offer_withdrawn=offer.status == Offer.Status.WITHDRAWN,
        )
    if offer.answer_by < timezone.localdate(now):
        return None, OfferRefused(
            _("The time to answer this offer has passed."), code="expired", offer_withdrawn=False
        )
    if any(
        entry.status == RequestStatus.PLACED and in_one_family(entry, own_entry)
        for entry in entries
    ):
        _withdraw_offer(offer, now)
        choice = (
            RequestChoice.objects.select_for_update(of=("self",))
            .select_related("request", "location")
            .get(pk=choice.pk)
        )
        _set_choice_status(choice, ChoiceStatus.CLOSED_ELSEWHERE, now)
        record_offer_withdrawn(
            choice.request,
            actor=None,
            at=now,
            location=choice.location.name,
            reason="placed_elsewhere",
        )
        return None, OfferRefused(
            _("This child already has a place, so this offer has been withdrawn."),
            code="already_placed",
            offer_withdrawn=True,
        )
    request = ChildcareRequest.objects.select_for_update().get(pk=choice.request_id)
    age_groups = age_groups_at(request.child_birth_date, offer.start_date)
    placement = Placement.objects.create(
        choice=choice,
        offer=offer,
        location=choice.location,
        start_date=offer.start_date,
        month=first_of_month(offer.start_date),
        age_group=age_groups[0],
        created_at=now,
    )
    offer.status = Offer.Status.ACCEPTED
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    choice = RequestChoice.objects.select_for_update().get(pk=choice.pk)
    _set_choice_status(choice, ChoiceStatus.ACCEPTED, now)
    # The place the offer held becomes the placement's: the parent can always accept.
    availability = availability_take_place(
        location=choice.location, month=offer.start_date, age_groups=age_groups
    )
    if availability is not None and availability.age_group != placement.age_group:
        placement.age_group = availability.age_group
        placement.save(update_fields=["age_group"])
    part_set_status(request, status=RequestStatus.PLACED, now=now, entry=own_entry)
    record_offer_accepted(
        request,
        actor=user,
        at=now,
        location=placement.location.name,
        start_date=offer.start_date,
    )
    _close_elsewhere(entries=entries, placed_entry=own_entry, now=now, actor=user)
    offer_accepted_notify(offer=offer, now=now)
    return placement, None


def offer_accept(*, offer: Offer, parent_or_staff: User, now: datetime) -> Placement:
    """The parent (or loket staff for them) accepts: the child is placed, in one transaction.

    Refused with ``OfferRefused`` (a ValidationError) when the offer is no longer open,
    or when the child already has a place (the offer is then withdrawn, and that stays
    so). Never for want of a free place: the offer held its place since it was made.
    """
    placement, refusal = _accept(offer=offer, user=parent_or_staff, now=now)
    if refusal is not None:
        raise refusal
    return placement


@transaction.atomic
def offer_decline(*, offer: Offer, reason: str, actor: User, now: datetime) -> Offer:
    """The parent declines the offer; the choice ends there, other choices go on."""
    loket = current_loket()
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("choice__request", "choice__location")
        .get(pk=offer.pk)
    )
    if not _may_answer(request=offer.choice.request, user=actor, loket=loket):
        raise PermissionDenied
    if offer.status != Offer.Status.OPEN:
        raise OfferRefused(
            _("This offer is no longer open (%(status)s).")
            % {"status": offer.get_status_display()},
            code="not_open",
            offer_withdrawn=offer.status == Offer.Status.WITHDRAWN,
        )
    offer.status = Offer.Status.DECLINED
    offer.decline_reason = reason.strip()[:REASON_MAX_LENGTH]
    offer.answered_at = now
    offer.save(update_fields=["status", "decline_reason", "answered_at"])
    _offer_released(offer)
    choice = RequestChoice.objects.select_for_update(of=("self",)).get(pk=offer.choice_id)
    _set_choice_status(choice, ChoiceStatus.DECLINED, now)
    record_offer_declined(
        offer.choice.request,
        actor=actor,
        at=now,
        location=offer.choice.location.name,
        reason=offer.decline_reason,
    )
    part_touch(offer.choice.request, now=now)
    return offer


# The reason code an offer withdrawn by its location records (the text is the note).
WITHDRAWN_BY_LOCATION = "by_location"


@transaction.atomic
def offer_withdraw(*, offer: Offer, reason: str, actor: User, now: datetime) -> Offer:
    """The location withdraws an open offer itself, with a reason the parent reads.

    Only loket staff and provider staff granted the location. The choice goes back to
    waiting (in review) with its place in the legal order unchanged (the order follows
    the registration, not the choice); the request stays open, and counts as without an
    offer again unless another offer of it still stands or was answered. The parent is
    told by e-mail in the family's language after the commit; the history records who.
    """
    reason = reason.strip()[:REASON_MAX_LENGTH]
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why you withdraw this offer: the parent reads it.")]}
        )
    offer = Offer.objects.select_related("choice__location").get(pk=offer.pk)
    _check_manages(actor=actor, location=offer.choice.location)
    # The offer, then its choice: the order offer_accept and offer_decline lock them in,
    # so a parent accepting at this moment waits for the withdrawal, or the other way round.
    offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer.pk)
    choice = (
        RequestChoice.objects.select_for_update(of=("self",))
        .select_related("request", "location")
        .get(pk=offer.choice_id)
    )
    if offer.status != Offer.Status.OPEN:
        raise ValidationError(
            _("This offer is no longer open (%(status)s).")
            % {"status": offer.get_status_display()},
            code="not_open",
        )
    _withdraw_offer(offer, now)
    _set_choice_status(choice, ChoiceStatus.IN_REVIEW, now)
    record_offer_withdrawn(
        choice.request,
        actor=actor,
        at=now,
        location=choice.location.name,
        reason=WITHDRAWN_BY_LOCATION,
        note=reason,
    )
    still_offered = (
        Offer.objects.filter(choice__request_id=choice.request_id)
        .exclude(status=Offer.Status.WITHDRAWN)
        .exists()
    )
    part_mark_offered(choice.request, now=now, offered=still_offered)
    offer.choice = choice
    offer_withdrawn_notify(offer=offer, reason=reason)
    return offer


@transaction.atomic
def offers_expire_due(*, now: datetime) -> list[Offer]:
    """Open offers of the current loket whose answer date has passed become expired.

    Returns the offers it expired (none on a second run). The parent and the location are
    told once the expiry commits (``notices``). Offers being answered right now are
    skipped; the next run gets them if still open.
    """
    today = timezone.localdate(now)
    offers = list(
        Offer.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("choice__request", "choice__location")
        .filter(status=Offer.Status.OPEN, answer_by__lt=today)
        .order_by("id")
    )
    for offer in offers:
        offer.status = Offer.Status.EXPIRED
        offer.answered_at = now
        offer.save(update_fields=["status", "answered_at"])
        _offer_released(offer)
        _set_choice_status(offer.choice, ChoiceStatus.EXPIRED, now)
        record_offer_expired(
            offer.choice.request,
            actor=None,
            at=now,
            location=offer.choice.location.name,
            answer_by=offer.answer_by,
        )
        offer_expired_notify(offer=offer, now=now)
    return offers
