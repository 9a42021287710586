"""A request's history: one typed recorder per kind of event, and the words for each.

Every step is also written to the loket's audit trail: all recorders go through
``request_event_record``, so no change to a request can miss the audit trail.

Each kind's details are a small frozen dataclass (``OfferMade``, ``Withdrawn``, …) whose
fields are exactly the keys stored in ``RequestEvent.details`` (dates as ISO strings,
lists as JSON lists). A recorder (``record_offer_made(request, *, actor, at, …)``) builds
it from named arguments; ``read_event`` builds it back from a stored row, old rows
included (a missing key takes the field's default), and ``describe_event`` puts it in
words for the parent. Most kinds have one recorder; a kind stored in two shapes has one
recorder per shape (``record_changed`` / ``record_choice_order_changed``,
``record_reopened`` / ``record_reopened_after_closing``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, ClassVar, Self

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.catalogue.vocabulary import care_plan_days
from shared.registry.models import AnswerReason
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_request_change
from tenants.requests.models import ChildcareRequest, RequestEvent

Kind = RequestEvent.Kind

# Field metadata: the key in ``details`` when it differs from the field's name (``from``
# is a Python keyword), and whether the key is left out of ``details`` when None.
_KEY = "key"
_OMIT_NONE = "omit_none"
# The reason stored with a request reopened because the location of its place closes.
REOPENED_AFTER_CLOSING_REASON = "location_closed"


def request_event_record(
    *,
    request: ChildcareRequest,
    kind: str,
    actor: User | None,
    at: datetime,
    details: dict | None = None,
) -> RequestEvent:
    """Record ``kind`` in the history of ``request`` and, as a change, in the audit trail.

    The core every typed recorder below calls; call a typed recorder instead.
    """
    details = details or {}
    action = (
        AuditEvent.Action.CREATED
        if kind == RequestEvent.Kind.SUBMITTED
        else AuditEvent.Action.CHANGED
    )
    audit_request_change(
        request=request, actor=actor, kind=kind, details=details, at=at, action=action
    )
    return RequestEvent.objects.create(
        request=request, kind=kind, actor=actor, details=details, at=at
    )


def _date(value: Any) -> str:
    try:
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _kind_label(kind: str) -> str:
    labels = dict(RequestEvent.Kind.choices)
    return capfirst(str(labels.get(kind, kind.replace("_", " ")))) + "."


# --- The details of each kind ------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    """The details of one kind of event, field for field as stored in ``details``."""

    kind: ClassVar[str]

    def to_details(self) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value is None and spec.metadata.get(_OMIT_NONE):
                continue
            stored[spec.metadata.get(_KEY, spec.name)] = (
                list(value) if isinstance(value, tuple) else value
            )
        return stored

    @classmethod
    def from_details(cls, details: dict) -> Self:
        """The details of a stored row; a missing key takes the field's default."""
        values: dict[str, Any] = {}
        for spec in fields(cls):
            key = spec.metadata.get(_KEY, spec.name)
            if key in details:
                value = details[key]
                values[spec.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def describe(self) -> str:
        """What happened, in plain words for the parent."""
        return _kind_label(self.kind)


@dataclass(frozen=True)
class Submitted(EventDetails):
    kind: ClassVar[str] = Kind.SUBMITTED
    by_staff: bool = False
    # Only when the request was registered in this loket by adding its locations.
    locations: tuple[str, ...] | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        if self.by_staff:
            return _("Your request was registered at the loket.")
        if self.locations:
            return _("Your request was registered here when you added: %(locations)s.") % {
                "locations": _names(self.locations)
            }
        return _("Your request was registered.")


@dataclass(frozen=True)
class FieldChanged(EventDetails):
    kind: ClassVar[str] = Kind.CHANGED
    field: str = ""
    old: Any = dataclasses.field(default="", metadata={_KEY: "from"})
    new: Any = dataclasses.field(default="", metadata={_KEY: "to"})

    def describe(self) -> str:
        if self.field == "desired_start":
            return _("The desired start date changed from %(old)s to %(new)s.") % {
                "old": _date(self.old),
                "new": _date(self.new),
            }
        if self.field == "care_plan":
            days = "; ".join(f"{day}: {part}" for day, part in care_plan_days(self.new or []))
            return _("The care plan changed to: %(days)s.") % {"days": days}
        if self.field == CHILD_FIELD:
            return _describe_child(self.old, self.new)
        return _("Your request was changed.")


# The child's details (``tenants.requests.child_changes``): ``from``/``to`` hold its first
# name, date of birth and whether that was a due date; never a national register number.
CHILD_FIELD = "child"


def _describe_child(old: Any, new: Any) -> str:
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    values = {"name": new.get("first_name", ""), "date": _date(new.get("birth_date"))}
    if old.get("is_expected_birth"):
        return _("The child's details were updated: %(name)s was born on %(date)s.") % values
    return _("The child's details were updated: %(name)s, born on %(date)s.") % values


@dataclass(frozen=True)
class ChoiceOrderChanged(EventDetails):
    kind: ClassVar[str] = Kind.CHANGED
    FIELD: ClassVar[str] = "choice_order"
    field: str = FIELD
    locations: tuple[str, ...] = ()

    def describe(self) -> str:
        return _("The order of the locations changed to: %(locations)s.") % {
            "locations": _names(self.locations)
        }


@dataclass(frozen=True)
class ChoicesAdded(EventDetails):
    kind: ClassVar[str] = Kind.CHOICES_ADDED
    locations: tuple[str, ...] = ()

    def describe(self) -> str:
        return _("Locations added: %(locations)s.") % {"locations": _names(self.locations)}


@dataclass(frozen=True)
class ChoiceRemoved(EventDetails):
    kind: ClassVar[str] = Kind.CHOICE_REMOVED
    location: str = ""

    def describe(self) -> str:
        return _("Location removed: %(location)s.") % {"location": self.location}


@dataclass(frozen=True)
class Withdrawn(EventDetails):
    kind: ClassVar[str] = Kind.WITHDRAWN
    whole_request: bool = False
    reason: str = ""

    def describe(self) -> str:
        text = _("Your request was withdrawn.")
        if self.reason:
            text += " " + _("Reason: %(reason)s") % {"reason": self.reason}
        return text


@dataclass(frozen=True)
class Claimed(EventDetails):
    kind: ClassVar[str] = Kind.CLAIMED
    # "email" (a verified address) or "code" (the receipt's claim code); None: older rows.
    via: str | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        return _("The request registered at the loket was linked to your account.")


@dataclass(frozen=True)
class NoteAdded(EventDetails):
    """That a note was added, not what it says (never shown to parents)."""

    kind: ClassVar[str] = Kind.NOTE
    note: int | None = None


@dataclass(frozen=True)
class Confirmed(EventDetails):
    kind: ClassVar[str] = Kind.CONFIRMED
    previous_until: str | None = dataclasses.field(default=None, metadata={_KEY: "from"})
    until: str = dataclasses.field(default="", metadata={_KEY: "to"})

    def describe(self) -> str:
        return _("You confirmed that you still need care.")


@dataclass(frozen=True)
class Lapsed(EventDetails):
    kind: ClassVar[str] = Kind.LAPSED
    confirmed_until: str = ""
    choices: tuple[int, ...] = ()

    def describe(self) -> str:
        return _("Your request lapsed: it was not confirmed in time.")


@dataclass(frozen=True)
class Reopened(EventDetails):
    """Reopened by loket staff (``choices``), or after a closing (``locations``, ``reason``)."""

    kind: ClassVar[str] = Kind.REOPENED
    choices: tuple[int, ...] | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})
    locations: tuple[str, ...] | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})
    reason: str | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        return _("The loket reopened your request.")


