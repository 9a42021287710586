"""What a parent sees of their own requests: one request per submission, one part per loket.

The registry knows which lokets hold a request of this parent, without its content; each
part's content is read in its own loket's schema: one schema switch per loket, four
queries there (requests, choices with their locations, their open offers, events),
however many parts.
Only registry entries whose parent is the user are ever read (for the family's children:
the entries of the user's family, which are theirs or were claimed by them).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared.accounts.models import User
from shared.accounts.permissions import acting_as_provider
from shared.catalogue.vocabulary import care_plan_days, day_parts_in_order
from shared.lokets.models import Loket
from shared.registry.identity import family_key
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation.answer_clock import answer_due
from tenants.allocation.models import Offer
from tenants.allocation.rounds import live_rounds, round_holding
from tenants.allocation.waiting_position import WaitingPosition, waiting_positions
from tenants.requests.history import describe_event
from tenants.requests.models import (
    ChildcareRequest,
    ChoiceStatus,
    RequestChoice,
    RequestEvent,
)
from tenants.requests.parts import change_refusal, in_each_loket

# The statuses in the words a parent reads: a choice or a request that closed without the
# parent closing it says why ("closed: place found elsewhere"), never "cancelled".
PARENT_CHOICE_WORDS = {
    ChoiceStatus.IN_REVIEW: _("waiting for an answer"),
    ChoiceStatus.OFFERED: _("place offered"),
    ChoiceStatus.NO_PLACE: _("no place"),
    ChoiceStatus.OTHER_DATE: _("another start date proposed"),
    ChoiceStatus.ACCEPTED: _("place accepted"),
    ChoiceStatus.DECLINED: _("declined"),
    ChoiceStatus.EXPIRED: _("closed: the time to answer passed"),
    ChoiceStatus.CLOSED_ELSEWHERE: _("closed: place found elsewhere"),
    ChoiceStatus.WITHDRAWN: _("withdrawn"),
    ChoiceStatus.LAPSED: _("closed: not confirmed in time"),
    ChoiceStatus.LOCATION_CLOSED: _("closed: the location closes"),
}
PARENT_REQUEST_WORDS = {
    RequestStatus.OPEN: _("open"),
    RequestStatus.PLACED: _("place found"),
    RequestStatus.WITHDRAWN: _("withdrawn"),
    RequestStatus.LAPSED: _("closed: not confirmed in time"),
    # Only a place accepted for the child elsewhere cancels a request.
    RequestStatus.CANCELLED: _("closed: place found elsewhere"),
}


@dataclass(frozen=True)
class OfferLine:
    """A place offered for a choice, waiting for the parent's answer."""

    public_id: uuid.UUID
    start_date: date
    care_plan: tuple[str, ...]
    answer_by: date

    @property
    def days_per_week(self) -> float:
        return len(self.care_plan) / 2

    @property
    def care_plan_days(self) -> list[tuple[str, str]]:
        return care_plan_days(self.care_plan)


@dataclass(frozen=True)
class ChoiceLine:
    id: int
    rank: int
    location_id: int
    location_name: str
    status: str
    status_label: str
    is_open: bool
    offer: OfferLine | None = None
    # Where the child stands for this location and month, if the loket shows it.
    position: WaitingPosition | None = None
    # By when the location should answer (the loket's answer clock), while in review.
    answer_expected_by: date | None = None


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str
    description: str
    by: str  # "you", "provider", "loket" or "" (the system)
    lokets: tuple[str, ...]  # names of the lokets where it happened


@dataclass(frozen=True)
class PartView:
    """A loket's part of the request (``tenants.requests.parts``), as the parent sees it."""

    id: int  # the registry entry: unique across lokets, unlike a request's own id
    loket: Loket
    reference: str
    status: str
    status_label: str
    registered_at: datetime
    desired_start: date
    care_plan: tuple[str, ...]
    choices: tuple[ChoiceLine, ...]
    can_change: bool
    confirmed_until: date | None = None  # the parent confirms before this day (None: no need)
    # The loket answers this start month in an allocation round, decided on this day.
    round_decision_date: date | None = None

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    @property
    def open_choices(self) -> list[ChoiceLine]:
        return [choice for choice in self.choices if choice.is_open]

    @property
    def shows_positions(self) -> bool:
        return any(choice.position for choice in self.choices)


