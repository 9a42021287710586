"""Staff's second factor in tests: an authenticator app for an account, and its codes."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

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
