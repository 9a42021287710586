"""Memberships read for display: a user's roles in a loket, a loket's team.

Whether a role lets someone in is decided in ``shared.accounts.permissions`` (the role
table), not here.
"""

from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import SERVICE_ACCOUNT_DOMAIN, Invitation, Membership, User
from shared.lokets.models import Loket, Region


def roles_in_loket(*, user: User, loket: Loket) -> set[str]:
    """The roles ``user`` holds in ``loket`` (none for anonymous visitors)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, loket=loket).values_list("role", flat=True))


def _people(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Without the accounts of planning software: they are managed (and revoked) on the
    planning software's page, not in the team."""
    return memberships.exclude(user__email__endswith=f"@{SERVICE_ACCOUNT_DOMAIN}")


def loket_team(*, loket: Loket) -> QuerySet[Membership]:
    """The staff memberships of one loket, for its team page: people only."""
    return (
        _people(Membership.objects.filter(loket=loket))
        .select_related("user")
        .order_by("role", "user__email")
    )


def region_team(*, region: Region) -> QuerySet[Membership]:
    """The coordinators of one region, for its team page on the portal."""
    return (
        Membership.objects.filter(region=region)
        .select_related("user")
        .order_by("role", "user__email")
    )


def team_membership(
    *, pk: int, loket: Loket | None = None, region: Region | None = None
) -> Membership | None:
    """One membership of this loket's (or region's) team; None for any other."""
    if loket is None and region is None:
        return None
    scope = {"loket": loket} if loket is not None else {"region": region}
    return (
        _people(Membership.objects.filter(pk=pk, **scope))
        .select_related("user", "loket", "region")
        .first()
    )


def pending_invitations(
    *, loket: Loket | None = None, region: Region | None = None
) -> QuerySet[Invitation]:
    """Invitations of this loket (or region) not accepted nor cancelled, expired ones too
    (they can be resent), newest first."""
    if loket is None and region is None:
        return Invitation.objects.none()
    scope = {"loket": loket} if loket is not None else {"region": region}
    return Invitation.objects.filter(
        accepted_at__isnull=True, cancelled_at__isnull=True, **scope
    ).select_related("invited_by")


def team_invitation(
    *, pk: int, loket: Loket | None = None, region: Region | None = None
) -> Invitation | None:
    """One invitation of this loket (or region); None for any other."""
    if loket is None and region is None:
        return None
    scope = {"loket": loket} if loket is not None else {"region": region}
    return Invitation.objects.select_related("loket", "region").filter(pk=pk, **scope).first()


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
