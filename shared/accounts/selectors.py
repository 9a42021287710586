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


def verified_email(*, user: User) -> str:
    """The account's verified address (its primary one first); empty when none is verified.

    Mail that names a child goes only there: an address typed in a form may hold a typo.
    """
    from allauth.account.models import EmailAddress

    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "id")
        .values_list("email", flat=True)
        .first()
        or ""
    )
