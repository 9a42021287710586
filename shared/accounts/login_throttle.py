"""Login throttling: a growing wait per account and per client address, never a hard lock.

Every password login (allauth's form on every host, and the Django admin's) asks
``login_wait`` first and reports the outcome with ``login_failed`` / ``login_succeeded``.

- **Per account** (the login as typed, known or not, so the answers never tell whether an
  account exists): the first ``OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT`` - 1 failures
  cost nothing; from then on each failure makes the next attempt wait twice as long as the
  one before (2 s, 4 s, 8 s, …), at most ``OPVANGLOKET_LOGIN_LONGEST_WAIT`` seconds. A
  success forgets the account's failures.
- **Per client address** (``opvangloket.proxies.client_address``: the real one behind
  nginx): the same, after more free failures (an office shares one address). A success
  does not forget these, so an attacker cannot reset them with an account of their own.
- While waiting, an attempt is refused without checking the password and without counting
  as a failure: the person sees how many seconds remain.
- Counters live in the default cache, which every process shares (the database cache, or
  Redis with ``OPVANGLOKET_CACHE_URL``), and are forgotten a day after the last failure.
- Operators: the first wait of an account or address is logged at WARNING; every
  ``OPVANGLOKET_LOGIN_ALERT_AFTER``-th wait in a row at ERROR, which Sentry reports.
  Log records carry a fingerprint of the typed login, never the login itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache
from django.core.cache import cache as default_cache
from django.http import HttpRequest
from django.utils.translation import ngettext

from opvangloket.proxies import client_address

logger = logging.getLogger("opvangloket.security")

# How long failures are remembered after the last one.
MEMORY_SECONDS = 24 * 60 * 60
FIRST_WAIT_SECONDS = 2

now = time.time  # the clock; tests replace it


@dataclass(frozen=True)
class _Counter:
    kind: str  # "account" or "address"
    cache_key: str
    fingerprint: str
    free_failures: int


def _account(login: str) -> _Counter:
    normalized = login.strip().casefold()
    digest = hashlib.sha256(normalized.encode()).hexdigest()
    keyed = hashlib.sha256(f"{settings.SECRET_KEY}:{normalized}".encode()).hexdigest()
    return _Counter(
        kind="account",
        cache_key=f"login-throttle:account:{digest}",
        fingerprint=keyed[:12],
        free_failures=settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT,
    )


def _address(address: str) -> _Counter:
    return _Counter(
        kind="address",
        cache_key=f"login-throttle:address:{address}",
        fingerprint=address,
        free_failures=settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS,
    )


def _counters(*, login: str | None, address: str | None) -> list[_Counter]:
    counters = []
    if login:
        counters.append(_account(login))
    if address:
        counters.append(_address(address))
    return counters


def _remaining(state: dict | None) -> int:
    if not state:
        return 0
    return max(0, math.ceil(state.get("until", 0) - now()))


def wait_seconds_for(
    *, login: str | None = None, address: str | None = None, cache: BaseCache | None = None
) -> int:
    """Seconds until ``login`` (as typed) or ``address`` may try a password again; 0: now."""
    store = cache if cache is not None else default_cache
    counters = _counters(login=login, address=address)
    states = store.get_many([counter.cache_key for counter in counters])
    return max((_remaining(states.get(counter.cache_key)) for counter in counters), default=0)


def login_wait(request: HttpRequest, *, login: str) -> int:
    """Seconds this request must wait before its password is checked; 0: check it now."""
    return wait_seconds_for(login=login, address=client_address(request))


def wait_message(seconds: int) -> str:
    """What the person reads instead of "wrong password" while waiting."""
    return ngettext(
        "Too many failed attempts to log in. Wait %(seconds)d second and try again.",
        "Too many failed attempts to log in. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def _wait_after(failures: int, free_failures: int) -> int:
    """The wait after the ``failures``-th failure in a row: 0, …, 0, 2, 4, 8, … up to the cap."""
    if failures < free_failures:
        return 0
    longest = settings.OPVANGLOKET_LOGIN_LONGEST_WAIT
    doublings = failures - free_failures
    return longest if doublings >= 32 else min(longest, FIRST_WAIT_SECONDS * 2**doublings)


def login_failed(request: HttpRequest, *, login: str) -> None:
    """Count a wrong password (or an unknown login) for the account and for the address."""
    address = client_address(request)
    for counter in _counters(login=login, address=address):
        state = default_cache.get(counter.cache_key) or {"failures": 0, "until": 0}
        failures = state["failures"] + 1
        wait = _wait_after(failures, counter.free_failures)
        default_cache.set(
            counter.cache_key,
            {"failures": failures, "until": now() + wait if wait else 0},
            MEMORY_SECONDS,
        )
        if wait:
            _alert(counter, waits=failures - counter.free_failures + 1, wait=wait, address=address)


def login_succeeded(request: HttpRequest, *, login: str) -> None:
    """The right password: forget the account's failures (not the address's)."""
    default_cache.delete(_account(login).cache_key)


def _alert(counter: _Counter, *, waits: int, wait: int, address: str) -> None:
    details = {
        "throttled": counter.kind,
        "fingerprint": counter.fingerprint,
        "client_address": address,
        "waits_in_a_row": waits,
        "wait_seconds": wait,
    }
    if waits % settings.OPVANGLOKET_LOGIN_ALERT_AFTER == 0:
        logger.error("repeated failed logins: %s keeps waiting", counter.kind, extra=details)
    elif waits == 1:
        logger.warning("failed logins: %s now waits", counter.kind, extra=details)


def password_reset_forget_failures(sender, request: HttpRequest, user, **kwargs) -> None:
    """allauth's ``password_reset`` signal: whoever could reset it by mail may log in at once."""
    for email in user.emailaddress_set.values_list("email", flat=True):
        default_cache.delete(_account(email).cache_key)
    default_cache.delete(_account(user.email).cache_key)
