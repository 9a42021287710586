"""The auditor's read-only database alias in tests: the test database, the auditor's role."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, connections

from opvangloket.auditor_db import AUDITOR_ALIAS


def use_auditor_alias_in_test_database() -> None:
    """Point the ``auditor`` alias at the test database, as the read-only role.

    Django's test set-up treats an alias on the same database as a mirror of
    ``default`` and gives it default's settings, user included; the role is put back.
    """
    auditor = connections[AUDITOR_ALIAS]
    auditor.close()
    auditor.settings_dict = {
        **connection.settings_dict,
        "USER": settings.AUDITOR_DB_ROLE,
        "PASSWORD": settings.DATABASES[AUDITOR_ALIAS]["PASSWORD"],
    }
