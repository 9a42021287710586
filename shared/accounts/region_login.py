"""One login per region: the portal logs a person in on every loket host of its region.

Session cookies stay per host (``SESSION_COOKIE_DOMAIN`` is never set), so no cookie is
ever shared between hosts, let alone between regions. Instead:

- The region's portal is its login host. A loket host's "Log in" (``/aanmelden/``) sends
  the browser to the portal's ``/aanmelden/?next=<the loket page>``; the portal logs the
  person in (allauth, as everywhere) if needed, then redirects to the loket host's
  ``/aanmelden/overdracht/?token=…`` with a one-time hand-off (``LoginHandoff``).
- ``next`` must be a host of a loket of the portal's own region (the ``Domain`` table),
  on the scheme and port the portal is served on; anything else is refused.
- A hand-off token is random, kept only as its SHA-256, bound to the user, the target host
  and the region, valid ``REGION_LOGIN_HANDOFF_SECONDS`` and used once. The loket host logs
  the person in with Django's ``login`` (a new session key) and copies allauth's records of
  how the portal session was authenticated (password, mfa, government login), so the staff
  second factor (``shared.accounts.second_factor``) is not asked again. The portal's
  explicit language choice (its language cookie) comes along.
- Silent check (``REGION_LOGIN_CHECK``): the first anonymous GET of a page on a loket host
  in a browser session bounces once through the portal's ``/aanmelden/controle/``, which
  answers with a hand-off or sends the browser straight back. A short cookie on the loket
  host remembers that the check was done.
- Logout everywhere: every logout raises ``User.login_generation``; each session keeps the
  value it was made under and is logged out at its next request on any host once stale.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
from allauth.account.internal.userkit import user_id_to_str
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from shared.accounts.models import LoginHandoff, User
from shared.lokets.models import Domain, Region

GENERATION_SESSION_KEY = "login_generation"
CHECK_COOKIE = "region_login_checked"
STATE_COOKIE = "region_login_state"
STATE_SECONDS = 600
STATE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
HANDOFF_PATH = "/aanmelden/overdracht/"
PORTAL_LOGIN_PATH = "/aanmelden/"
PORTAL_CHECK_PATH = "/aanmelden/controle/"
# Never bounced through the portal by the silent check.
CHECK_SKIPPED_PATHS = ("/api/", "/account/", "/aanmelden/", "/i18n/", "/static/", "/healthz")
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


# --- Hosts -------------------------------------------------------------------------------


def _split_host(host: str) -> tuple[str, str]:
    """``("alpha.localhost", "8000")`` from ``alpha.localhost:8000`` (port may be "")."""
    if ":" in host and not host.endswith("]"):
        name, port = host.rsplit(":", 1)
        return name.lower(), port
    return host.lower(), ""


def request_host_name(request: HttpRequest) -> str:
    return _split_host(request.get_host())[0]


def _origin(request: HttpRequest, host_name: str) -> str:
    """``host_name`` on the scheme and port this request came in on."""
    port = _split_host(request.get_host())[1]
    return f"{request.scheme}://{host_name}{':' + port if port else ''}"


def region_target(*, request: HttpRequest, region: Region, url: str) -> str | None:
    """``url`` if it is a page on a loket host of ``region`` (same scheme and port as this
    request, no credentials in it), else ``None``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != request.scheme or parts.username or parts.password or not parts.hostname:
        return None
    if str(port or "") != _split_host(request.get_host())[1]:
        return None
    serves_region = Domain.objects.filter(
        domain=parts.hostname.lower(),
        tenant__region=region,
        tenant__is_active=True,
        redirects_to_primary=False,
    ).exists()
    return url if serves_region else None


def local_path(*, request: HttpRequest, url: str) -> str:
    """``url`` if it is a path on this host, else ``/``."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def portal_login_url(*, request: HttpRequest, region: Region, next_path: str, state: str) -> str:
    """The portal's login for the page ``next_path`` of this (loket) host."""
    back = _origin(request, request_host_name(request)) + local_path(request=request, url=next_path)
    query = urlencode({"next": back, "state": state})
    return f"{_origin(request, region.domain)}{PORTAL_LOGIN_PATH}?{query}"


def portal_check_url(*, request: HttpRequest, region: Region, state: str) -> str:
    back = _origin(request, request_host_name(request)) + request.get_full_path()
    query = urlencode({"next": back, "state": state})
    return f"{_origin(request, region.domain)}{PORTAL_CHECK_PATH}?{query}"


def state_start(response: HttpResponse) -> str:
    """A random value for this browser on this (loket) host: in a cookie here, and passed
    through the portal into the hand-off, which is only taken by the browser that has it
    (no login forced on someone else's browser with a hand-off of one's own account)."""
    state = secrets.token_urlsafe(16)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=STATE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return state


