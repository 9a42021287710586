"""The token endpoint (``POST /oauth/token/``): django-oauth-toolkit's, with failed client
authentications throttled as password logins are (``shared.accounts.login_throttle``).

- **Counted per client id as sent** (known or not: the answers never tell whether a client
  exists) and per client address, in the shared cache, with the same growing wait (2 s,
  4 s, … at most ``OPVANGLOKET_LOGIN_LONGEST_WAIT``) and the same operators' log lines.
  The client id comes from HTTP Basic (``client_secret_basic``) or the form
  (``client_secret_post``); the counter is per loket schema, as client ids are.
- **What counts**: ``invalid_client`` (unknown id, wrong secret, revoked client) is a
  failure; a token, or an error oauthlib gives only after the client authenticated
  (``invalid_scope``, ``unauthorized_client``), forgets the id's failures. Errors found
  before authentication (``invalid_request``, ``unsupported_grant_type``) keep their
  attempt counted: they prove nothing, so they must not reset the count either.
- **While waiting** the secret is not checked: ``429 Too Many Requests`` with
  ``Retry-After`` (RFC 6585 section 4), in RFC 6749's error shape (section 5.2) with
  ``invalid_client``, the code for "client authentication failed". Not a 401: the secret
  was never checked, and a client that reads 401 as "wrong secret" would be told a lie;
  429 with Retry-After is what HTTP clients and their libraries back off on.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import unquote_plus

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import ngettext
from oauth2_provider.views import TokenView

from shared.accounts import login_throttle

# oauthlib's errors after the client authenticated (``ClientCredentialsGrant``).
AUTHENTICATED_ERRORS = frozenset({"invalid_scope", "unauthorized_client"})


def client_id_sent(request: HttpRequest) -> str:
    """The client id of a token request as sent (Basic credentials first, as oauthlib
    reads them); "" when there is none or it cannot be read."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return unquote_plus(decoded.partition(":")[0])
    return str(request.POST.get("client_id", ""))


def _throttle_login(client_id: str) -> str:
    """The throttle's account for a client id: its own kind, per loket schema."""
    return f"oauth-client:{connection.schema_name}:{client_id}" if client_id else ""


def _error_of(response: HttpResponse) -> str | None:
    if response.status_code == 200:
        return None
    try:
        return str(json.loads(response.content).get("error", ""))
    except (ValueError, AttributeError):
        return ""


def throttled_answer(seconds: int) -> JsonResponse:
    answer = JsonResponse(
        {
            "error": "invalid_client",
            "error_description": ngettext(
                "Too many failed client authentications. Wait %(seconds)d second and try again.",
                "Too many failed client authentications. Wait %(seconds)d seconds and try again.",
                seconds,
            )
            % {"seconds": seconds},
        },
        status=429,
    )
    answer["Retry-After"] = str(seconds)
    # As every answer of the token endpoint (RFC 6749 section 5.1).
    answer["Cache-Control"] = "no-store"
    answer["Pragma"] = "no-cache"
    return answer


class ThrottledTokenView(TokenView):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        login = _throttle_login(client_id_sent(request))
        wait = login_throttle.login_wait(request, login=login)
        if wait:
            return throttled_answer(wait)
        response = super().post(request, *args, **kwargs)
        error = _error_of(response)
        if error is None or error in AUTHENTICATED_ERRORS:
            login_throttle.login_succeeded(request, login=login)
        elif error == "invalid_client":
            login_throttle.login_failed(request, login=login)
        return response
