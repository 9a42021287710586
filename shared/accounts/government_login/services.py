"""Recording a guardian proven by government login on their account."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shared.accounts.models import User


def account_of_guardian(key: str) -> User | None:
    """The account holding this guardian key (at most one: a unique constraint)."""
    if not key:
        return None
    return User.objects.filter(guardian_key=key).first()


@transaction.atomic
def guardian_key_record(*, user: User, key: str) -> None:
    """Put the keyed hash of the national register number on ``user``'s account.

    Refused when another account holds it (one number, one account) or when the account
    was proven with another number: the login stops with a message, nothing changes.
    """
    if not key or user.guardian_key == key:
        return
    if user.guardian_key:
        raise ValidationError(
            _("This account belongs to another person. Log in with your own account."),
            code="other_person",
        )
    if User.objects.filter(guardian_key=key).exclude(pk=user.pk).exists():
        raise ValidationError(
            _(
                "Your national register number is already linked to another account. "
                "Log in with the government login to reach that account."
            ),
            code="guardian_elsewhere",
        )
    user.guardian_key = key
    user.save(update_fields=["guardian_key"])
