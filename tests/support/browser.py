"""Helpers for browser journeys against the served site."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from playwright.sync_api import Page

from shared.accounts.models import User
from tests.support.world import PASSWORD


@contextmanager
def passwords_for_the_server(users: Iterable[User]) -> Iterator[None]:
    """Let ``users`` log in on the served site with the test password.

    The test process hashes passwords with MD5 (fast); the served site, with the production
    hashers, cannot check those. Store PBKDF2 hashes meanwhile and put the old ones back.
    """
    hasher = PBKDF2PasswordHasher()
    saved = {}
    for user in users:
        saved[user.pk] = user.password
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
    try:
        yield
    finally:
        for user in users:
            user.password = saved[user.pk]
            user.save(update_fields=["password"])


def log_in(page: Page, origin: str, email: str, next_path: str = "/") -> None:
    page.goto(f"{origin}/account/login/?next={next_path}")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{origin}{next_path}")
