"""Linking desk registrations to a parent's account: on login, on e-mail confirmation, on request.

Reading "Mijn aanvragen" changes nothing; a registration made at the loket with one of
the parent's verified e-mail addresses is linked when the parent logs in or confirms an
address (``PortalConfig.ready`` connects the allauth signals), or when they press the
button on "Mijn aanvragen" (a POST).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from shared.accounts.models import User
from shared.registry.selectors import unclaimed_entries_of
from tenants.requests import changes


def has_claimable_registrations(*, user: User) -> bool:
    """Whether a desk registration waits to be linked to this user (a verified address)."""
    return user.is_authenticated and unclaimed_entries_of(user).exists()


def desk_registrations_claim(*, request: HttpRequest | None, user: User) -> int:
    """Link the user's desk registrations to them; returns how many requests were linked.

    With a ``request`` the parent is told, on the next page they see.
    """
    claimed = changes.request_claim(user=user, now=timezone.now())
    count = len({entry.submission for entry in claimed})
    if count and request is not None:
        messages.success(
            request,
            ngettext(
                "A request registered for you at the loket is now linked to your account.",
                "%(count)d requests registered for you at the loket are now linked to your "
                "account.",
                count,
            )
            % {"count": count},
            fail_silently=True,
        )
    return count


def claim_on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """``user_logged_in``: a parent who logs in sees their desk registrations at once."""
    desk_registrations_claim(request=request, user=user)


def claim_on_email_confirmed(
    sender: Any, request: HttpRequest | None, email_address: EmailAddress, **kwargs: Any
) -> None:
    """``email_confirmed``: a newly verified address may be that of a desk registration."""
    desk_registrations_claim(request=request, user=email_address.user)
