"""Benchmark: creating a loket from the template's script vs. by migrations, and whether
creation grows with the number of lokets (the 1st vs. the Nth, beside django-tenants'
clone function at both points).

Runs in its own embedded database (``opvangloket_bench``) or in DATABASE_URL, and drops
what it creates. Usage:
``.venv/bin/python bench/loket_creation.py [--count 10] [--lokets 300]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")

from bench.stats import bench_slug, summary_ms  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10, help="lokets made each way")
    parser.add_argument("--lokets", type=int, default=300, help="lokets for the growth test")
    parser.add_argument("--clones", type=int, default=3, help="clone-function samples")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django_tenants.models import TenantMixin

    from opvangloket.bulk_writes import analyze_models
    from shared.lokets.auditor import auditor_schema_grant
    from shared.lokets.models import Domain, Loket
    from shared.lokets.references import reference_prefix_choose
    from shared.lokets.services import loket_create

    call_command("migrate_platform", verbosity=0)
    for loket in Loket.objects.filter(name__startswith="Bench "):  # of an interrupted run
        loket.delete(force_drop=True)
        connection.set_schema_to_public()

    def create(slug: str) -> tuple[Loket, float]:
        started = time.perf_counter()
        loket = loket_create(slug=slug, name=f"Bench {slug}", kind=Loket.Kind.MUNICIPAL)
        return loket, time.perf_counter() - started

    def clone(slug: str) -> float:
        """django-tenants' way: its clone function, then the migrations faked."""
        started = time.perf_counter()
        loket = Loket(schema_name=slug, slug=slug, name=f"Bench {slug}", kind=Loket.Kind.MUNICIPAL)
        loket.reference_prefix = reference_prefix_choose(
            slug=slug, taken=Loket.objects.values_list("reference_prefix", flat=True)
        )
        loket.auto_create_schema = False
        loket.save(verbosity=0)
        TenantMixin.create_schema(loket, check_if_exists=True, verbosity=0)
        auditor_schema_grant(schema=slug)
        connection.set_schema_to_public()
        elapsed = time.perf_counter() - started
        loket.delete(force_drop=True)
        return elapsed

    def drop(loket: Loket) -> None:
        loket.delete(force_drop=True)
        connection.set_schema_to_public()

    # 1. From the script vs. by migrations (each loket dropped again).
    scripted = []
    for number in range(args.count):
        loket, elapsed = create(f"benchscript{number}")
        scripted.append(elapsed)
        drop(loket)
    migrated = []
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        for number in range(args.count):
            loket, elapsed = create(f"benchmigrate{number}")
            migrated.append(elapsed)
            drop(loket)

    # 2. Growth: N lokets kept; the clone function sampled before and after.
    clone_first = [clone(f"benchclonea{number}") for number in range(args.clones)]
    kept, growth = [], []
    for number in range(args.lokets):
        loket, elapsed = create(bench_slug(number, first="g"))
        kept.append(loket)
        growth.append(elapsed)
    analyze_models(Loket, Domain, Loket.municipalities.through)
    clone_last = [clone(f"benchcloneb{number}") for number in range(args.clones)]

    window = max(1, min(10, args.lokets // 10))
    print(f"New loket ({args.count} each way)")
    print(f"  from the template's script  {summary_ms(scripted)}")
    print(f"  by migrations               {summary_ms(migrated)}")
    print(
        f"  script is {statistics.median(migrated) / statistics.median(scripted):.1f} times "
        "faster (median)"
    )
    print(f"Growth with the number of lokets ({args.lokets} made, medians of {window})")
    print(
        f"  from the script: 1st {growth[0] * 1000:.1f} ms, first {window} "
        f"{statistics.median(growth[:window]) * 1000:.1f} ms; last {window} "
        f"{statistics.median(growth[-window:]) * 1000:.1f} ms, "
        f"#{args.lokets} {growth[-1] * 1000:.1f} ms"
    )
    print(
        f"  clone function:  with 0 lokets {statistics.median(clone_first) * 1000:.1f} ms; "
        f"with {args.lokets} lokets {statistics.median(clone_last) * 1000:.1f} ms "
        f"(n={args.clones} each)"
    )
    for loket in kept:
        drop(loket)


if __name__ == "__main__":
    main()