@dataclass(frozen=True)
class OfferMade(EventDetails):
    kind: ClassVar[str] = Kind.OFFER_MADE
    location: str = ""
    start_date: str = ""
    answer_by: str = ""
    passed_over: int = 0

    def describe(self) -> str:
        return _("%(location)s offers a place from %(start)s; please answer by %(answer_by)s.") % {
            "location": self.location,
            "start": _date(self.start_date),
            "answer_by": _date(self.answer_by),
        }


def _reason_label(code: str | None) -> str:
    labels = dict(AnswerReason.choices)
    return str(labels[code]) if code in labels else ""


@dataclass(frozen=True)
class NoPlace(EventDetails):
    kind: ClassVar[str] = Kind.NO_PLACE
    location: str = ""
    reason: str = ""  # the free text of answers before reason codes (now: ``note``)
    # Since reason codes (older rows have neither key):
    reason_code: str | None = dataclasses.field(
        default=None, metadata={_OMIT_NONE: True}
    )  # an AnswerReason
    note: str | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        if label := _reason_label(self.reason_code):
            return _("%(location)s has no place for your child (%(reason)s).") % {
                "location": self.location,
                "reason": label,
            }
        return _("%(location)s has no place for your child.") % {"location": self.location}


@dataclass(frozen=True)
class OtherDate(EventDetails):
    kind: ClassVar[str] = Kind.OTHER_DATE
    location: str = ""
    proposed_start: str = ""
    # Since reason codes (older rows have neither key):
    reason_code: str | None = dataclasses.field(
        default=None, metadata={_OMIT_NONE: True}
    )  # an AnswerReason
    note: str | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        if label := _reason_label(self.reason_code):
            return _("%(location)s proposes another start date: %(start)s (%(reason)s).") % {
                "location": self.location,
                "start": _date(self.proposed_start),
                "reason": label,
            }
        return _("%(location)s proposes another start date: %(start)s.") % {
            "location": self.location,
            "start": _date(self.proposed_start),
        }