def state_from_query(value: str) -> str:
    """The ``state`` the portal passes on: a token's characters only, else nothing."""
    return value if STATE_PATTERN.fullmatch(value) else ""


def state_matches(request: HttpRequest, state: str) -> bool:
    cookie = request.COOKIES.get(STATE_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, state)


# --- Hand-offs ---------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handoff_issue(*, request: HttpRequest, region: Region, target: str, state: str) -> str:
    """A one-time hand-off of this (portal) session's login to ``target``'s host: the URL
    on that host that consumes it and then shows ``target``."""
    parts = urlsplit(target)
    token = secrets.token_urlsafe(32)
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    now = timezone.now()
    # Old hand-offs are of no use to anyone: gone at the next issue (an index range).
    LoginHandoff.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    LoginHandoff.objects.create(
        token_hash=_hash(token),
        user=request.user,
        region=region,
        host=parts.hostname.lower(),
        language=language if language in dict(settings.LANGUAGES) else "",
        authentication_records=request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, []),
        generation=request.user.login_generation,
        expires_at=now + timedelta(seconds=settings.REGION_LOGIN_HANDOFF_SECONDS),
    )
    next_path = parts.path or "/"
    if parts.query:
        next_path += "?" + parts.query
    origin = f"{parts.scheme}://{parts.netloc}"
    query = urlencode({"token": token, "state": state, "next": next_path})
    return f"{origin}{HANDOFF_PATH}?{query}"


@dataclass(frozen=True)
class HandoffResult:
    handoff: LoginHandoff | None
    refusal: str = ""  # "state", "unknown", "used", "expired", "host", "account"


def handoff_consume(*, request: HttpRequest, token: str, state: str) -> HandoffResult:
    """Use the hand-off ``token`` on this loket host, once: log its person in here."""
    region = getattr(request, "region", None)
    if not state_matches(request, state):
        return HandoffResult(None, "state")
    with transaction.atomic():
        handoff = (
            LoginHandoff.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=_hash(token))
            .first()
        )
        if handoff is None:
            return HandoffResult(None, "unknown")
        if handoff.used_at is not None:
            return HandoffResult(None, "used")
        handoff.used_at = timezone.now()
        handoff.save(update_fields=["used_at"])
    if handoff.expires_at <= handoff.used_at:
        return HandoffResult(None, "expired")
    if (
        region is None
        or handoff.region_id != region.pk
        or handoff.host != request_host_name(request)
    ):
        return HandoffResult(None, "host")
    user = handoff.user
    if not user.is_active or handoff.generation != user.login_generation:
        return HandoffResult(None, "account")
    login(request, user, backend=BACKEND)  # a new session key: no session fixation
    # How the portal's session was authenticated, and whose records they are: allauth
    # reads the records only for the user they name (``get_authentication_records``);
    # without that the loket's session would count as made by code, and a role that
    # comes later (an invitation accepted here) would never ask for the second factor.
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = handoff.authentication_records
    request.session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    return HandoffResult(handoff)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# --- Logout everywhere -------------------------------------------------------------------


def remember_generation(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session keeps the generation it was made under."""
    if request is not None and hasattr(request, "session"):
        request.session[GENERATION_SESSION_KEY] = user.login_generation


def raise_generation(sender, request, user, **kwargs) -> None:
    """``user_logged_out``: every other session of the person, on any host, is stale now."""
    if user is not None and user.pk is not None:
        User.objects.filter(pk=user.pk).update(login_generation=F("login_generation") + 1)


class RegionLoginMiddleware:
    """After authentication, on every host: stale sessions logged out (a logout elsewhere);
    on a loket host of a region, the once-per-browser-session silent check at the portal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.session.get(GENERATION_SESSION_KEY, 0) != user.login_generation:
                # Not django's logout: that would raise the generation again.
                request.session.flush()
                request.user = AnonymousUser()
        elif self._checks(request):
            response = HttpResponseRedirect("/")
            state = state_start(response)
            response["Location"] = portal_check_url(
                request=request, region=request.region, state=state
            )
            response.set_cookie(
                CHECK_COOKIE,
                "1",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        return self.get_response(request)

    @staticmethod
    def _checks(request: HttpRequest) -> bool:
        loket = getattr(request, "loket", None)
        return (
            settings.REGION_LOGIN_CHECK
            and loket is not None
            and loket.region_id is not None
            and request.method == "GET"
            and CHECK_COOKIE not in request.COOKIES
            and "text/html" in request.headers.get("Accept", "")
            # Not on the way from a page of this host (it was checked then, or the person
            # came by a form: a logout, whose redirects the browser keeps to this host).
            and request.headers.get("Sec-Fetch-Site") != "same-origin"
            and not request.path.startswith(CHECK_SKIPPED_PATHS)
        )
