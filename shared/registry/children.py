"""Which registry entries are one child: a ``Child`` identity, resolved when an entry is written.

The registry keeps keyed hashes only, so a child is recognised by them and by the family
(``RegistryEntry.family_key``), never by a name or by reading another loket's schema:

1. the same national-number key is the same child, whoever registered it;
2. within one family, a born child with the same name key, or a child whose (due or real)
   birth date lies within ``EXPECTED_BIRTH_WINDOW_DAYS`` of an unborn entry's due date,
   is the same child, unless the parent says it is another child (twins, a sibling);
3. across families, a born child with the same name key is a probable match: counted once
   (the same ``Child``) and listed as a ``PossibleDuplicate`` for loket staff. Unborn
   children of different families are never linked on surname and due date.

A match across families (rule 1 or 3) always makes a possible duplicate, and a pair that
staff rejected is never linked again. Knowing it is the same child gives one family no
power over another's requests: effects such as closing other choices when a place is
accepted stay within the family (``family_entries``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from shared.registry.models import Child, PossibleDuplicate, RegistryEntry, RequestStatus


@dataclass(frozen=True)
class ChildFacts:
    """What the registry may use to recognise a child: keyed hashes, a family, a date."""

    name_key: str
    national_number_key: str
    family_key: str
    is_expected_birth: bool
    birth_date: date | None  # the due date while unborn; None: not known here


@dataclass(frozen=True)
class Resolution:
    """The child an entry belongs to, and the other families' entries it was matched to."""

    child: Child
    matched_elsewhere: tuple[RegistryEntry, ...] = ()
    reason: str = ""  # PossibleDuplicate.Reason of the match across families


class NotYourChild(LookupError):
    """The parent named a child identity that is not one of their family's."""


def _window() -> timedelta:
    return timedelta(days=settings.EXPECTED_BIRTH_WINDOW_DAYS)


def family_children(family_key: str) -> QuerySet[Child]:
    """The children a family registered (none for an entry without a family)."""
    if not family_key:
        return Child.objects.none()
    return Child.objects.filter(entries__family_key=family_key).distinct()


def family_entries(entry: RegistryEntry) -> QuerySet[RegistryEntry]:
    """The entries of this child in this entry's family: the only ones its changes reach."""
    same_child = RegistryEntry.objects.filter(child_id=entry.child_id)
    if not entry.family_key:
        return same_child.filter(pk=entry.pk)
    return same_child.filter(family_key=entry.family_key)


def in_one_family(one: RegistryEntry, other: RegistryEntry) -> bool:
    """Whether two entries belong to one family (an entry without a family only to itself)."""
    if one.pk == other.pk:
        return True
    return bool(one.family_key) and one.family_key == other.family_key


def duplicates_placed_elsewhere(
    *, placed: RegistryEntry, others: Iterable[RegistryEntry], now: datetime
) -> list[PossibleDuplicate]:
    """A place was accepted for ``placed``; other families' open entries of its child stay
    open, and the possible duplicate between them says so (one is made if none was open)."""
    marked = []
    for other in others:
        duplicate = PossibleDuplicate.objects.filter(
            Q(entry=placed, other=other) | Q(entry=other, other=placed),
            status=PossibleDuplicate.Status.OPEN,
        ).first()
        if duplicate is None:
            same_number = bool(other.national_number_key) and (
                other.national_number_key == placed.national_number_key
            )
            duplicate = PossibleDuplicate.objects.create(
                entry=other,
                other=placed,
                reason=PossibleDuplicate.Reason.NATIONAL_NUMBER
                if same_number
                else PossibleDuplicate.Reason.NAME_AND_BIRTH_DATE,
                found_at=now,
            )
        duplicate.placed_elsewhere_at = now
        duplicate.save(update_fields=["placed_elsewhere_at"])
        marked.append(duplicate)
    return marked


def _rejected(family_key: str, child: Child) -> bool:
    """Staff decided this family's child and ``child`` are different children."""
    if not family_key:
        return False
    return PossibleDuplicate.objects.filter(
        Q(entry__family_key=family_key, other__child=child)
        | Q(other__family_key=family_key, entry__child=child),
        status=PossibleDuplicate.Status.REJECTED,
    ).exists()


