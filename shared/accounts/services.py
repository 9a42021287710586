"""Creating accounts and granting roles."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket, Region


@transaction.atomic
def user_ensure(
    *, email: str, password: str, full_name: str = "", email_verified: bool = True
) -> User:
    """Create the account if it does not exist yet (idempotent); return it."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    EmailAddress.objects.update_or_create(
        user=user,
        email=email,
        defaults={"verified": email_verified, "primary": True},
    )
    return user


def membership_grant(
    *, user: User, role: str, loket: Loket | None = None, region: Region | None = None
) -> Membership:
    """Give ``user`` a role in a loket (or, for coordinators, a region); idempotent."""
    membership, _ = Membership.objects.get_or_create(
        user=user, role=role, loket=loket, region=region
    )
    return membership
