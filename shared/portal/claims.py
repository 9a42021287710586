"""Linking desk registrations to a parent's account: on login, on e-mail confirmation, on request.

Reading "Mijn aanvragen" changes nothing; a registration made at the loket with one of
the parent's verified e-mail addresses is linked when the parent logs in or confirms an
address (``PortalConfig.ready`` connects the allauth signals), or when they press the
button on "Mijn aanvragen" (a POST). Any desk registration, with or without e-mail, is
linked when the parent types its reference and the claim code of its receipt
(``desk_registration_claim_with_code``: the page ``/mijn-aanvragen/koppelen/`` and
``POST /api/v1/my/claims/``), a limited number of times (``claim_throttle``).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from shared.accounts.models import User
from shared.portal.claim_throttle import claim_attempt_succeeded, claim_attempt_wait
from shared.registry.models import RegistryEntry
from shared.registry.selectors import unclaimed_entries_of
from tenants.requests import changes
from tenants.requests.claim_codes import request_claim_with_code


class ClaimThrottled(ValidationError):
    """Too many attempts with claim codes: wait ``seconds`` (the code was not checked)."""

    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            ngettext(
                "Too many attempts to link a request. Wait %(minutes)d minute and try again.",
                "Too many attempts to link a request. Wait %(minutes)d minutes and try again.",
                minutes,
            )
            % {"minutes": minutes},
            code="throttled",
        )
        self.seconds = seconds


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


def desk_registration_claim_with_code(
    *, request: HttpRequest, user: User, reference: str, code: str
) -> list[RegistryEntry]:
    """Link the desk registration of ``reference`` to ``user`` with its receipt's claim code.

    Every attempt counts towards the limits before the code is checked (``ClaimThrottled``
    once they are reached); any code or reference that does not fit is one refusal
    (``tenants.requests.claim_codes.ClaimRefused``).
    """
    wait = claim_attempt_wait(request, user=user)
    if wait:
        raise ClaimThrottled(wait)
    claimed = request_claim_with_code(user=user, reference=reference, code=code, now=timezone.now())
    claim_attempt_succeeded(user=user)
    return claimed
