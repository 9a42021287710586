"""The registry of background jobs: ``@loket_job("requests.confirmation_reminders")``.

A loket job is a plain function ``(*, loket, now)`` that the runner calls inside the
loket's schema; a platform job is ``(*, now)``, called once in the public schema. Both
may return a dict of counts, kept with the run. Jobs must be idempotent: running one
twice for the same ``now`` changes and sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

LOKET = "loket"
PLATFORM = "platform"


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[..., dict | None]
    every: timedelta  # due again this long after its last successful run
    scope: str  # LOKET or PLATFORM


_jobs: dict[str, Job] = {}


def _register(name: str, *, every: timedelta, scope: str) -> Callable:
    def register(function: Callable) -> Callable:
        known = _jobs.get(name)
        if known is not None and known.function.__qualname__ != function.__qualname__:
            raise ImproperlyConfigured(f"two background jobs are called {name!r}")
        _jobs[name] = Job(name=name, function=function, every=every, scope=scope)
        return function

    return register


def loket_job(name: str, *, every: timedelta = timedelta(hours=1)) -> Callable:
    """Register ``function(*, loket, now)``, run for every active loket in its schema."""
    return _register(name, every=every, scope=LOKET)


def platform_job(name: str, *, every: timedelta = timedelta(days=1)) -> Callable:
    """Register ``function(*, now)``, run once for the whole platform (public schema)."""
    return _register(name, every=every, scope=PLATFORM)


def registered_jobs(*, scope: str | None = None) -> list[Job]:
    """Jobs in the order they were registered (apps' order in INSTALLED_APPS)."""
    return [job for job in _jobs.values() if scope is None or job.scope == scope]


def job_named(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"no background job {name!r}") from None
