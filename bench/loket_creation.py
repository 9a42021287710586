"""Benchmark: how long creating a loket takes, cloned from the template vs. by migrations.

Runs in its own embedded database (``opvangloket_bench``) or in DATABASE_URL, and
drops what it creates. Usage: ``.venv/bin/python bench/loket_creation.py [--count 10]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")

from bench.stats import summary_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from shared.lokets.models import Loket
    from shared.lokets.services import loket_create

    call_command("migrate_platform", verbosity=0)

    def create_many(prefix: str) -> list[float]:
        timings = []
        for number in range(args.count):
            started = time.perf_counter()
            loket = loket_create(
                slug=f"{prefix}{number}", name=f"Bench {number}", kind=Loket.Kind.MUNICIPAL
            )
            timings.append(time.perf_counter() - started)
            loket.delete(force_drop=True)
            connection.set_schema_to_public()
        return timings

    cloned = create_many("benchclone")
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        migrated = create_many("benchmigrate")

    for label, timings in (("cloned from template", cloned), ("by migrations", migrated)):
        print(f"{label:<22} n={len(timings):<3} {summary_ms(timings)}")


if __name__ == "__main__":
    main()
