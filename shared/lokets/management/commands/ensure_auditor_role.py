"""Create or update the auditor tenant's read-only database role (idempotent)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from shared.lokets.auditor import auditor_role_ensure


class Command(BaseCommand):
    help = (
        "Create or update the read-only PostgreSQL role the auditor tenant reads through "
        "(OPVANGLOKET_AUDITOR_DB_ROLE, password from OPVANGLOKET_AUDITOR_DB_PASSWORD): "
        "LOGIN, read-only transactions, USAGE on every schema and SELECT on every table."
    )

    def handle(self, *args, **options):
        password = os.environ.get("OPVANGLOKET_AUDITOR_DB_PASSWORD") or None
        schemas = auditor_role_ensure(role=settings.AUDITOR_DB_ROLE, password=password)
        if options["verbosity"]:
            self.stdout.write(
                f"role {settings.AUDITOR_DB_ROLE}: read-only on {len(schemas)} schemas"
            )