@dataclass(frozen=True)
class SubmissionView:
    """One submission as the parent sees it, "a request": a child, a need, a part per loket."""

    submission: uuid.UUID
    child_name: str
    child_birth_date: date
    is_expected_birth: bool
    desired_start: date
    care_plan: tuple[str, ...]
    status: str
    status_label: str
    registered_at: datetime
    parts: tuple[PartView, ...]
    history: tuple[HistoryLine, ...]
    refusal: str  # why it can no longer be changed; "" while it can

    @property
    def can_change(self) -> bool:
        return not self.refusal

    @property
    def open_parts(self) -> list[PartView]:
        return [part for part in self.parts if part.is_open]

    @property
    def confirm_by(self) -> date | None:
        """The first day a part must be confirmed by, while the request may be changed."""
        if not self.can_change:
            return None
        return min((p.confirmed_until for p in self.open_parts if p.confirmed_until), default=None)

    @property
    def days_per_week(self) -> float:
        return len(self.care_plan) / 2

    @property
    def care_plan_days(self) -> list[tuple[str, str]]:
        return care_plan_days(self.care_plan)


def _history(
    parts: list[tuple[Loket, list[RequestEvent]]], *, user: User, providers: set[tuple[int, int]]
) -> list[HistoryLine]:
    """Events of every part, oldest first; one line for a change made in several lokets.

    ``providers``: the (actor, loket) pairs that are the location's staff there.
    """
    lines: dict[tuple, list[str]] = {}
    for loket, events in parts:
        for event in events:
            if event.actor_id == user.pk:
                by = "you"
            elif (event.actor_id, loket.pk) in providers:
                by = "provider"
            else:
                by = "loket" if event.actor_id else ""
            key = (event.at, event.kind, describe_event(kind=event.kind, details=event.details), by)
            lokets = lines.setdefault(key, [])
            if loket.name not in lokets:
                lokets.append(loket.name)
    ordered = sorted(lines.items(), key=lambda line: line[0][0])
    return [
        HistoryLine(at=at, kind=kind, description=description, by=by, lokets=tuple(lokets))
        for (at, kind, description, by), lokets in ordered
    ]


def _read_parts(entries: list[RegistryEntry]) -> dict[int, tuple[ChildcareRequest, list, list]]:
    """Per registry entry: its request, choices and events, read in its loket's schema."""
    found: dict[int, tuple[ChildcareRequest, list, list]] = {}
    choices = (
        RequestChoice.objects.select_related("location")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=Offer.objects.filter(status=Offer.Status.OPEN),
                to_attr="open_offers",
            )
        )
        .order_by("rank", "id")
    )
    # Staff notes are never shown to parents.
    events = RequestEvent.objects.exclude(kind=RequestEvent.Kind.NOTE).order_by("at", "id")
    for loket, loket_entries in in_each_loket(entries):
        requests = ChildcareRequest.objects.filter(
            pk__in=[entry.request_id for entry in loket_entries]
        ).prefetch_related(
            Prefetch("choices", queryset=choices), Prefetch("events", queryset=events)
        )
        # Everything is read here, inside the loket's schema; nothing lazy leaves it.
        by_id = {
            request.pk: (request, list(request.choices.all()), list(request.events.all()))
            for request in requests
        }
        now = timezone.now()
        for _request, choices_, _events in by_id.values():
            for choice in choices_:
                due = answer_due(choice=choice, loket=loket, now=now)
                choice.answer_expected_by = due.due_on if due else None
        if loket.uses_allocation_rounds:
            rounds = live_rounds()  # one read per loket, however many requests
            for request, _choices, _events in by_id.values():
                live = round_holding(rounds, start_date=request.desired_start)
                request.round_decision_date = live.decision_date if live else None
        if loket.shows_waiting_position:
            every = [
                choice for _request, choices_, _events in by_id.values() for choice in choices_
            ]
            positions = waiting_positions(choices=every)
            for choice in every:
                choice.waiting_position = positions.get(choice.pk)
        for entry in loket_entries:
            if entry.request_id in by_id:
                found[entry.pk] = by_id[entry.request_id]
    return found