@dataclass(frozen=True)
class OfferAccepted(EventDetails):
    kind: ClassVar[str] = Kind.OFFER_ACCEPTED
    location: str = ""
    start_date: str = ""

    def describe(self) -> str:
        return _("The place at %(location)s from %(start)s was accepted.") % {
            "location": self.location,
            "start": _date(self.start_date),
        }


@dataclass(frozen=True)
class OfferDeclined(EventDetails):
    kind: ClassVar[str] = Kind.OFFER_DECLINED
    location: str = ""
    reason: str = ""

    def describe(self) -> str:
        return _("The place at %(location)s was declined.") % {"location": self.location}


@dataclass(frozen=True)
class OfferExpired(EventDetails):
    kind: ClassVar[str] = Kind.OFFER_EXPIRED
    location: str = ""
    answer_by: str = ""

    def describe(self) -> str:
        return _("The offer of %(location)s expired without an answer.") % {
            "location": self.location
        }


@dataclass(frozen=True)
class OfferWithdrawn(EventDetails):
    kind: ClassVar[str] = Kind.OFFER_WITHDRAWN
    location: str = ""
    reason: str = ""  # a code: "placed_elsewhere", "by_location"
    # The location's own words, when it withdrew the offer itself (else no key).
    note: str | None = dataclasses.field(default=None, metadata={_OMIT_NONE: True})

    def describe(self) -> str:
        if self.reason == "by_location":
            return _(
                "%(location)s withdrew its offer: %(note)s Your choice of %(location)s is "
                "waiting again."
            ) % {"location": self.location, "note": self.note}
        return _("The offer of %(location)s was withdrawn.") % {"location": self.location}


@dataclass(frozen=True)
class ClosedElsewhere(EventDetails):
    kind: ClassVar[str] = Kind.CLOSED_ELSEWHERE
    locations: tuple[str, ...] = ()

    def describe(self) -> str:
        return _("A place was found elsewhere, so these locations were closed: %(locations)s.") % {
            "locations": _names(self.locations)
        }


@dataclass(frozen=True)
class LocationClosed(EventDetails):
    kind: ClassVar[str] = Kind.LOCATION_CLOSED
    location: str = ""
    location_id: int | None = None
    closes_on: str = ""
    reason: str = ""
    was_placed: bool = False
    offer_withdrawn: bool = False
    reopened: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.was_placed:
            return _(
                "%(location)s closes on %(date)s, so your place there ends; your request is "
                "open again with its original registration date."
            ) % {"location": self.location, "date": _date(self.closes_on)}
        return _("%(location)s closes on %(date)s, so this choice ended.") % {
            "location": self.location,
            "date": _date(self.closes_on),
        }


@dataclass(frozen=True)
class MarkedUrgent(EventDetails):
    kind: ClassVar[str] = Kind.MARKED_URGENT
    locations: tuple[str, ...] = ()

    def describe(self) -> str:
        return _(
            "The loket marked your request urgent and sent it to these locations as well: "
            "%(locations)s."
        ) % {"locations": _names(self.locations) or "—"}


