"""Staff's second factor (allauth.mfa): who must have one, and the one place that makes them.

Every staff account (a ``Membership`` of any role, or ``is_staff``/``is_superuser``: the
platform's operators) that logged in with a password (or signed up with one) must set up a
second factor before anything else: an authenticator app (TOTP) or a security key or
passkey (WebAuthn), either with recovery codes. ``SecondFactorMiddleware`` is the one
check, on every host: such a session is sent to the setup page
(``second_factor_views.setup_page``: it offers both) or refused with 403 (``/api/``) until
the account has one. From then on allauth's login asks for the app's code or the key after
the password (``AuthenticateStage``), throttled like the password (``_throttled``).

A security key belongs to the host it was registered on: the WebAuthn relying party is the
host the person uses (``MFAAdapter.get_public_key_credential_rp_entity``), so each loket
host, portal and the base domain is a relying party of its own.

Which sessions count as strong, from the record allauth keeps of how a session was
authenticated (``allauth.account.authentication.get_authentication_records``):

- a second factor (``mfa``) was used: strong;
- the government login (``socialaccount``: ACM/IDM, eID or itsme) was used: strong, and its
  login is never asked for a code either;
- any other record (a password, a password sign-up's ``signup``, a password reset's
  login): weak;
- no record at all: only sessions made by code, never by a login of the product (every
  login page is allauth's and records its method); tests' ``force_login`` makes those.

Parents (no membership, not an operator) are never asked.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa import stages as mfa_stages
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from opvangloket.crypto import decrypt_text, encrypt_text
from shared.accounts import login_throttle
from shared.accounts.models import Membership, User

# What a second factor is here: an authenticator app or a security key (recovery codes only
# stand in for one of them).
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
STRONG_METHODS = frozenset({"mfa", "socialaccount"})
# Reachable while the setup is pending: allauth's pages (login, logout, the setup itself,
# reauthentication) and the language switch.
OPEN_PATHS = ("/account/", "/i18n/")
API_PATH = "/api/"
# Where the setup sends the person on afterwards (the page they had asked for).
NEXT_SESSION_KEY = "second_factor_next"
# The page that offers both kinds (``second_factor_views.setup_page``), where staff are sent.
SETUP_URL_NAME = "second_factor_setup"


def needs_second_factor(user: User) -> bool:
    """Whether ``user`` works as staff somewhere: any membership, or a platform operator."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exists()


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists()


def _records(request: HttpRequest) -> list[dict]:
    return get_authentication_records(request, getattr(request, "user", None))


def session_is_weak(request: HttpRequest) -> bool:
    """Whether the session was authenticated by a login of the product, without a second
    factor and without the government login (see the module's docstring)."""
    records = _records(request)
    return bool(records) and not any(record.get("method") in STRONG_METHODS for record in records)


def setup_pending(request: HttpRequest) -> bool:
    """Whether this request's staff account must set up its second factor first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not session_is_weak(request):
        return False
    return needs_second_factor(user) and not has_second_factor(user)


def setup_follows_login(request: HttpRequest | None) -> bool:
    """Whether this is a staff session of a recent password login (allauth's
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT``) that has not used a second factor yet: setting one
    up (and reading the recovery codes it makes) need not ask for the password again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not session_is_weak(request):
        return False
    recent = time.time() - _records(request)[-1].get("at", 0)
    return recent < account_settings.REAUTHENTICATION_TIMEOUT and needs_second_factor(user)


def setup_message() -> str:
    return _(
        "Staff accounts need a second factor. Set up an authenticator app or a security "
        "key first: %(url)s"
    ) % {"url": reverse(SETUP_URL_NAME)}


