"""Reading the child registry: which entries are the same child, which are open.

"The same child" is decided here only: the same keyed hash of the folded names and date
of birth, or the same keyed hash of the national register number. Nothing here reads a
loket's schema; callers get entries (loket, reference, status), never their content.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet

from shared.accounts.models import User
from shared.registry.identity import email_key
from shared.registry.models import RegistryEntry, RequestStatus


class ChildKeyed(Protocol):
    """Anything that carries a child's registry keys (a ``RegistryEntry``, ``ChildKeys``)."""

    name_key: str
    national_number_key: str


def same_child_q(children: Iterable[ChildKeyed]) -> Q:
    """A filter for the registry entries of any of ``children``."""
    matches = Q(pk__in=[])
    for child in children:
        matches |= Q(name_key=child.name_key)
        if child.national_number_key:
            matches |= Q(national_number_key=child.national_number_key)
    return matches


def is_same_child(one: ChildKeyed, other: ChildKeyed) -> bool:
    """Whether two entries (or sets of keys) are the same child, by the rule above."""
    if one.name_key == other.name_key:
        return True
    return bool(one.national_number_key) and one.national_number_key == other.national_number_key


def entries_of_child(children: Iterable[ChildKeyed]) -> QuerySet[RegistryEntry]:
    """Every registry entry of ``children``, in any loket and any status, in id order."""
    return RegistryEntry.objects.filter(same_child_q(list(children))).order_by("id")


def open_entries_of_child(child: ChildKeyed) -> QuerySet[RegistryEntry]:
    """The open entries of this child in any loket, oldest registration first."""
    return (
        RegistryEntry.objects.filter(same_child_q([child]), status=RequestStatus.OPEN)
        .select_related("loket")
        .order_by("registered_at", "id")
    )


def unclaimed_entries_of(user: User) -> QuerySet[RegistryEntry]:
    """Desk registrations made with one of the user's verified e-mail addresses, not linked yet.

    Found by the keyed hash of the contact e-mail: the registry never holds the address.
    """
    keys = {
        email_key(address)
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    return RegistryEntry.objects.filter(parent__isnull=True, claim_email_key__in=keys)
