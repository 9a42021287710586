"""Staff's second factor in tests: an authenticator app for an account, and its codes; a
security key that answers as a real one does (``SoftKey``), for tests over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData

from shared.accounts.models import User

# Codes already handed out per secret (the server accepts each code once, and a code of the
# period before and after as well): the next login of the same account uses another one.
_used: set[tuple[str, int]] = set()


def authenticator_app_for(user: User) -> str:
    """Give ``user`` an authenticator app (TOTP), as the setup page does; its secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def remove_authenticator_app(user: User) -> None:
    Authenticator.objects.filter(user=user).delete()


def code_now(secret: str, *, period_offset: int = 0) -> str:
    """The code the app shows now (or ``period_offset`` periods away)."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD + period_offset
    return format_hotp_value(hotp_value(secret, counter))


def fresh_code(secret: str) -> str:
    """A code the server accepts now and has not been given before (for repeated logins)."""
    while True:
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        for candidate in (counter, counter + 1, counter - 1):
            if (secret, candidate) not in _used:
                _used.add((secret, candidate))
                return format_hotp_value(hotp_value(secret, candidate))
        time.sleep(app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD + 0.1)


JS_DATA = re.compile(r'<script id="js_data" type="application/json">(.*?)</script>', re.DOTALL)


def webauthn_options(page: str) -> dict:
    """The options a page hands to the browser's WebAuthn (allauth's ``js_data`` block)."""
    found = JS_DATA.search(page)
    assert found, "no WebAuthn data on the page"
    data = json.loads(found.group(1))
    return data.get("creation_options") or data["request_options"]


class SoftKey:
    """A security key in software: an ES256 key pair, answering WebAuthn's create and get
    with "none" attestation exactly as a browser hands a key's answer to the page."""

    FLAGS = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str) -> dict:
        """The answer to ``navigator.credentials.create`` on ``origin``."""
        public_key = options["publicKey"]
        rp_id_hash = hashlib.sha256(public_key["rp"]["id"].encode()).digest()
        attested = AttestedCredentialData.create(
            b"\0" * 16,
            self.credential_id,
            ES256.from_cryptography_key(self.private_key.public_key()),
        )
        auth_data = AuthenticatorData.create(
            rp_id_hash, self.FLAGS | AuthenticatorData.FLAG.AT, self.sign_count, attested
        )
        client_data = self._client_data("webauthn.create", public_key["challenge"], origin)
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(
                    bytes(AttestationObject.create("none", auth_data, {}))
                ),
            },
            "clientExtensionResults": {},
        }

    def get(self, options: dict, *, origin: str) -> dict:
        """The answer to ``navigator.credentials.get`` on ``origin``."""
        public_key = options["publicKey"]
        self.sign_count += 1
        rp_id_hash = hashlib.sha256(public_key["rpId"].encode()).digest()
        auth_data = AuthenticatorData.create(rp_id_hash, self.FLAGS, self.sign_count)
        client_data = self._client_data("webauthn.get", public_key["challenge"], origin)
        signature = self.private_key.sign(
            bytes(auth_data) + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(bytes(auth_data)),
                "signature": websafe_encode(signature),
                "userHandle": None,
            },
            "clientExtensionResults": {},
        }
