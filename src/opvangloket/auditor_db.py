"""Reading through the auditor's read-only database alias on the auditor tenant's host.

django-tenants switches only the ``default`` connection, so the tenant of the
``auditor`` alias is set here. On the auditor host every read goes through the alias,
whose role holds only SELECT grants and reads in read-only transactions: a write that
slipped through a view would fail in the database. The login itself (accounts and
memberships, sessions, last login, allauth's e-mail rows and second factors) still uses
``default``: a
session written there must be read back there.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import connections

AUDITOR_ALIAS = "auditor"
# Apps of the login itself (accounts, sessions, e-mail addresses, second factors): read and
# written on default.
# The shared cache (django_cache: login throttling) is read and written there too.
LOGIN_APPS = frozenset(
    {
        "sessions",
        "accounts",
        "auth",
        "account",
        "socialaccount",
        "mfa",
        "contenttypes",
        "django_cache",
    }
)

_reading_as_auditor: ContextVar[bool] = ContextVar("reading_as_auditor", default=False)


def auditor_connection():
    return connections[AUDITOR_ALIAS]


def start_auditor_reads(*, loket) -> object:
    """Route this request's reads through the auditor alias, in ``loket``'s schema."""
    auditor_connection().set_tenant(loket)
    return _reading_as_auditor.set(True)


def stop_auditor_reads(token) -> None:
    _reading_as_auditor.reset(token)
    auditor_connection().set_schema_to_public()


class AuditorRouter:
    """On the auditor host: reads through the read-only alias; writes fail there too."""

    def db_for_read(self, model, **hints):
        return self._route(model)

    def db_for_write(self, model, **hints):
        return self._route(model)

    def _route(self, model) -> str | None:
        if not _reading_as_auditor.get():
            return None
        return "default" if model._meta.app_label in LOGIN_APPS else AUDITOR_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Objects read through the alias and through default are the same rows.
        if {obj1._state.db, obj2._state.db} <= {"default", AUDITOR_ALIAS}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == AUDITOR_ALIAS else None