def _offer_line(choice: RequestChoice) -> OfferLine | None:
    offers = getattr(choice, "open_offers", [])
    if not offers:
        return None
    offer = offers[0]
    return OfferLine(
        public_id=offer.public_id,
        start_date=offer.start_date,
        care_plan=tuple(day_parts_in_order(offer.care_plan)),
        answer_by=offer.answer_by,
    )


def _assemble(entries: list[RegistryEntry], *, user: User) -> list[SubmissionView]:
    read = _read_parts(entries)
    by_id = {entry.pk: entry for entry in entries}
    providers = acting_as_provider(
        actors={
            (event.actor_id, by_id[pk].loket_id)
            for pk, (_request, _choices, events) in read.items()
            for event in events
            if event.actor_id
        }
    )
    status_labels = PARENT_REQUEST_WORDS
    choice_labels = PARENT_CHOICE_WORDS
    submissions: dict[uuid.UUID, list[RegistryEntry]] = defaultdict(list)
    for entry in entries:
        if entry.pk in read:
            submissions[entry.submission].append(entry)

    requests = []
    for submission, submission_entries in submissions.items():
        loaded = [(entry, *read[entry.pk]) for entry in submission_entries]
        refusal = change_refusal(
            request_statuses=[request.status for _entry, request, _choices, _events in loaded],
            choice_statuses=[
                choice.status for _entry, _request, choices, _events in loaded for choice in choices
            ],
        )
        parts = tuple(
            PartView(
                id=entry.pk,
                loket=entry.loket,
                reference=request.reference,
                status=request.status,
                status_label=str(status_labels.get(request.status, request.status)),
                registered_at=request.registered_at,
                desired_start=request.desired_start,
                care_plan=tuple(request.care_plan),
                choices=tuple(
                    ChoiceLine(
                        id=choice.pk,
                        rank=choice.rank,
                        location_id=choice.location_id,
                        location_name=choice.location.name,
                        status=choice.status,
                        status_label=str(choice_labels.get(choice.status, choice.status)),
                        is_open=choice.is_open,
                        offer=_offer_line(choice),
                        position=getattr(choice, "waiting_position", None),
                        answer_expected_by=choice.answer_expected_by,
                    )
                    for choice in choices
                ),
                can_change=not refusal and request.status == RequestStatus.OPEN,
                confirmed_until=request.confirmed_until,
                round_decision_date=getattr(request, "round_decision_date", None),
            )
            for entry, request, choices, _events in loaded
        )
        # The child and the need as the open parts hold them (they are kept in step).
        leading = next(
            (request for _e, request, _c, _v in loaded if request.status == RequestStatus.OPEN),
            loaded[0][1],
        )
        statuses = [part.status for part in parts]
        if RequestStatus.OPEN in statuses:
            status = RequestStatus.OPEN
        elif RequestStatus.PLACED in statuses:
            status = RequestStatus.PLACED
        else:
            status = statuses[0]
        requests.append(
            SubmissionView(
                submission=submission,
                child_name=leading.child_name,
                child_birth_date=leading.child_birth_date,
                is_expected_birth=leading.is_expected_birth,
                desired_start=leading.desired_start,
                care_plan=tuple(day_parts_in_order(leading.care_plan)),
                status=status,
                status_label=str(status_labels.get(status, status)),
                registered_at=min(part.registered_at for part in parts),
                parts=parts,
                history=tuple(
                    _history(
                        [(entry.loket, events) for entry, _r, _c, events in loaded],
                        user=user,
                        providers=providers,
                    )
                ),
                refusal=refusal,
            )
        )
    requests.sort(key=lambda request: request.registered_at, reverse=True)
    return requests


def parent_requests(*, user: User) -> list[SubmissionView]:
    """Every request of this parent in any loket, newest first."""
    entries = (
        RegistryEntry.objects.filter(parent=user)
        .select_related("loket")
        .order_by("registered_at", "id")
    )
    return _assemble(list(entries), user=user)