def _latest_child(entries: Iterable[RegistryEntry]) -> Child | None:
    latest = max(entries, key=lambda entry: (entry.registered_at, entry.pk), default=None)
    return latest.child if latest is not None else None


def _in_family(facts: ChildFacts, *, excluding: int | None = None) -> Child | None:
    if not facts.family_key:
        return None
    family = list(
        RegistryEntry.objects.select_related("child")
        .filter(family_key=facts.family_key)
        .exclude(child_id=excluding)
    )
    if not facts.is_expected_birth:
        named = [e for e in family if e.expected_birth is None and e.name_key == facts.name_key]
        if named:
            return _latest_child(named)
    if facts.birth_date is None:
        return None
    window = _window()
    unborn = [
        entry
        for entry in family
        if entry.expected_birth is not None
        and abs(entry.expected_birth - facts.birth_date) <= window
    ]
    return _latest_child(unborn)


def _elsewhere(
    facts: ChildFacts, *, excluding: int | None = None
) -> tuple[Child | None, list[RegistryEntry], str]:
    """A probable match in other families: by national number, else by name (born only).

    ``excluding``: a child whose entries are not looked at (the one being relinked).
    """
    others = RegistryEntry.objects.select_related("child")
    if excluding is not None:
        others = others.exclude(child_id=excluding)
    if facts.family_key:
        others = others.exclude(family_key=facts.family_key)
    for reason, matches in (
        (
            PossibleDuplicate.Reason.NATIONAL_NUMBER,
            others.filter(national_number_key=facts.national_number_key)
            if facts.national_number_key
            else others.none(),
        ),
        (
            PossibleDuplicate.Reason.NAME_AND_BIRTH_DATE,
            others.filter(name_key=facts.name_key, expected_birth__isnull=True)
            if not facts.is_expected_birth
            else others.none(),
        ),
    ):
        entries = list(matches)
        # One look-up per child matched, not per entry: a child has entries in many lokets.
        rejected = {
            child.pk
            for child in {entry.child_id: entry.child for entry in entries}.values()
            if _rejected(facts.family_key, child)
        }
        found = [entry for entry in entries if entry.child_id not in rejected]
        if found:
            child = _latest_child(found)
            return child, [entry for entry in found if entry.child_id == child.pk], reason
    return None, [], ""


def _find(
    facts: ChildFacts, *, another_child: bool = False
) -> tuple[Child | None, tuple[RegistryEntry, ...], str]:
    """The child these facts belong to, and other families' entries matched on the way."""
    if facts.national_number_key and facts.family_key:
        own = RegistryEntry.objects.select_related("child").filter(
            family_key=facts.family_key, national_number_key=facts.national_number_key
        )
        if child := _latest_child(own):
            return child, (), ""
    if not another_child and (child := _in_family(facts)):
        return child, (), ""
    # "Another child" speaks of the family's own children; other families still match.
    child, matched, reason = _elsewhere(facts)
    return child, tuple(matched), reason


def child_resolve(
    *, facts: ChildFacts, chosen: Child | None = None, another_child: bool = False
) -> Resolution:
    """The child a new or changed entry with ``facts`` belongs to (a new one if none fits).

    ``chosen``: the parent said which of their children it is (``NotYourChild`` unless
    the family registered it). ``another_child``: the parent said it is none of the
    children registered before: only other families' entries can still match.
    """
    if chosen is not None:
        if not family_children(facts.family_key).filter(pk=chosen.pk).exists():
            raise NotYourChild(chosen.public_id)
        return Resolution(child=chosen)
    child, matched, reason = _find(facts, another_child=another_child)
    if child is None:
        return Resolution(child=Child.objects.create())
    return Resolution(child=child, matched_elsewhere=matched, reason=reason)


