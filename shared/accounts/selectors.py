"""Memberships read for display: a user's roles in a loket, a loket's team.

Whether a role lets someone in is decided in ``shared.accounts.permissions`` (the role
table), not here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket


def roles_in_loket(*, user: User, loket: Loket) -> set[str]:
    """The roles ``user`` holds in ``loket`` (none for anonymous visitors)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, loket=loket).values_list("role", flat=True))


def loket_team(*, loket: Loket) -> QuerySet[Membership]:
    """The staff memberships of one loket, for its team page."""
    return (
        Membership.objects.filter(loket=loket)
        .select_related("user")
        .order_by("role", "user__email")
    )
