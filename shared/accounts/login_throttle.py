"""Login throttling: a growing wait per account and per client address, never a hard lock.

Every password login (allauth's form on every host; the Django admin logs in there too)
asks ``login_wait`` first and reports the outcome with ``login_failed`` /
``login_succeeded``. So does the second factor's code step (``shared.accounts.second_factor``),
with a counter of its own per account (a right password does not reset it) and the same
counter per address; its wait reads ``code_wait_message``.

- **Counted before the password is checked, atomically**: ``login_wait`` either refuses
  (still waiting) or reserves the attempt, i.e. counts it as a failure for the account and
  the address under a lock that every process shares, before the password is checked. A
  burst of N parallel wrong passwords therefore counts N, and once the free failures are
  used up the rest of the burst waits instead of having its password checked.
  ``login_succeeded`` releases the reservation (the account's failures are forgotten, the
  address's count goes back by one); ``login_failed`` keeps it.

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
  Each read-modify-write of a counter holds a lock in the same store: a PostgreSQL
  advisory lock (``pg_advisory_xact_lock``) on the database cache's connection, a Redis
  lock (``SET NX`` with a timeout) on Redis, a process lock on a local-memory cache.
- Operators: the first wait of an account or address is logged at WARNING; every
  ``OPVANGLOKET_LOGIN_ALERT_AFTER``-th wait in a row at ERROR, which Sentry reports.
  Log records carry a fingerprint of the typed login, never the login itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache
from django.core.cache import cache as default_cache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils.translation import ngettext

from opvangloket.proxies import client_address

logger = logging.getLogger("opvangloket.security")

# How long failures are remembered after the last one.
MEMORY_SECONDS = 24 * 60 * 60
FIRST_WAIT_SECONDS = 2
# The longest a counter's lock is held (Redis forgets it after this if a process dies).
LOCK_SECONDS = 10
# Where a request keeps what ``login_wait`` reserved: counter key -> failures counted.
RESERVED = "_login_throttle_reserved"
_process_lock = threading.Lock()

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


@contextlib.contextmanager
def _locked(store: BaseCache, keys: list[str]) -> Iterator[None]:
    """Hold every process's lock on these counters while they are read and written."""
    if isinstance(store, DatabaseCache):
        using = router.db_for_write(store.cache_model_class)
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            for key in sorted(keys):  # always in the same order: no deadlock
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
            yield
        return
    client = getattr(getattr(store, "_cache", None), "get_client", None)
    if client is not None:  # django.core.cache.backends.redis.RedisCache
        locks = [
            client(key, write=True).lock(
                f"{store.make_key(key)}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS
            )
            for key in sorted(keys)
        ]
        with contextlib.ExitStack() as held:
            for lock in locks:
                held.enter_context(lock)
            yield
        return
    with _process_lock:
        yield


def _reserve(request: HttpRequest, counters: list[_Counter]) -> int:
    """Refuse (the seconds to wait) or count this attempt as a failure now (0)."""
    keys = [counter.cache_key for counter in counters]
    with _locked(default_cache, keys):
        states = default_cache.get_many(keys)
        wait = max((_remaining(states.get(key)) for key in keys), default=0)
        if wait:
            return wait
        reserved = getattr(request, RESERVED, {})
        for counter in counters:
            state = states.get(counter.cache_key) or {"failures": 0, "until": 0}
            failures = state["failures"] + 1
            until = _wait_after(failures, counter.free_failures)
            default_cache.set(
                counter.cache_key,
                {"failures": failures, "until": now() + until if until else 0},
                MEMORY_SECONDS,
            )
            reserved[counter.cache_key] = failures
        setattr(request, RESERVED, reserved)
    return 0


def login_wait(request: HttpRequest, *, login: str) -> int:
    """Seconds this request must wait before its password is checked; 0: check it now.

    0 also means the attempt is already counted as a failure (reserved): report its outcome
    with ``login_failed`` or ``login_succeeded``.
    """
    return _reserve(request, _counters(login=login, address=client_address(request)))


def wait_message(seconds: int) -> str:
    """What the person reads instead of "wrong password" while waiting."""
    return ngettext(
        "Too many failed attempts to log in. Wait %(seconds)d second and try again.",
        "Too many failed attempts to log in. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def code_wait_message(seconds: int) -> str:
    """The same for the second factor's code (after the right password)."""
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
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
    """A wrong password (or an unknown login): keep the failure ``login_wait`` counted.

    Counted here instead when ``login_wait`` did not reserve this attempt. The operators are
    alerted by the failure's number in a row, as counted at its reservation.
    """
    address = client_address(request)
    counters = _counters(login=login, address=address)
    reserved = getattr(request, RESERVED, {})
    if any(counter.cache_key not in reserved for counter in counters):
        if _reserve(request, counters):
            return
        reserved = getattr(request, RESERVED, {})
    for counter in counters:
        failures = reserved.pop(counter.cache_key)
        if _wait_after(failures, counter.free_failures):
            waits = failures - counter.free_failures + 1
            wait = _wait_after(failures, counter.free_failures)
            _wait_from_now(counter, failures=failures, wait=wait)
            _alert(counter, waits=waits, wait=wait, address=address)


def _wait_from_now(counter: _Counter, *, failures: int, wait: int) -> None:
    """The wait runs from the failure's answer, not from its start: a slow password check
    (a busy server) must not use up the wait before the person can try again."""
    with _locked(default_cache, [counter.cache_key]):
        state = default_cache.get(counter.cache_key)
        if state and state["failures"] == failures:
            until = max(state.get("until", 0), now() + wait)
            default_cache.set(
                counter.cache_key, {"failures": failures, "until": until}, MEMORY_SECONDS
            )


def login_succeeded(request: HttpRequest, *, login: str) -> None:
    """The right password: forget the account's failures and give the address its one back."""
    account = _account(login)
    reserved = getattr(request, RESERVED, {})
    address = _address(client_address(request)) if client_address(request) else None
    with _locked(default_cache, [account.cache_key] + ([address.cache_key] if address else [])):
        default_cache.delete(account.cache_key)
        reserved.pop(account.cache_key, None)
        if address is None or reserved.pop(address.cache_key, None) is None:
            return
        state = default_cache.get(address.cache_key)
        if state and state["failures"] > 0:
            failures = state["failures"] - 1
            until = state["until"] if failures >= address.free_failures else 0
            default_cache.set(
                address.cache_key, {"failures": failures, "until": until}, MEMORY_SECONDS
            )


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


def counters_locked(keys: list[str]) -> contextlib.AbstractContextManager[None]:
    """The lock every process shares on these counters of the default cache, as logins take.

    For other attempt counters (claim codes, ``shared.portal.claim_throttle``).
    """
    return _locked(default_cache, keys)
