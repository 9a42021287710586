"""Benchmark: ``migrate_platform`` over N loket schemas (default 300).

Each figure beside its comparison, measured in the same run:
- nothing to migrate: the old way (``migrate_schemas`` in every schema, as
  ``migrate_platform`` did before) vs. now (one query, every schema up to date);
- a real one-column migration (``bench/columnapp``) in every schema: serial
  (``--executor standard``) vs. parallel (``--executor multiprocessing``,
  OPVANGLOKET_MIGRATION_PROCESSES processes), each its own column.

Runs in its own embedded database (``opvangloket_bench_migrate``) or in DATABASE_URL and
drops its lokets at the end. Usage: ``.venv/bin/python bench/migrate_platform.py [--lokets 300]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket_bench_migrate")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_migrate"

APP = "benchcolumns"

from bench.stats import bench_slug  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lokets", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from opvangloket.bulk_writes import analyze_models
    from shared.lokets.models import Domain, Loket
    from shared.lokets.platform_migrations import platform_migrate
    from shared.lokets.schema_script import expected_migrations
    from shared.lokets.services import loket_create

    def code_at(version: int) -> override_settings:
        expected_migrations.cache_clear()  # the code's migrations change with the modules
        return override_settings(MIGRATION_MODULES={APP: f"bench.columnapp.migrations_v{version}"})

    def lokets_drop() -> None:
        for loket in Loket.objects.filter(name__startswith="Bench "):
            loket.delete(force_drop=True)
            connection.set_schema_to_public()

    def timed(run) -> float:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started

    def old_way() -> None:
        """migrate_platform before: migrate_schemas in the public schema, the template and
        every loket, whether or not they are behind."""
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command(
            "migrate_schemas",
            schema_name=settings.TENANT_BASE_SCHEMA,
            interactive=False,
            verbosity=0,
        )
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        call_command("ensure_auditor_role", verbosity=0)

    def has_column(column: str) -> int:
        schemas = list(Loket.objects.values_list("schema_name", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                "'benchcolumns_benchrow' AND column_name = %s AND table_schema = ANY(%s)",
                [column, schemas],
            )
            return cursor.fetchone()[0]

    # A clean start: the template and the bench app's records go back to version 1.
    call_command("migrate_platform", verbosity=0)
    lokets_drop()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {settings.TENANT_BASE_SCHEMA} CASCADE")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", [APP])

    with code_at(1):
        platform_migrate()
        started = time.perf_counter()
        for number in range(args.lokets):
            slug = bench_slug(number, first="w")
            loket_create(slug=slug, name=f"Bench {number}", kind=Loket.Kind.MUNICIPAL)
        built = time.perf_counter() - started
        analyze_models(Loket, Domain, Loket.municipalities.through)
        new_noop = timed(platform_migrate)
        old_noop = timed(old_way)
        new_noop_again = timed(platform_migrate)

    with code_at(2):
        serial = timed(lambda: platform_migrate(executor="standard"))
        assert has_column("first_note") == args.lokets
    with code_at(3):
        parallel = timed(lambda: platform_migrate(executor="multiprocessing"))
        assert has_column("second_note") == args.lokets

    processes = settings.TENANT_MULTIPROCESSING_MAX_PROCESSES
    print(f"{args.lokets} lokets made from the script in {built:.1f} s")
    print("migrate_platform with nothing to migrate")
    print(f"  old way (migrate_schemas in every schema)  {old_noop:7.1f} s")
    print(
        f"  now (one query, schemas up to date)       {new_noop:7.1f} s "
        f"(again: {new_noop_again:.1f} s)"
    )
    print(f"A one-column migration in {args.lokets} loket schemas (+ public and template)")
    print(f"  serial                                    {serial:7.1f} s")
    print(f"  parallel ({processes} processes)                    {parallel:7.1f} s")
    lokets_drop()


if __name__ == "__main__":
    main()
