"""allauth's OpenID Connect provider, made strict enough for the government login.

``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]`` points here, so allauth
builds its login and callback URLs from ``urls.py`` beside this module (the same paths and
names as its own: ``/account/oidc/<provider_id>/login/`` and ``…/login/callback/``).
"""

from __future__ import annotations

import time
import uuid
from http import HTTPStatus
from typing import Any

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import HttpRequest
from django.urls import reverse

from shared.accounts.government_login.claims import (
    GUARDIAN_KEY_FIELD,
    NATIONAL_NUMBER_CLAIM,
    claims_to_keep,
    guardian_key,
)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A client assertion is used once, at once.
CLIENT_ASSERTION_SECONDS = 60


class SignedJwtClient(OAuth2Client):
    """Authenticates at the token endpoint with a JWT signed by our private key
    (``private_key_jwt``: OpenID Connect Core 9, RFC 7523) instead of a shared secret."""

    def __init__(self, *args: Any, private_key: str, key_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.private_key = private_key
        self.key_id = key_id

    def client_assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.consumer_key,
            "sub": self.consumer_key,
            "aud": self.access_token_url,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + CLIENT_ASSERTION_SECONDS,
        }
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None):
        data = {
            "redirect_uri": self.callback_url,
            "grant_type": "authorization_code",
            "code": code,
            "client_id": self.consumer_key,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
            **(extra_data or {}),
        }
        if pkce_code_verifier:
            data["code_verifier"] = pkce_code_verifier
        with get_adapter().get_requests_session() as session:
            response = session.post(self.access_token_url, data=data, headers=self.headers)
        token = None
        if response.status_code in (HTTPStatus.OK, HTTPStatus.CREATED):
            token = response.json()
        if not token or "access_token" not in token:
            # The provider's error code only: its description may repeat what we sent.
            error = response.json().get("error", "") if response.content else ""
            raise OAuth2Error(f"token endpoint refused the code ({response.status_code} {error})")
        return token


class GovernmentLoginAdapter(OpenIDConnectOAuth2Adapter):
    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        # The scheme the request came in on (behind nginx: X-Forwarded-Proto), on its host.
        path = reverse("openid_connect_callback", kwargs={"provider_id": self.provider_id})
        return request.build_absolute_uri(path)

    def get_client(self, request: HttpRequest, app: SocialApp) -> OAuth2Client:
        private_key = app.settings.get("private_key")
        if not private_key:
            return super().get_client(request, app)
        return SignedJwtClient(
            self.request,
            app.client_id,
            "",
            self.access_token_method,
            self.access_token_url,
            self.get_callback_url(request, app),
            scope_delimiter=self.scope_delimiter,
            headers=self.headers,
            private_key=private_key,
            key_id=app.settings.get("key_id", ""),
        )

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        """Issuer, audience, expiry and, always, the signature by one of the provider's keys."""
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class GovernmentLoginProvider(OpenIDConnectProvider):
    oauth2_adapter_class = GovernmentLoginAdapter
    # Our urls.py (the callback with the adapter above), not allauth's.
    package = "shared.accounts.government_login"

    def get_default_scope(self) -> list[str]:
        return ["openid", "profile", "email", NATIONAL_NUMBER_CLAIM]

    def extract_extra_data(self, data: dict) -> dict:
        """What allauth stores of the claims: all but the national register number, whose
        keyed hash takes its place."""
        kept = {
            part: claims_to_keep(claims) if isinstance(claims, dict) else claims
            for part, claims in data.items()
        }
        userinfo = data.get("userinfo") or {}
        id_token = data.get("id_token") or {}
        number = userinfo.get(NATIONAL_NUMBER_CLAIM) or id_token.get(NATIONAL_NUMBER_CLAIM)
        kept[GUARDIAN_KEY_FIELD] = guardian_key(number) if number else ""
        return kept