def _read_changed(details: dict) -> EventDetails:
    if details.get("field") == ChoiceOrderChanged.FIELD:
        return ChoiceOrderChanged.from_details(details)
    return FieldChanged.from_details(details)


_READERS: dict[str, Callable[[dict], EventDetails]] = {
    details_type.kind: details_type.from_details
    for details_type in (
        Submitted,
        ChoicesAdded,
        ChoiceRemoved,
        Withdrawn,
        Claimed,
        NoteAdded,
        Confirmed,
        Lapsed,
        Reopened,
        OfferMade,
        NoPlace,
        OtherDate,
        OfferAccepted,
        OfferDeclined,
        OfferExpired,
        OfferWithdrawn,
        ClosedElsewhere,
        LocationClosed,
        MarkedUrgent,
    )
} | {Kind.CHANGED: _read_changed}


def read_event(*, kind: str, details: Any) -> EventDetails | None:
    """The typed details of a stored event; None for a kind this code does not know."""
    reader = _READERS.get(kind)
    if reader is None:
        return None
    return reader(details if isinstance(details, dict) else {})


def describe_event(*, kind: str, details: Any) -> str:
    """What happened, in plain words for the parent."""
    event = read_event(kind=kind, details=details)
    return event.describe() if event is not None else _kind_label(kind)


# --- The recorders: one per kind (per shape of its details) ------------------------------


def _record(
    request: ChildcareRequest, event: EventDetails, *, actor: User | None, at: datetime
) -> RequestEvent:
    return request_event_record(
        request=request, kind=event.kind, actor=actor, at=at, details=event.to_details()
    )


def record_submitted(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    by_staff: bool,
    locations: Sequence[str] | None = None,
) -> RequestEvent:
    """The request was registered; ``locations`` when by adding them to a request elsewhere."""
    added = tuple(locations) if locations is not None else None
    return _record(request, Submitted(by_staff=by_staff, locations=added), actor=actor, at=at)


def record_changed(
    request: ChildcareRequest, *, actor: User | None, at: datetime, field: str, old: Any, new: Any
) -> RequestEvent:
    """One field of the request changed from ``old`` to ``new`` (JSON values, as shown)."""
    return _record(request, FieldChanged(field=field, old=old, new=new), actor=actor, at=at)


def record_choice_order_changed(
    request: ChildcareRequest, *, actor: User | None, at: datetime, locations: Sequence[str]
) -> RequestEvent:
    """The chosen locations are in a new order: ``locations``, first choice first."""
    return _record(request, ChoiceOrderChanged(locations=tuple(locations)), actor=actor, at=at)


def record_choices_added(
    request: ChildcareRequest, *, actor: User | None, at: datetime, locations: Sequence[str]
) -> RequestEvent:
    return _record(request, ChoicesAdded(locations=tuple(locations)), actor=actor, at=at)


def record_choice_removed(
    request: ChildcareRequest, *, actor: User | None, at: datetime, location: str
) -> RequestEvent:
    return _record(request, ChoiceRemoved(location=location), actor=actor, at=at)


def record_withdrawn(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    whole_request: bool,
    reason: str,
) -> RequestEvent:
    return _record(
        request, Withdrawn(whole_request=whole_request, reason=reason), actor=actor, at=at
    )


def record_claimed(
    request: ChildcareRequest, *, actor: User | None, at: datetime, via: str | None = None
) -> RequestEvent:
    """The request registered at the loket is now linked to the parent's account."""
    return _record(request, Claimed(via=via), actor=actor, at=at)


def record_note_added(
    request: ChildcareRequest, *, actor: User | None, at: datetime, note: int
) -> RequestEvent:
    """A staff note (its id) was added; the history never holds what it says."""
    return _record(request, NoteAdded(note=note), actor=actor, at=at)


def record_confirmed(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    previous_until: date | None,
    until: date,
) -> RequestEvent:
    """The parent still needs care: confirmed until ``until`` (was ``previous_until``)."""
    event = Confirmed(
        previous_until=previous_until.isoformat() if previous_until else None,
        until=until.isoformat(),
    )
    return _record(request, event, actor=actor, at=at)


def record_lapsed(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    confirmed_until: date,
    choices: Sequence[int],
) -> RequestEvent:
    """Not confirmed by ``confirmed_until``: the request and its ``choices`` (ids) lapsed."""
    event = Lapsed(confirmed_until=confirmed_until.isoformat(), choices=tuple(choices))
    return _record(request, event, actor=actor, at=at)


