"""Loket staff decide possible duplicates: one child after all, or two children for good.

Two families registered what looks like one child (``shared.registry.children``, rule 1 or
3): both entries point to one ``Child`` and a ``PossibleDuplicate`` waits. Staff of a loket
that holds one of its two entries decide it:

- *confirm*: they are one child; the entries stay together (and are counted once);
- *reject*: two children; ``entry`` and the entries of its family for that child get an
  identity of their own (``child_split``). ``children._rejected`` then never links that
  family to that child again;
- *split a family off* (``child_split_family``): an identity that was merged wrongly
  without an open duplicate (one was confirmed by mistake, say); recorded as a rejected
  duplicate with each other family, so that it is not linked again either.

Each decision locks the child's registry entries first, in id order (the lock order of
``tenants.requests.parts``), then the duplicate rows. Nothing here reads a loket's schema
nor writes a loket's audit trail: ``tenants.requests.duplicates`` wraps these services for
pages and API and records each decision in the deciding loket's trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from opvangloket.errors import NotFound
from shared.accounts.models import User
from shared.accounts.permissions import Access, has_access
from shared.lokets.models import Loket
from shared.registry.children import child_split, family_entries, in_one_family
from shared.registry.models import Child, PossibleDuplicate, RegistryEntry, RequestStatus

DECISION_REASON_MAX_LENGTH = 500
Status = PossibleDuplicate.Status


class DuplicateNotFound(NotFound):
    """No possible duplicate by that id in this loket (another loket's included): 404."""


# --- Selectors -------------------------------------------------------------------------


def duplicates_for_loket(*, loket: Loket, status: str | None = None) -> QuerySet[PossibleDuplicate]:
    """The possible duplicates with an entry in ``loket``: open ones first, oldest first."""
    duplicates = PossibleDuplicate.objects.filter(
        Q(entry__loket=loket) | Q(other__loket=loket)
    ).select_related("entry__loket", "other__loket")
    if status:
        duplicates = duplicates.filter(status=status)
    return duplicates.order_by(
        Case(
            When(status=Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "found_at",
        "id",
    )


def duplicate_of_loket(*, loket: Loket, duplicate_id: int) -> PossibleDuplicate:
    """One possible duplicate of ``loket`` (``DuplicateNotFound`` for any other)."""
    duplicate = duplicates_for_loket(loket=loket).filter(pk=duplicate_id).first()
    if duplicate is None:
        raise DuplicateNotFound(duplicate_id)
    return duplicate


def open_duplicates_count(*, loket: Loket) -> int:
    return duplicates_for_loket(loket=loket, status=Status.OPEN).count()


def open_duplicate_of_request(*, loket: Loket, request_id: int) -> PossibleDuplicate | None:
    """The open possible duplicate of this loket's request ``request_id``, if any."""
    return (
        duplicates_for_loket(loket=loket, status=Status.OPEN)
        .filter(
            Q(entry__loket=loket, entry__request_id=request_id)
            | Q(other__loket=loket, other__request_id=request_id)
        )
        .first()
    )


@dataclass(frozen=True)
class DuplicateSide:
    """One of the two requests, as a loket may see it: its own reference, else only where."""

    loket_name: str
    status: str  # RequestStatus
    reference: str  # "" unless the request is the viewing loket's own
    request_id: int | None  # None unless the request is the viewing loket's own

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)


@dataclass(frozen=True)
class DuplicateView:
    """A possible duplicate as staff of one loket see it."""

    duplicate: PossibleDuplicate
    own: DuplicateSide  # this loket's request (the later registration if both are)
    other: DuplicateSide

    @property
    def id(self) -> int:
        return self.duplicate.pk

    @property
    def placed_elsewhere_on(self) -> date | None:
        at = self.duplicate.placed_elsewhere_at
        return at.date() if at is not None else None


def _side(entry: RegistryEntry, loket: Loket) -> DuplicateSide:
    own = entry.loket_id == loket.pk
    return DuplicateSide(
        loket_name=entry.loket.name,
        status=entry.status,
        reference=entry.reference if own else "",
        request_id=entry.request_id if own else None,
    )


def duplicate_view(*, duplicate: PossibleDuplicate, loket: Loket) -> DuplicateView:
    """What ``loket`` may see of ``duplicate``: never another loket's reference or more."""
    own, other = duplicate.entry, duplicate.other
    if own.loket_id != loket.pk:
        own, other = other, own
    return DuplicateView(duplicate=duplicate, own=_side(own, loket), other=_side(other, loket))


def duplicates_waiting_in(
    *, loket_ids: Iterable[int] | None, start: datetime, end: datetime
) -> int:
    """Open possible duplicates with an entry of these lokets (None: any) registered in
    ``[start, end)``: decisions that can still change those figures."""

    def side(name: str) -> Q:
        condition = Q(**{f"{name}__registered_at__gte": start, f"{name}__registered_at__lt": end})
        if loket_ids is not None:
            condition &= Q(**{f"{name}__loket_id__in": list(loket_ids)})
        return condition

    return PossibleDuplicate.objects.filter(
        side("entry") | side("other"), status=Status.OPEN
    ).count()


# --- Services --------------------------------------------------------------------------


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you decide so.")}, code="required")
    if len(reason) > DECISION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(max)d characters.")
                % {"max": DECISION_REASON_MAX_LENGTH}
            },
            code="max_length",
        )
    return reason


def _check_decides(*, actor: User, loket: Loket, entries: Iterable[RegistryEntry]) -> None:
    """Loket staff of ``loket``, and ``loket`` holds one of ``entries``: else PermissionDenied."""
    if not any(entry.loket_id == loket.pk for entry in entries):
        raise PermissionDenied
    if not has_access(Access.LOKET_STAFF, user=actor, loket=loket):
        raise PermissionDenied


