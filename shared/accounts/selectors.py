"""Who may do what: roles read from memberships."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket, Region


def roles_in_loket(*, user: User, loket: Loket) -> set[str]:
    """The roles ``user`` holds in ``loket`` (none for anonymous visitors)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, loket=loket).values_list("role", flat=True))


def has_loket_role(*, user: User, loket: Loket, roles: Iterable[str]) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, loket=loket, role__in=list(roles)).exists()


def is_region_coordinator(*, user: User, region: Region) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, region=region, role=Membership.Role.REGION_COORDINATOR
    ).exists()


def loket_team(*, loket: Loket) -> QuerySet[Membership]:
    """The staff memberships of one loket, for its team page."""
    return (
        Membership.objects.filter(loket=loket)
        .select_related("user")
        .order_by("role", "user__email")
    )
