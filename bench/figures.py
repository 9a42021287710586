"""Benchmark: the figures of a region and of all lokets over a million registry rows.

Builds its own database (embedded ``opvangloket_bench`` or DATABASE_URL): lokets in 15
regions (the ``bench-*`` lokets of ``bench/catalogue_search.py``, made if missing), then
registry rows written with COPY: children with one to three loket requests, a quarter
living outside their loket's municipality, statuses and offers drawn at random. Then
times ``figures_compute`` as the pages, API and exports run it.

Usage: ``.venv/bin/python bench/figures.py [--rows 1000000] [--lokets 60] [--runs 7]``
The rows stay in the bench database, so a second run skips building them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("OPVANGLOKET_EMBEDDED_DATABASE", "opvangloket_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opvangloket.settings")

from bench.stats import summary_ms  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
COLUMNS = (
    "loket_id, request_id, reference, submission, name_key, national_number_key,"
    " claim_email_key, status, desired_start, age_group, residence_id, has_priority,"
    " registered_by_staff, registered_at, has_offer, placed_at, updated_at"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lokets", type=int, default=60)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opvangloket.bulk_writes import analyze_models
    from shared.geography.models import Municipality
    from shared.geography.services import geography_import, geography_import_demo
    from shared.lokets.models import Loket
    from shared.lokets.services import loket_create, region_ensure
    from shared.registry.models import RegistryEntry
    from shared.statistics.selectors import (
        figures_compute,
        period_of_year,
        scope_all,
        scope_for_region,
    )

    rng = random.Random(2026)
    call_command("migrate_platform", verbosity=0)
    if SHARED_DATA.is_dir():
        geography_import(
            municipalities_csv=SHARED_DATA / "municipalities-2020.csv",
            postcodes_csv=SHARED_DATA / "postcodes.csv",
            localities_csv=SHARED_DATA / "postcodes-localities.csv",
        )
    else:
        geography_import_demo()
    flemish = list(Municipality.objects.filter(region_nl="Vlaams Gewest").order_by("nis_code"))
    if len(flemish) < 10:
        flemish = list(Municipality.objects.all())

    started = time.perf_counter()
    regions = [
        region_ensure(
            slug=f"bench-region-{n}",
            name=f"Bench region {n}",
            domain=f"bench-region-{n}.bench.test",
        )
        for n in range(15)
    ]
    existing = Loket.objects.filter(slug__startswith="bench-").count()
    for number in range(existing, args.lokets):
        loket_create(
            slug=f"bench-{number}",
            name=f"Bench loket {number}",
            kind=Loket.Kind.MUNICIPAL,
            region=regions[number % len(regions)],
            municipalities=[flemish[number % len(flemish)]],
        )
        connection.set_schema_to_public()
    lokets = list(
        Loket.objects.filter(slug__startswith="bench-")
        .prefetch_related("municipalities")
        .order_by("pk")
    )
    home = {loket.pk: loket.municipalities.all()[0].pk for loket in lokets}
    municipality_ids = [m.pk for m in flemish]

    have = RegistryEntry.objects.filter(reference__startswith="B").count()
    if have < args.rows:
        RegistryEntry.objects.filter(reference__startswith="B").delete()
        statuses = ["open"] * 6 + ["placed", "withdrawn", "lapsed", "cancelled"]
        now = datetime.now(UTC)
        written, child = 0, 0
        raw = connection.connection  # psycopg 3: COPY straight into the table
        copy_sql = f"COPY registry_registryentry ({COLUMNS}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            while written < args.rows:
                child += 1
                name_key = hashlib.sha256(f"child-{child}".encode()).hexdigest()
                first = rng.choice(lokets)
                residence = home[first.pk] if rng.random() < 0.75 else rng.choice(municipality_ids)
                # Most children ask one loket, many two or three (often a neighbour).
                count = min(rng.choice([1, 1, 2, 2, 3]), args.rows - written)
                others = [lk for lk in lokets if lk.region_id == first.region_id] or lokets
                chosen = [first, *rng.sample(others, min(count - 1, len(others)))]
                chosen = list({lk.pk: lk for lk in chosen}.values())
                registered = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 3 * 365 * 24 * 60)
                )
                start = registered.date() + timedelta(days=rng.randint(60, 360))
                placed_in = rng.choice(chosen).pk if rng.random() < 0.3 else None
                age = "baby" if rng.random() < 0.7 else "toddler"
                priority = rng.random() < 0.35
                for loket in chosen:
                    written += 1
                    status = (
                        "placed"
                        if loket.pk == placed_in
                        else ("cancelled" if placed_in else rng.choice(statuses))
                    )
                    copy.write_row(
                        (
                            loket.pk,
                            written,
                            f"B{written}",
                            uuid.uuid4(),
                            name_key,
                            "",
                            "",
                            status,
                            start,
                            age,
                            residence,
                            priority,
                            rng.random() < 0.2,
                            registered,
                            status == "open" and rng.random() < 0.15,
                            registered + timedelta(days=rng.randint(10, 300))
                            if status == "placed"
                            else None,
                            now,
                        )
                    )
        analyze_models(RegistryEntry)
    build_seconds = time.perf_counter() - started
    total = RegistryEntry.objects.count()
    print(
        f"portal: {total:,} rows in {len(lokets)} lokets, 15 regions "
        f"(built in {build_seconds:.0f} s this run)"
    )

    year = period_of_year(2025)
    scenarios = {
        "one region, one year": lambda: scope_for_region(region=rng.choice(regions)),
        "all lokets, one year": lambda: scope_all(),
    }
    for label, make in scenarios.items():
        timings, query_counts = [], []
        for _ in range(args.runs):
            scope = make()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                figures = figures_compute(scope=scope, period=year, supply_month=date(2025, 6, 1))
                timings.append(time.perf_counter() - began)
            query_counts.append(sum(not q["sql"].startswith("SET ") for q in captured))
        totals = figures["totals"]
        print(
            f"  {label:<24} {summary_ms(timings)}  queries {max(query_counts)}"
            f"  (last: {totals['requests']:,} requests, {totals['unique_requests']:,} children,"
            f" {totals['waiting']:,} waiting)"
        )


if __name__ == "__main__":
    main()