def record_reopened(
    request: ChildcareRequest, *, actor: User | None, at: datetime, choices: Sequence[int]
) -> RequestEvent:
    """Loket staff reopened a lapsed request; ``choices`` (ids) are in review again."""
    return _record(request, Reopened(choices=tuple(choices)), actor=actor, at=at)


def record_reopened_after_closing(
    request: ChildcareRequest, *, actor: User | None, at: datetime, locations: Sequence[str]
) -> RequestEvent:
    """The place elsewhere ends (its location closes): this request is open again."""
    event = Reopened(locations=tuple(locations), reason=REOPENED_AFTER_CLOSING_REASON)
    return _record(request, event, actor=actor, at=at)


def record_offer_made(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    location: str,
    start_date: date,
    answer_by: date,
    passed_over: int,
) -> RequestEvent:
    """``passed_over``: children ranked higher who wait without an offer."""
    event = OfferMade(
        location=location,
        start_date=start_date.isoformat(),
        answer_by=answer_by.isoformat(),
        passed_over=passed_over,
    )
    return _record(request, event, actor=actor, at=at)


def record_no_place(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    location: str,
    reason_code: str,
    note: str = "",
) -> RequestEvent:
    """``reason_code``: an ``AnswerReason``; ``note``: the location's optional words."""
    event = NoPlace(location=location, reason_code=reason_code, note=note)
    return _record(request, event, actor=actor, at=at)


def record_other_date(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    location: str,
    proposed_start: date,
    reason_code: str | None = None,
    note: str | None = None,
) -> RequestEvent:
    event = OtherDate(
        location=location,
        proposed_start=proposed_start.isoformat(),
        reason_code=reason_code,
        note=note,
    )
    return _record(request, event, actor=actor, at=at)


def record_offer_accepted(
    request: ChildcareRequest, *, actor: User | None, at: datetime, location: str, start_date: date
) -> RequestEvent:
    event = OfferAccepted(location=location, start_date=start_date.isoformat())
    return _record(request, event, actor=actor, at=at)


def record_offer_declined(
    request: ChildcareRequest, *, actor: User | None, at: datetime, location: str, reason: str
) -> RequestEvent:
    return _record(request, OfferDeclined(location=location, reason=reason), actor=actor, at=at)


def record_offer_expired(
    request: ChildcareRequest, *, actor: User | None, at: datetime, location: str, answer_by: date
) -> RequestEvent:
    event = OfferExpired(location=location, answer_by=answer_by.isoformat())
    return _record(request, event, actor=actor, at=at)


def record_offer_withdrawn(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    location: str,
    reason: str,
    note: str | None = None,
) -> RequestEvent:
    """``reason``: a code, such as ``"placed_elsewhere"``; ``note``: the location's words."""
    event = OfferWithdrawn(location=location, reason=reason, note=note)
    return _record(request, event, actor=actor, at=at)


def record_closed_elsewhere(
    request: ChildcareRequest, *, actor: User | None, at: datetime, locations: Sequence[str]
) -> RequestEvent:
    """A place was accepted elsewhere: the choices at ``locations`` closed."""
    return _record(request, ClosedElsewhere(locations=tuple(locations)), actor=actor, at=at)


def record_location_closed(
    request: ChildcareRequest,
    *,
    actor: User | None,
    at: datetime,
    location: str,
    location_id: int,
    closes_on: date,
    reason: str,
    was_placed: bool,
    offer_withdrawn: bool,
    reopened: Sequence[str],
) -> RequestEvent:
    """A chosen location closes; ``reopened``: locations whose choices are open again."""
    event = LocationClosed(
        location=location,
        location_id=location_id,
        closes_on=closes_on.isoformat(),
        reason=reason,
        was_placed=was_placed,
        offer_withdrawn=offer_withdrawn,
        reopened=tuple(reopened),
    )
    return _record(request, event, actor=actor, at=at)


def record_marked_urgent(
    request: ChildcareRequest, *, actor: User | None, at: datetime, locations: Sequence[str]
) -> RequestEvent:
    """Marked urgent; ``locations``: the ones the request was sent to as well."""
    return _record(request, MarkedUrgent(locations=tuple(locations)), actor=actor, at=at)
