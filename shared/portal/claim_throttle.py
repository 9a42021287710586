"""How often a parent may try a claim code: per account and per client address.

A fixed window (``CLAIM_ATTEMPT_WINDOW_SECONDS``) with at most ``CLAIM_ATTEMPTS_PER_ACCOUNT``
attempts for one account and ``CLAIM_ATTEMPTS_PER_ADDRESS`` for one client address (an
office or a school shares one). As for logins (``shared.accounts.login_throttle``) an
attempt is counted before the code is checked, under the same shared lock, so a burst
of parallel guesses counts every guess. A successful claim forgets the account's
attempts, not the address's. The counters live in the default cache.

A code has about 58 bits: guessing one is hopeless anyway; the limit keeps anyone from
trying, and keeps a typo-prone parent from locking out their office for long.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from opvangloket.proxies import client_address
from shared.accounts.login_throttle import counters_locked
from shared.accounts.models import User

now = time.time  # the clock; tests replace it


def _keys(*, user: User, address: str | None) -> dict[str, int]:
    keys = {f"claim-throttle:account:{user.pk}": settings.CLAIM_ATTEMPTS_PER_ACCOUNT}
    if address:
        keys[f"claim-throttle:address:{address}"] = settings.CLAIM_ATTEMPTS_PER_ADDRESS
    return keys


def claim_attempt_wait(request: HttpRequest, *, user: User) -> int:
    """Seconds to wait before another attempt (nothing counted); 0: counted, check the code."""
    limits = _keys(user=user, address=client_address(request))
    with counters_locked(list(limits)):
        states = cache.get_many(list(limits))
        moment = now()
        waits = [
            math.ceil(state["until"] - moment)
            for key, state in states.items()
            if state["until"] > moment and state["attempts"] >= limits[key]
        ]
        if waits:
            return max(waits)
        window = settings.CLAIM_ATTEMPT_WINDOW_SECONDS
        for key in limits:
            state = states.get(key)
            if state is None or state["until"] <= moment:
                state = {"attempts": 0, "until": moment + window}
            state = {"attempts": state["attempts"] + 1, "until": state["until"]}
            cache.set(key, state, math.ceil(state["until"] - moment) + 1)
    return 0


def claim_attempt_succeeded(*, user: User) -> None:
    """A right code: the account's attempts are forgotten (the address's stay)."""
    cache.delete(f"claim-throttle:account:{user.pk}")