def duplicates_record(
    *, entry: RegistryEntry, resolution: Resolution, now: datetime
) -> list[PossibleDuplicate]:
    """The possible duplicates a new entry makes with other families' entries of its child."""
    by_family: dict[str, RegistryEntry] = {}
    for other in sorted(resolution.matched_elsewhere, key=lambda e: (e.registered_at, e.pk)):
        by_family.setdefault(other.family_key or f"entry:{other.pk}", other)
    return [
        PossibleDuplicate.objects.get_or_create(
            entry=entry,
            other=other,
            defaults={"reason": resolution.reason, "found_at": now},
        )[0]
        for other in by_family.values()
    ]


def child_merge(*, keep: Child, gone: Child) -> Child:
    """One child after all: every entry of ``gone`` becomes ``keep``'s; ``gone`` is deleted."""
    if keep.pk == gone.pk:
        return keep
    RegistryEntry.objects.filter(child=gone).update(child=keep)
    gone.delete()
    return keep


def child_split(*, entries: Iterable[RegistryEntry]) -> Child:
    """These entries (one family's) are a child of their own: a new identity for them."""
    child = Child.objects.create()
    RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(child=child)
    return child


def child_relink(*, entries: Iterable[RegistryEntry], facts: ChildFacts, now: datetime) -> Child:
    """The child of ``entries`` (one family's, one child) has new ``facts``: link it anew.

    Called when the entries already hold the new keys (a child born and named, details
    corrected). Their identity stays: another identity of the same family that is now
    the same child (the same national-number key, or a born child with the same name key;
    never a due date, so unborn twins stay two) merges into it. In other families, a new
    match by national number or name makes it one child with theirs, as at registration
    (rule 3): the other family's identity is kept, the entries join it, and a possible
    duplicate goes to loket staff; a pair staff rejected is never linked again.
    """
    entries = list(entries)
    child = Child.objects.get(pk=entries[0].child_id)
    if facts.family_key:
        same = Q(pk__in=[])
        if not facts.is_expected_birth:
            same |= Q(expected_birth__isnull=True, name_key=facts.name_key)
        if facts.national_number_key:
            same |= Q(national_number_key=facts.national_number_key)
        others = (
            RegistryEntry.objects.filter(same, family_key=facts.family_key)
            .exclude(child_id=child.pk)
            .values_list("child_id", flat=True)
        )
        for gone in Child.objects.filter(pk__in=list(others)).order_by("pk"):
            child_merge(keep=child, gone=gone)
    found, matched, reason = _elsewhere(facts, excluding=child.pk)
    if found is None:
        return child
    child = child_merge(keep=found, gone=child)
    first = min(entries, key=lambda entry: (entry.registered_at, entry.pk))
    duplicates_record(
        entry=first,
        resolution=Resolution(child=child, matched_elsewhere=tuple(matched), reason=reason),
        now=now,
    )
    return child


def open_entries_of(facts: ChildFacts, *, across_families: bool = False) -> QuerySet[RegistryEntry]:
    """Open entries of the child these facts belong to (nothing is created to find them).

    By default only the family's own: what a parent may be told ("your child already has
    an open request at …") and may add to, never another family's. Loket staff at the
    desk also see the probable matches of other families (``across_families``).
    """
    child, _matched, _reason = _find(facts)
    if child is None:
        return RegistryEntry.objects.none()
    entries = RegistryEntry.objects.filter(child=child, status=RequestStatus.OPEN)
    if not across_families:
        if not facts.family_key:
            return RegistryEntry.objects.none()
        entries = entries.filter(family_key=facts.family_key)
    return entries.select_related("loket").order_by("registered_at", "id")


def family_join(*, entries: Iterable[RegistryEntry], family_key: str) -> None:
    """Entries (desk registrations a parent claimed) join the parent's family.

    A child the family registered itself and the claimed entry's child are then one
    child when rule 2 says so: the two identities merge.
    """
    entries = list(entries)
    RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        family_key=family_key
    )
    for entry in entries:
        entry.family_key = family_key
        entry.refresh_from_db(fields=["child"])
        facts = ChildFacts(
            name_key=entry.name_key,
            national_number_key=entry.national_number_key,
            family_key=family_key,
            is_expected_birth=entry.expected_birth is not None,
            birth_date=entry.expected_birth,
        )
        same = _in_family(facts, excluding=entry.child_id)
        if same is not None:
            child_merge(keep=same, gone=entry.child)