class SecondFactorMiddleware:
    """Staff with a password session and no authenticator: the setup page, or 403 (API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OPEN_PATHS) or not setup_pending(request):
            return self.get_response(request)
        if request.path.startswith(API_PATH):
            return JsonResponse({"detail": setup_message()}, status=403)
        if request.method in ("GET", "HEAD"):
            request.session[NEXT_SESSION_KEY] = request.get_full_path()
        return HttpResponseRedirect(reverse(SETUP_URL_NAME))


def second_factor_types(user: User) -> set[str]:
    """The kinds of second factor ``user`` has (``totp``, ``webauthn``)."""
    return set(
        Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).values_list(
            "type", flat=True
        )
    )


def next_after_setup(request: HttpRequest) -> str:
    """The page the person had asked for when sent to the setup, or the home page."""
    wanted = request.session.get(NEXT_SESSION_KEY, "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


# --- allauth.mfa, as we use it ---------------------------------------------------------


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds encrypted at rest, as other personal data;
    staff cannot switch their only authenticator off."""

    def get_totp_issuer(self) -> str:
        return "Opvangloket"

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        """The relying party is the host the person uses (without the port): a key
        registered on ``herent.<domain>`` works there, not on another loket's host (the
        browser refuses it). Named after the loket or region, as the browser shows it."""
        request = context.request
        place = getattr(request, "loket", None) or getattr(request, "region", None)
        return {
            "id": request.get_host().partition(":")[0].lower(),
            "name": getattr(place, "name", None) or "Opvangloket",
        }

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if not needs_second_factor(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES)
        return others.exclude(pk=authenticator.pk).exists()


def _code_login(user: User) -> str:
    """The throttle's account for the code step: its own, so that a right password (which
    forgets the password's failures) never resets the count of wrong codes."""
    return f"second-factor:{user.pk}"


def _throttled(user: User, check: Any) -> Any:
    """Run ``check`` (a form's clean of the code or the key's answer) throttled like a
    password: a growing wait per account and per address (``login_throttle``), never a
    hard lock. Codes and keys share the account's count."""
    request = context.request
    login = _code_login(user)
    wait = login_throttle.login_wait(request, login=login)
    if wait:
        raise ValidationError(login_throttle.code_wait_message(wait), code="throttled")
    try:
        value = check()
    except ValidationError:
        login_throttle.login_failed(request, login=login)
        raise
    login_throttle.login_succeeded(request, login=login)
    return value


class _ThrottledCode:
    """The code of ``AuthenticateForm``/``ReauthenticateForm``."""

    user: User

    def clean_code(self) -> str:
        return _throttled(self.user, super().clean_code)  # type: ignore[misc]


# What fido2 raises for an answer that is not a key's answer at all (a field missing, of
# the wrong type): allauth lets some of them through, which would be a 500.
MALFORMED_ANSWER = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _well_formed(check: Any) -> Any:
    """Run ``check`` on a key's answer; a malformed one is a wrong key, not a 500."""
    try:
        return check()
    except MALFORMED_ANSWER as error:
        raise get_mfa_adapter().validation_error("incorrect_code") from error


class _ThrottledKey:
    """The security key's signed answer of ``AuthenticateWebAuthnForm`` (and its
    reauthentication form)."""

    user: User

    def clean_credential(self) -> Authenticator:
        check = super().clean_credential  # type: ignore[misc]
        return _throttled(self.user, lambda: _well_formed(check))


class SecurityKeyAddForm(AddWebAuthnForm):
    """allauth's form that adds a key; a malformed answer is refused with a message."""

    def clean(self) -> dict:
        return _well_formed(super().clean)


class ThrottledAuthenticateForm(_ThrottledCode, AuthenticateForm):
    pass


class ThrottledReauthenticateForm(_ThrottledCode, ReauthenticateForm):
    pass


class ThrottledAuthenticateWebAuthnForm(_ThrottledKey, AuthenticateWebAuthnForm):
    pass


class ThrottledReauthenticateWebAuthnForm(_ThrottledKey, ReauthenticateWebAuthnForm):
    pass


def _last_login_was_government(request: HttpRequest, user: Any) -> bool:
    records = get_authentication_records(request, user)
    return bool(records) and records[-1].get("method") == "socialaccount"


class AuthenticateStage(mfa_stages.AuthenticateStage):
    """allauth's code step after the password; a government login needs none (it is strong
    itself: eID or itsme)."""

    def _should_handle(self, request: HttpRequest) -> bool:
        if self.login.user is not None and _last_login_was_government(request, self.login.user):
            return False
        return super()._should_handle(request)
