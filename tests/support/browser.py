"""Helpers for browser journeys against the served site."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import Page

from shared.accounts.models import User
from shared.accounts.second_factor import has_second_factor, needs_second_factor
from tests.support.second_factor import authenticator_app_for, fresh_code
from tests.support.world import PASSWORD

CODE_STEP = "/account/2fa/authenticate/"
# The authenticator app of each staff account that ``passwords_for_the_server`` set up, by
# e-mail address: ``log_in`` types its code after the password.
AUTHENTICATOR_SECRETS: dict[str, str] = {}


@contextmanager
def passwords_for_the_server(
    users: Iterable[User], *, second_factor: bool = True
) -> Iterator[None]:
    """Let ``users`` log in on the served site with the test password.

    The test process hashes passwords with MD5 (fast); the served site, with the production
    hashers, cannot check those. Store PBKDF2 hashes meanwhile and put the old ones back.
    Staff accounts (who must have a second factor) get an authenticator app meanwhile too,
    unless ``second_factor`` is False; ``log_in`` types its code.
    """
    users = list(users)
    hasher = PBKDF2PasswordHasher()
    saved = {}
    given: list[User] = []
    for user in users:
        saved[user.pk] = user.password
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
        if second_factor and needs_second_factor(user) and not has_second_factor(user):
            AUTHENTICATOR_SECRETS[user.email] = authenticator_app_for(user)
            given.append(user)
    try:
        yield
    finally:
        for user in users:
            user.password = saved[user.pk]
            user.save(update_fields=["password"])
        for user in given:
            Authenticator.objects.filter(user=user).delete()
            AUTHENTICATOR_SECRETS.pop(user.email, None)


def log_in(page: Page, origin: str, email: str, next_path: str = "/") -> None:
    page.goto(f"{origin}/account/login/?next={next_path}")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    secret = AUTHENTICATOR_SECRETS.get(email)
    if secret is not None:  # staff: the code of their authenticator app
        page.wait_for_url(f"{origin}{CODE_STEP}")
        page.locator("#id_code").fill(fresh_code(secret))
        page.locator("#id_code").press("Enter")
    page.wait_for_url(f"{origin}{next_path}")
