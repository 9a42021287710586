"""Finding a child in the registry at the desk: which children match, and where they are.

Before loket staff register a request for a parent at the desk, they look the child up,
so that the new request joins a child the registry knows instead of making a new
identity. The search uses the registry's own keyed hashes (``identity.child_keys``): the
folded first name, last name and date of birth, or the national register number. What
comes back is, per child, the lokets, statuses and registration dates of its requests; a
reference only of the asking loket's own requests, never anything of a request's content.

A last name with a due date does not tell children of different families apart (an
unborn child has no first name yet), and staff search across families: so a search needs
a first name or a national register number (as ``children`` never links unborn children
of different families on surname and due date).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared.lokets.models import Loket
from shared.registry.identity import child_keys, validate_national_number
from shared.registry.models import RegistryEntry, RequestStatus

UNBORN_NOT_SEARCHABLE = _(
    "Fill in the first name. An unborn child has no first name yet, and a last name with a "
    "due date is not enough to tell children of different families apart: for an unborn "
    "child, search by national register number, or register it as a new child."
)


@dataclass(frozen=True)
class ChildEntry:
    """One request of a matching child, as any loket may know it."""

    loket_id: int
    loket_name: str
    status: str  # a ``RequestStatus`` value
    registered_on: date
    reference: str  # only for the asking loket's own requests; empty for other lokets'

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)


@dataclass(frozen=True)
class ChildMatch:
    """A child identity whose entries match the search, with every request of it."""

    child_id: uuid.UUID  # ``Child.public_id``
    entries: tuple[ChildEntry, ...]

    def entries_of(self, loket: Loket) -> tuple[ChildEntry, ...]:
        return tuple(entry for entry in self.entries if entry.loket_id == loket.pk)


def search_errors(
    *, first_name: str, last_name: str, birth_date: date | None, national_number: str
) -> dict[str, list[str]]:
    """Why these search terms cannot be searched on, by field (empty: they can).

    The national register number alone is enough; names go with all three of first
    name, last name and date of birth.
    """
    errors: dict[str, list[str]] = {}
    has_number = bool(national_number.strip())
    has_names = bool(first_name.strip() or last_name.strip() or birth_date)
    if not has_number and not has_names:
        errors[NON_FIELD_ERRORS] = [
            _(
                "Fill in the child's first name, last name and date of birth, or the "
                "national register number."
            )
        ]
        return errors
    if has_number:
        try:
            validate_national_number(national_number)
        except ValidationError as error:
            errors["national_number"] = list(error.messages)
    if has_names:
        if not first_name.strip():
            errors["first_name"] = [
                _("Fill in the child's first name.") if has_number else UNBORN_NOT_SEARCHABLE
            ]
        if not last_name.strip():
            errors["last_name"] = [_("Fill in the child's last name.")]
        if birth_date is None:
            errors["birth_date"] = [_("Fill in the child's date of birth (or due date).")]
    return errors


def children_matching(
    *,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    national_number: str = "",
    loket: Loket | None = None,
) -> list[ChildMatch]:
    """The children whose entries match the name key or the national-number key.

    Per child every entry, in any loket and status, oldest first; children in the order
    of their first registration. ``loket``: the asking loket, whose own entries carry
    their reference. Raises ``ValidationError`` (per field) on terms that cannot be
    searched on (``search_errors``).
    """
    if errors := search_errors(
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        national_number=national_number,
    ):
        raise ValidationError(errors)
    matches = Q()
    if first_name.strip():
        assert birth_date is not None  # checked by search_errors
        keys = child_keys(first_name=first_name, last_name=last_name, birth_date=birth_date)
        matches |= Q(name_key=keys.name_key)
    if national_number.strip():
        keys = child_keys(
            first_name="", last_name="", birth_date=date.min, national_number=national_number
        )
        matches |= Q(national_number_key=keys.national_number_key)
    entries = (
        RegistryEntry.objects.filter(
            child_id__in=RegistryEntry.objects.filter(matches).values("child_id")
        )
        .select_related("loket", "child")
        .order_by("registered_at", "id")
    )
    children: dict[uuid.UUID, list[ChildEntry]] = {}
    for entry in entries:
        children.setdefault(entry.child.public_id, []).append(
            ChildEntry(
                loket_id=entry.loket_id,
                loket_name=entry.loket.name,
                status=entry.status,
                registered_on=timezone.localdate(entry.registered_at),
                reference=entry.reference
                if loket is not None and entry.loket_id == loket.pk
                else "",
            )
        )
    return [
        ChildMatch(child_id=child_id, entries=tuple(found)) for child_id, found in children.items()
    ]