def parent_request(*, user: User, submission: uuid.UUID) -> SubmissionView | None:
    """One request of this parent, or None when it is not theirs (or does not exist)."""
    entries = (
        RegistryEntry.objects.filter(parent=user, submission=submission)
        .select_related("loket")
        .order_by("registered_at", "id")
    )
    found = _assemble(list(entries), user=user)
    return found[0] if found else None


@dataclass(frozen=True)
class FamilyChild:
    """A child the parent's family registered before, as the family's own request says."""

    child_id: uuid.UUID  # the registry's ``Child.public_id``
    first_name: str
    birth_date: date  # the due date while unborn
    is_expected_birth: bool
    # The registry's name keys of its entries in the family: what links a child by itself.
    name_keys: frozenset[str] = frozenset()


def family_children_of(*, user: User) -> list[FamilyChild]:
    """The children this parent's family registered (``family_children``), oldest first.

    Only the family's own entries are read (``RegistryEntry.family_key``), each child as its
    latest request says: once born, its name and date of birth replace the due date. A
    child other families registered too shows nothing of theirs.
    """
    entries = (
        RegistryEntry.objects.filter(family_key=family_key(parent_id=user.pk))
        .select_related("loket", "child")
        .order_by("registered_at", "id")
    )
    latest: dict[int, RegistryEntry] = {}
    name_keys: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        latest[entry.child_id] = entry  # the child keeps its first place, its latest entry
        if entry.expected_birth is None:
            name_keys[entry.child_id].add(entry.name_key)
    first_seen = {child_id: index for index, child_id in enumerate(latest)}
    found: dict[int, FamilyChild] = {}
    for _loket, loket_entries in in_each_loket(latest.values()):
        requests = ChildcareRequest.objects.in_bulk([entry.request_id for entry in loket_entries])
        for entry in loket_entries:
            request = requests.get(entry.request_id)
            if request is not None:
                found[entry.child_id] = FamilyChild(
                    child_id=entry.child.public_id,
                    first_name=request.child_first_name,
                    birth_date=request.child_birth_date,
                    is_expected_birth=request.is_expected_birth,
                    name_keys=frozenset(name_keys[entry.child_id]),
                )
    return [found[child_id] for child_id in sorted(found, key=first_seen.__getitem__)]


def children_to_ask_about(
    known: Iterable[FamilyChild],
    *,
    name_key: str,
    birth_date: date,
    is_expected_birth: bool,
    another_child: bool,
) -> list[FamilyChild]:
    """The family's children that a new registration may well be: the parent must say.

    Twins share a birthday and a mistyped first name looks like another child, so a child
    born on the same day as one of the family's children (or, before birth, due within
    ``EXPECTED_BIRTH_WINDOW_DAYS`` of one) is the same child or another one only as the
    parent says. ``another_child``: the parent chose "another child" without knowing of
    such a child: every one is asked about. Otherwise the registry links the same names
    (``name_key``) and an unborn child within the window on its own, and only a child born
    on the same day under other names is asked about.
    """
    window = timedelta(days=settings.EXPECTED_BIRTH_WINDOW_DAYS)
    known = list(known)
    if not (another_child or is_expected_birth) and any(name_key in c.name_keys for c in known):
        return []  # the registry links it to the child of these names by itself
    asked = []
    for child in known:
        if child.is_expected_birth or is_expected_birth:
            alike = abs(child.birth_date - birth_date) <= window
            links_itself = child.is_expected_birth
        else:
            alike = child.birth_date == birth_date
            links_itself = name_key in child.name_keys
        if alike and (another_child or not links_itself):
            asked.append(child)
    return asked


def registered_child_id(*, value: str | None) -> uuid.UUID | None:
    """``value`` as the public id of a child with a registry entry; None if it is no such id.

    The desk starts a registration from a child staff found (``?kind=``): any registered
    child, since ``request_submit`` lets loket staff link one of any family.
    """
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        return None
    found = RegistryEntry.objects.filter(child__public_id=public_id).exists()
    return public_id if found else None