def _lock(duplicate: PossibleDuplicate) -> PossibleDuplicate:
    """The child's entries (id order), then the duplicate: read again under the locks."""
    children = RegistryEntry.objects.filter(pk__in=[duplicate.entry_id, duplicate.other_id]).values(
        "child_id"
    )
    list(
        RegistryEntry.objects.select_for_update(of=("self",))
        .filter(child_id__in=children)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return (
        PossibleDuplicate.objects.select_for_update(of=("self",))
        .select_related("entry__loket", "other__loket")
        .get(pk=duplicate.pk)
    )


def _decide(
    duplicate: PossibleDuplicate, *, status: str, actor: User, reason: str, now: datetime
) -> PossibleDuplicate:
    duplicate.status = status
    duplicate.decided_by = actor
    duplicate.decided_at = now
    duplicate.decision_reason = reason
    duplicate.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return duplicate


def _open_or_refuse(duplicate: PossibleDuplicate) -> None:
    if duplicate.status != Status.OPEN:
        raise ValidationError(
            _("This possible duplicate was decided already (%(status)s).")
            % {"status": duplicate.get_status_display()},
            code="decided",
        )


@transaction.atomic
def duplicate_confirm(
    *, duplicate: PossibleDuplicate, loket: Loket, actor: User, reason: str, now: datetime
) -> PossibleDuplicate:
    """Staff of ``loket`` say it is one child: the entries stay together, counted once.

    The families' requests stay each their own: confirming gives neither family any say
    over the other's. Open duplicates only (ValidationError); a loket that holds one of
    its entries, its loket staff only (PermissionDenied).
    """
    reason = _check_reason(reason)
    duplicate = _lock(duplicate)
    _check_decides(actor=actor, loket=loket, entries=(duplicate.entry, duplicate.other))
    _open_or_refuse(duplicate)
    if duplicate.entry.child_id != duplicate.other.child_id:
        # Split apart meanwhile (another decision about this child): reject it instead.
        raise ValidationError(
            _("These requests are no longer one child; only rejecting is still possible."),
            code="split",
        )
    return _decide(duplicate, status=Status.CONFIRMED, actor=actor, reason=reason, now=now)


@transaction.atomic
def duplicate_reject(
    *, duplicate: PossibleDuplicate, loket: Loket, actor: User, reason: str, now: datetime
) -> PossibleDuplicate:
    """Staff of ``loket`` say these are two children: for good.

    ``entry`` and the entries of its family for that child get a new identity; the
    registry never links that family to the other child again (``children._rejected``).
    """
    reason = _check_reason(reason)
    duplicate = _lock(duplicate)
    _check_decides(actor=actor, loket=loket, entries=(duplicate.entry, duplicate.other))
    _open_or_refuse(duplicate)
    if duplicate.entry.child_id == duplicate.other.child_id:
        child_split(entries=family_entries(duplicate.entry))
    return _decide(duplicate, status=Status.REJECTED, actor=actor, reason=reason, now=now)


@transaction.atomic
def child_split_family(
    *, entry: RegistryEntry, loket: Loket, actor: User, reason: str, now: datetime
) -> tuple[Child, list[PossibleDuplicate]]:
    """Staff of ``loket`` split the family of ``entry`` (one of their requests) off its child.

    For an identity merged wrongly across families (a duplicate confirmed by mistake, a
    national number typed wrong). Recorded as a rejected duplicate with one entry of each
    other family of the child (an open one between them is rejected), so that it is never
    linked again. Returns the family's new child and those records.
    """
    reason = _check_reason(reason)
    list(
        RegistryEntry.objects.select_for_update(of=("self",))
        .filter(child_id=RegistryEntry.objects.filter(pk=entry.pk).values("child_id")[:1])
        .order_by("id")
        .values_list("id", flat=True)
    )
    entry = RegistryEntry.objects.select_related("loket").get(pk=entry.pk)
    _check_decides(actor=actor, loket=loket, entries=(entry,))
    same_child = list(
        RegistryEntry.objects.select_related("loket")
        .filter(child_id=entry.child_id)
        .order_by("registered_at", "id")
    )
    others: dict[str, RegistryEntry] = {}
    for other in same_child:
        if not in_one_family(other, entry):
            others.setdefault(other.family_key or f"entry:{other.pk}", other)
    if not others:
        raise ValidationError(
            _("Only this family's requests belong to this child: there is nothing to split."),
            code="one_family",
        )
    own = list(family_entries(entry))
    own_ids = {one.pk for one in own}
    records = []
    for other in others.values():
        duplicate = (
            PossibleDuplicate.objects.select_for_update(of=("self",))
            .filter(
                Q(entry_id__in=own_ids, other__child_id=entry.child_id)
                | Q(other_id__in=own_ids, entry__child_id=entry.child_id),
                status=Status.OPEN,
            )
            .filter(Q(entry=other) | Q(other=other))
            .first()
        )
        if duplicate is None:
            duplicate, _created = PossibleDuplicate.objects.get_or_create(
                entry=entry,
                other=other,
                defaults={"reason": _match_reason(entry, other), "found_at": now},
            )
        records.append(
            _decide(duplicate, status=Status.REJECTED, actor=actor, reason=reason, now=now)
        )
    child = child_split(entries=own)
    return child, records


def _match_reason(one: RegistryEntry, other: RegistryEntry) -> str:
    if one.national_number_key and one.national_number_key == other.national_number_key:
        return PossibleDuplicate.Reason.NATIONAL_NUMBER
    return PossibleDuplicate.Reason.NAME_AND_BIRTH_DATE
