"""Reading the child registry: the entries of a child, the desk registrations to claim.

Which entries are one child is decided when they are written (``shared.registry.children``
links each to a ``Child``); here it is only read. Nothing here reads a loket's schema:
callers get entries (loket, reference, status), never their content.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from shared.accounts.models import User
from shared.registry.identity import email_key
from shared.registry.models import RegistryEntry


def entries_of_child(entries: Iterable[RegistryEntry]) -> QuerySet[RegistryEntry]:
    """Every registry entry of the children of ``entries``, in any loket, family and status.

    For loket staff and for locking; what one family may see or change of them is
    ``shared.registry.children.family_entries``.
    """
    return RegistryEntry.objects.filter(
        child_id__in={entry.child_id for entry in entries}
    ).order_by("id")


def is_same_child(one: RegistryEntry, other: RegistryEntry) -> bool:
    return one.child_id == other.child_id


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
