"""Figures from the registry equal what plain Python counts over the generated requests."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from shared.catalogue.vocabulary import AgeGroup, first_of_month
from shared.geography.models import Municipality
from shared.registry.models import RegistryEntry, RequestStatus
from shared.statistics.exports import export_header
from shared.statistics.models import FigureSnapshot
from shared.statistics.selectors import (
    Period,
    figures_compute,
    loket_dashboard,
    period_of_month,
    scope_for_loket,
    scope_for_region,
)
from shared.statistics.services import snapshots_store
from tenants.requests.models import ChildcareRequest
from tests.support.providers import make_location, set_free_places
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

PERIOD = Period(start=date(2026, 1, 1), end=date(2027, 1, 1))
FIRST_NAMES = [("Zoë", "zoe", "ZOE"), ("Jan-Pieter", "Jan Pieter", "janpieter"), ("Lotte",) * 3]
LAST_NAMES = [("Van den Broeck", "VANDENBROECK", "van-den-broeck"), ("Peeters",) * 3]
RESIDENCES = ["24038", "24107", "24137"]


@dataclass
class Generated:
    """One loket request as the test made it: the truth the figures are checked against."""

    child: int
    loket: str
    residence: str
    status: str
    has_offer: bool
    has_priority: bool
    registered_at: datetime
    placed_at: datetime | None
    age_group: str
    desired_start: date


@pytest.fixture
def generated(world) -> list[Generated]:
    rng = random.Random(2026)
    locations = {slug: make_location(world.lokets[slug]) for slug in ("alpha", "beta", "gamma")}
    set_free_places(
        world.lokets["alpha"], locations["alpha"], first_of_month(timezone.localdate()), "baby", 3
    )
    made: list[Generated] = []
    today = timezone.localdate()
    for child in range(24):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birth = today - timedelta(days=30 + child * 7)  # every child its own birth date
        residence = rng.choice(RESIDENCES)
        priority = rng.random() < 0.3
        lokets = rng.sample(["alpha", "beta", "gamma"], rng.choice([1, 2, 2, 3]))
        placed_in = rng.choice(lokets) if rng.random() < 0.25 else None
        in_period = rng.random() < 0.85
        for variant, slug in enumerate(lokets):
            [entry] = submit(
                locations[slug],
                child_first_name=first[variant],
                child_last_name=last[variant],
                child_birth_date=birth,
                residence=Municipality.objects.get(nis_code=residence),
                desired_start=today + timedelta(days=20 + 11 * child),
                priorities=["work_or_training"] if priority else [],
            )
            connection.set_schema_to_public()
            registered = (
                datetime(2026, rng.randint(1, 10), rng.randint(1, 28), 9, tzinfo=UTC)
                if in_period
                else datetime(2025, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Brussels
            )
            if slug == placed_in:
                status = RequestStatus.PLACED
            elif placed_in:
                status = RequestStatus.CANCELLED
            else:
                status = rng.choice(
                    [RequestStatus.OPEN] * 3 + [RequestStatus.WITHDRAWN, RequestStatus.LAPSED]
                )
            placed_at = (
                registered + timedelta(days=rng.randint(5, 90)) if slug == placed_in else None
            )
            has_offer = status == RequestStatus.OPEN and rng.random() < 0.3
            RegistryEntry.objects.filter(pk=entry.pk).update(
                status=status, registered_at=registered, placed_at=placed_at, has_offer=has_offer
            )
            with tenant_context(world.lokets[slug]):  # the loket's copy says the same
                ChildcareRequest.objects.filter(pk=entry.request_id).update(status=status)
            entry.refresh_from_db()
            assert entry.has_priority == priority
            made.append(
                Generated(
                    child=child,
                    loket=slug,
                    residence=residence,
                    status=status,
                    has_offer=has_offer,
                    has_priority=priority,
                    registered_at=registered,
                    placed_at=placed_at,
                    age_group=entry.age_group,
                    desired_start=entry.desired_start,
                )
            )
    assert len({(g.child, g.loket) for g in made}) == len(made)
    assert len(made) > 40  # children in two or three lokets
    return made


def expected(made: list[Generated], lokets: set[str]) -> dict:
    """The figures, counted in plain Python from what the test generated."""
    start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=1)  # midnight in Brussels
    end = datetime(2027, 1, 1, tzinfo=UTC) - timedelta(hours=1)
    rows = [g for g in made if g.loket in lokets and start <= g.registered_at < end]
    children: dict[int, list[Generated]] = {}
    for row in rows:
        children.setdefault(row.child, []).append(row)

    def waiting(entries):
        return any(e.status == "open" for e in entries) and not any(
            e.status == "placed" for e in entries
        )

    result = {
        "totals": {
            "unique_requests": len(children),
            "unique_without_offer": sum(
                not any(e.has_offer or e.status == "placed" for e in entries)
                for entries in children.values()
            ),
            "waiting": sum(waiting(entries) for entries in children.values()),
            "placements": sum(
                any(e.status == "placed" for e in entries) for entries in children.values()
            ),
            "priority": sum(entries[0].has_priority for entries in children.values()),
            "requests": len(rows),
            "lapsed": sum(row.status == "lapsed" for row in rows),
            "withdrawn": sum(row.status == "withdrawn" for row in rows),
            "double_registrations": len(rows) - len(children),
        },
        "by_municipality": {},
        "by_age": {},
        "by_month": {},
        "by_priority": {},
    }
    placed_days = [
        (row.placed_at - row.registered_at).total_seconds() / 86400
        for row in rows
        if row.status == "placed"
    ]
    result["median"] = round(statistics.median(placed_days), 1) if placed_days else None
    for entries in children.values():
        nis = entries[0].residence
        counts = result["by_municipality"].setdefault(
            nis, {"unique_requests": 0, "waiting": 0, "lapsed": 0}
        )
        counts["unique_requests"] += 1
        counts["waiting"] += waiting(entries)
        counts["lapsed"] += sum(e.status == "lapsed" for e in entries)
        if waiting(entries):
            age = min(e.age_group for e in entries)
            month = min(e.desired_start for e in entries).strftime("%Y-%m")
            priority = "yes" if entries[0].has_priority else "no"
            for key, value in (("by_age", age), ("by_month", month), ("by_priority", priority)):
                result[key][value] = result[key].get(value, 0) + 1
    return result


@pytest.mark.parametrize("lokets", [{"alpha"}, {"beta"}, {"alpha", "beta", "gamma"}])
def test_every_figure_equals_what_the_generated_requests_say(world, generated, lokets):
    scope = (
        scope_for_loket(loket=world.lokets[next(iter(lokets))])
        if len(lokets) == 1
        else scope_for_region(region=world.region)
    )
    figures = figures_compute(scope=scope, period=PERIOD)
    truth = expected(generated, lokets)
    totals = figures["totals"]
    for key, value in truth["totals"].items():
        assert totals[key] == value, key
    assert totals["median_days_to_placement"] == truth["median"]
    by_municipality = {
        row["nis_code"]: {key: row[key] for key in ("unique_requests", "waiting", "lapsed")}
        for row in figures["municipalities"]
        if row["unique_requests"]
    }
    assert by_municipality == truth["by_municipality"]
    assert figures["waiting_by_age_group"] == truth["by_age"]
    assert figures["waiting_by_start_month"] == truth["by_month"]
    assert figures["waiting_by_priority"] == truth["by_priority"]


def test_children_in_several_lokets_count_once_in_the_region(world, generated):
    figures = figures_compute(scope=scope_for_region(region=world.region), period=PERIOD)
    in_period = [g for g in generated if g.registered_at.year == 2026]
    assert figures["totals"]["unique_requests"] == len({g.child for g in in_period})
    assert figures["totals"]["requests"] == len(in_period)
    assert figures["totals"]["requests"] > figures["totals"]["unique_requests"]


def test_supply_stands_beside_demand_per_municipality(world, generated):
    figures = figures_compute(scope=scope_for_region(region=world.region), period=PERIOD)
    rows = {row["nis_code"]: row for row in figures["municipalities"]}
    # One location of 18 places per loket, in its first municipality; 3 free in alpha.
    assert rows["24038"]["licensed_places"] == 18
    assert rows["24038"]["free_places"] == 3
    assert rows["24107"]["licensed_places"] == 18
    assert figures["totals"]["licensed_places"] == 54
    alpha = figures_compute(scope=scope_for_loket(loket=world.lokets["alpha"]), period=PERIOD)
    assert alpha["totals"]["licensed_places"] == 18


def test_figures_take_a_constant_number_of_queries(world, generated):
    scope = scope_for_region(region=world.region)
    with CaptureQueriesContext(connection) as few:
        figures_compute(scope=scope, period=Period(start=date(2026, 1, 1), end=date(2026, 2, 1)))
    with CaptureQueriesContext(connection) as many:
        figures_compute(scope=scope, period=PERIOD)

    def real(captured):  # django-tenants sets the search path before each cursor
        return [q for q in captured.captured_queries if not q["sql"].startswith("SET ")]

    assert len(real(few)) == len(real(many)) == 5


def test_loket_dashboard_counts_waiting_children_offers_and_double_registrations(world, generated):
    now = timezone.now()
    alpha = [g for g in generated if g.loket == "alpha"]
    open_here = {g.child for g in alpha if g.status == "open"}
    open_elsewhere = {g.child for g in generated if g.loket != "alpha" and g.status == "open"}
    counts = loket_dashboard(loket=world.lokets["alpha"], now=now)
    assert counts["waiting"] == len(open_here)
    assert counts["offers_waiting"] == sum(g.status == "open" and g.has_offer for g in alpha)
    assert counts["new_this_week"] == sum(g.registered_at >= now - timedelta(days=7) for g in alpha)
    assert counts["also_elsewhere"] == len(open_here & open_elsewhere)


def test_monthly_snapshot_is_stored_once(world, generated):
    from shared.statistics.jobs import monthly_snapshots

    now = datetime(2026, 4, 3, 6, tzinfo=UTC)
    first = monthly_snapshots(now=now)
    assert first["stored"] == FigureSnapshot.objects.filter(month=date(2026, 3, 1)).count() >= 5
    assert monthly_snapshots(now=now) == {"stored": 0}
    snapshot = FigureSnapshot.objects.get(month=date(2026, 3, 1), scope=f"region:{world.region.pk}")
    march = [g for g in generated if g.registered_at.year == 2026 and g.registered_at.month == 3]
    assert snapshot.figures["totals"]["requests"] == len(march)
    assert snapshot.figures["totals"]["unique_requests"] == len({g.child for g in march})
    assert snapshots_store(month=date(2026, 3, 1)) == 0
    assert period_of_month(date(2026, 3, 17)) == Period(date(2026, 3, 1), date(2026, 4, 1))


EXPECTED_COLUMNS = [
    "period",
    "municipality NIS code",
    "municipality",
    "unique requests",
    "unique requests without offer",
    "children waiting",
    "placements",
    "lapsed",
    "withdrawn",
]


def test_downloads_have_one_row_per_period_and_municipality(client_for, world, generated):
    client = client_for("alpha", "staff_alpha")
    truth = expected(generated, {"alpha"})
    response = client.get("/beheer/cijfers/export.csv?year=2026", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    # Named for what, whose and when; UTF-8 with a byte order mark, as every CSV download.
    assert response["Content-Disposition"] == (
        'attachment; filename="cijfers-loket-alpha-20260101-20261231.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == EXPECTED_COLUMNS
    assert {row[1]: int(row[3]) for row in rows[1:]} == {
        nis: counts["unique_requests"] for nis, counts in truth["by_municipality"].items()
    }
    assert {row[0] for row in rows[1:]} == {"2026"}

    response = client.get("/beheer/cijfers/export.xlsx?year=2026&split=month")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('cijfers-loket-alpha-20260101-20261231.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values[0]) == len(EXPECTED_COLUMNS) == len(export_header())
    monthly = {}
    for period, _nis, _name, unique, *_ in values[1:]:
        monthly[period] = monthly.get(period, 0) + unique
    alpha_2026 = [g for g in generated if g.loket == "alpha" and g.registered_at.year == 2026]
    for month in range(1, 13):
        label = f"2026-{month:02d}"
        registered = {g.child for g in alpha_2026 if g.registered_at.month == month}
        assert monthly.get(label, 0) == len(registered)


def test_pages_show_charts_with_tables(client_for, world, generated):
    client = client_for("alpha", "staff_alpha")
    assert client.get("/beheer/cijfers/").status_code == 200
    page = client.get("/beheer/cijfers/overzicht/?year=2026").content.decode()
    assert page.count('role="img"') == 7
    assert page.count("<title id=") == 7
    # Each chart's values once more as a table, folded away until asked for.
    assert page.count('<details class="chart-table">') == 7
    portal = client_for(world.region.domain, "coordinator").get("/cijfers/?year=2026")
    assert portal.status_code == 200
    assert 'role="img"' in portal.content.decode()


@pytest.mark.parametrize(
    "host,user",
    [
        ("alpha", "staff_beta"),
        ("alpha", "parent"),
        ("alpha", "provider_alpha"),
        ("alpha", "coordinator"),
        ("region", "staff_alpha"),
        ("region", "parent"),
    ],
)
def test_others_get_403(client_for, world, host, user):
    client = client_for(world.region.domain if host == "region" else host, user)
    pages = (
        ["/cijfers/", "/cijfers/export.csv", "/api/v1/figures/"]
        if host == "region"
        else [
            "/beheer/cijfers/",
            "/beheer/cijfers/overzicht/",
            "/beheer/cijfers/export.xlsx",
            "/api/v1/figures/",
        ]
    )
    for page in pages:
        assert client.get(page).status_code == 403, page


def test_api_gives_the_figures_of_the_loket_and_of_the_region(client_for, world, generated):
    loket = client_for("alpha", "staff_alpha").get(
        "/api/v1/figures/?start=2026-01-01&end=2027-01-01"
    )
    assert loket.status_code == 200
    truth = expected(generated, {"alpha"})
    assert loket.json()["totals"]["unique_requests"] == truth["totals"]["unique_requests"]
    region = client_for(world.region.domain, "coordinator").get("/api/v1/figures/?year=2026")
    assert region.status_code == 200
    everywhere = expected(generated, {"alpha", "beta", "gamma"})
    assert (
        region.json()["totals"]["unique_without_offer"]
        == (everywhere["totals"]["unique_without_offer"])
    )
    assert region.json()["scope"] == f"region:{world.region.pk}"


def test_age_groups_are_known(generated):
    assert {g.age_group for g in generated} <= set(AgeGroup.values)


def test_supply_is_drawn_on_a_scale_that_shows_the_children_waiting():
    from shared.statistics.charts import charts, waiting_per_hundred_places

    row = {
        "name": "Herent",
        "licensed_places": 376,
        "free_places": 3,
        "waiting": 8,
        "unique_requests": 9,
        "unique_without_offer": 8,
    }
    figures = {
        "municipalities": [row, {**row, "name": "Leeg", "licensed_places": 0}],
        "waiting_by_age_group": {},
        "waiting_by_start_month": {},
        "waiting_by_priority": {},
    }
    from django.utils import translation

    with translation.override("en"):
        drawn = {chart["id"]: chart for chart in charts(figures)}
    supply = {bar["label"]: bar for bar in drawn["supply"]["bars"]}
    # Licensed places are not drawn beside a handful of children: the waiting bar is the
    # longest of its chart, not a sliver.
    assert all("licensed" not in label for label in supply)
    assert supply["Herent: children waiting"]["width"] == 300
    assert waiting_per_hundred_places(row) == 2
    # Without licensed places there is no ratio to draw.
    assert [bar["label"] for bar in drawn["pressure"]["bars"]] == ["Herent"]


def test_each_chart_has_its_own_table_toggle_with_the_same_values(client_for, world, generated):
    page = client_for("alpha", "staff_alpha").get("/beheer/cijfers/overzicht/?year=2026")
    sections = re.findall(
        r'<section class="figure-chart".*?</section>', page.content.decode(), re.S
    )
    assert len(sections) == 7
    for section in sections:
        # One chart, scaled to the screen (its viewBox), named with every value.
        assert section.count("<svg") == 1
        assert re.search(
            r'<svg role="img" aria-labelledby="[\w-]+" [^>]*viewBox="0 0 560 ', section
        )
        assert 'class="chart"' in section
        title = re.search(r"<title id=[^>]*>(.*?)</title>", section, re.S).group(1)
        # The toggle: a <details> (no script needed) holding the chart's values as a table.
        toggle = re.search(
            r'<details class="chart-table">\s*<summary>(.*?)</summary>(.*?)</details>',
            section,
            re.S,
        )
        assert toggle and toggle.group(1) == "Toon als tabel"
        drawn = re.findall(r'<text x="\d+" y="\d+" font-size="12">(\d+)</text>', section)
        listed = re.findall(r"<td>(\d+)</td>", toggle.group(2))
        assert drawn == listed
        for value in listed:
            assert value in title
