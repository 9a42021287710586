"""Figures of the portal: what lokets report to Opgroeien and what a region watches.

Everything is read from the public schema (the child registry and the catalogue), never
by joining lokets' schemas, in a constant number of aggregate queries.

**A child** is counted by its identity, ``RegistryEntry.child`` (a random id, linked when
an entry is written: the same national number, the same child within one family before
and after birth, a probable match across families; ``shared.registry.children``), so a
child registered in three lokets, or once before and once after birth, counts once.

Within a scope (a loket, a region's lokets, all lokets) and a period (``registered_at`` in
``[start, end)``), per child, over its entries in that scope and period:

- *unique request*: the child has an entry;
- *without offer*: none of those entries has an offer or is placed;
- *waiting* (unmet need): one of them is open and none is placed;
- *placement*: one of them is placed; the time to placement is per placed entry;
- its municipality is the highest residence id of its entries, its age group the lowest,
  its start month the earliest desired start (a child's entries normally agree).

Requests, lapsed and withdrawn count entries (requests), not children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from shared.catalogue.vocabulary import add_months, first_of_month
from shared.geography.models import Municipality
from shared.lokets.models import Loket, Region

CHILD_FIGURES = (
    "unique_requests",
    "unique_without_offer",
    "waiting",
    "placements",
    "priority",
    "requests",
    "lapsed",
    "withdrawn",
)


@dataclass(frozen=True)
class Scope:
    """Whose figures: one loket, the lokets of a region, or every loket."""

    key: str  # "loket:<id>", "region:<id>" or "all"
    label: str
    loket_id: int | None = None
    region_id: int | None = None

    def sql(self, column: str) -> tuple[str, list]:
        """A WHERE condition on ``column`` (a loket id); the ids go in as parameters."""
        if self.loket_id is not None:
            return f"{column} = %s", [self.loket_id]
        if self.region_id is not None:
            return f"{column} IN (SELECT id FROM lokets_loket WHERE region_id = %s)", [  # noqa: S608
                self.region_id
            ]
        return "TRUE", []


def scope_for_loket(*, loket: Loket) -> Scope:
    return Scope(key=f"loket:{loket.pk}", label=loket.name, loket_id=loket.pk)


def scope_for_region(*, region: Region) -> Scope:
    return Scope(key=f"region:{region.pk}", label=region.name, region_id=region.pk)


def scope_all() -> Scope:
    return Scope(key="all", label="Vlaanderen en Brussel")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if (self.start.day, self.start.month) == (1, 1) and add_months(self.start, 12) == self.end:
            return f"{self.start:%Y}"
        if self.start.day == 1 and add_months(self.start, 1) == self.end:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {last.isoformat()}"

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def months(self) -> list[Period]:
        months, month = [], first_of_month(self.start)
        while month < self.end:
            following = add_months(month, 1)
            months.append(Period(start=max(month, self.start), end=min(following, self.end)))
            month = following
        return months


def period_of_year(year: int) -> Period:
    return Period(start=date(year, 1, 1), end=date(year + 1, 1, 1))


def period_of_month(month: date) -> Period:
    start = first_of_month(month)
    return Period(start=start, end=add_months(start, 1))


_CHILDREN = """
    SELECT e.child_id,
           max(e.residence_id) AS residence_id,
           min(e.age_group) AS age_group,
           date_trunc('month', min(e.desired_start))::date AS start_month,
           count(*) AS requests,
           bool_or(e.has_offer OR e.status = 'placed') AS had_offer,
           bool_or(e.status = 'placed') AS is_placed,
           bool_or(e.status = 'open') AS is_open,
           bool_or(e.has_priority) AS has_priority,
           count(*) FILTER (WHERE e.status = 'lapsed') AS lapsed,
           count(*) FILTER (WHERE e.status = 'withdrawn') AS withdrawn
      FROM registry_registryentry e
     WHERE {scope} AND e.registered_at >= %s AND e.registered_at < %s
     GROUP BY e.child_id
"""

# Only constant SQL is pasted into these queries; values are always parameters.
_PER_MUNICIPALITY = f"""
    WITH children AS ({_CHILDREN})
    SELECT residence_id, GROUPING(residence_id) AS is_total,
           count(*),
           count(*) FILTER (WHERE NOT had_offer),
           count(*) FILTER (WHERE is_open AND NOT is_placed),
           count(*) FILTER (WHERE is_placed),
           count(*) FILTER (WHERE has_priority),
           sum(requests), sum(lapsed), sum(withdrawn)
      FROM children
     GROUP BY GROUPING SETS ((residence_id), ())
"""  # noqa: S608

_WAITING_BREAKDOWN = f"""
    WITH children AS ({_CHILDREN})
    SELECT GROUPING(age_group), GROUPING(start_month), age_group, start_month, has_priority,
           count(*)
      FROM children
     WHERE is_open AND NOT is_placed
     GROUP BY GROUPING SETS ((age_group), (start_month), (has_priority))
"""  # noqa: S608

_TIME_TO_PLACEMENT = """
    SELECT e.residence_id, GROUPING(e.residence_id),
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY extract(epoch FROM e.placed_at - e.registered_at) / 86400
           )
      FROM registry_registryentry e
     WHERE {scope} AND e.registered_at >= %s AND e.registered_at < %s
       AND e.status = 'placed' AND e.placed_at IS NOT NULL
     GROUP BY GROUPING SETS ((e.residence_id), ())
"""

_SUPPLY = """
    SELECT l.municipality_id, sum(l.licensed_capacity), coalesce(sum(a.free_places), 0)
      FROM catalogue_cataloguelocation l
      LEFT JOIN (
            SELECT catalogue_location_id, sum(free_places) AS free_places
              FROM catalogue_catalogueavailability
             WHERE month = %s
             GROUP BY catalogue_location_id
      ) a ON a.catalogue_location_id = l.id
     WHERE {scope}
     GROUP BY l.municipality_id
"""


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _days(value) -> float | None:
    return None if value is None else round(float(value), 1)


def figures_compute(*, scope: Scope, period: Period, supply_month: date | None = None) -> dict:
    """Every figure of ``scope`` over ``period``, JSON-ready (five queries).

    Supply (licensed places, free places) is what the catalogue says now, for
    ``supply_month`` (default: the current month).
    """
    start, end = period.bounds()
    where, scope_params = scope.sql("e.loket_id")
    params = [*scope_params, start, end]
    per_municipality = _rows(_PER_MUNICIPALITY.format(scope=where), params)
    breakdown = _rows(_WAITING_BREAKDOWN.format(scope=where), params)
    medians = _rows(_TIME_TO_PLACEMENT.format(scope=where), params)
    supply_where, supply_params = scope.sql("l.loket_id")
    supply_month = first_of_month(supply_month or timezone.localdate())
    supply = _rows(_SUPPLY.format(scope=supply_where), [supply_month, *supply_params])

    totals = dict.fromkeys(CHILD_FIGURES, 0)
    rows: dict[int | None, dict] = {}
    for residence_id, is_total, *values in per_municipality:
        figures = dict(zip(CHILD_FIGURES, (int(value or 0) for value in values), strict=True))
        if is_total:
            totals = figures
        else:
            rows[residence_id] = figures
    median_by_residence = {residence: days for residence, is_total, days in medians if not is_total}
    totals["median_days_to_placement"] = next(
        (_days(days) for _, is_total, days in medians if is_total), None
    )
    totals["double_registrations"] = totals["requests"] - totals["unique_requests"]
    supply_by_residence = {
        municipality: (int(cap), int(free)) for municipality, cap, free in supply
    }
    totals["licensed_places"] = sum(cap for cap, _ in supply_by_residence.values())
    totals["free_places"] = sum(free for _, free in supply_by_residence.values())

    ids = {key for key in (*rows, *supply_by_residence) if key is not None}
    municipalities = {m.pk: m for m in Municipality.objects.filter(pk__in=ids)}
    table = []
    for residence_id in {*rows, *supply_by_residence}:
        municipality = municipalities.get(residence_id)
        figures = rows.get(residence_id) or dict.fromkeys(CHILD_FIGURES, 0)
        cap, free = supply_by_residence.get(residence_id, (0, 0))
        table.append(
            {
                "nis_code": municipality.nis_code if municipality else "",
                "name": municipality.name_nl if municipality else "",
                **figures,
                "median_days_to_placement": _days(median_by_residence.get(residence_id)),
                "licensed_places": cap,
                "free_places": free,
            }
        )
    table.sort(key=lambda row: (row["name"] == "", row["name"]))

    by_age, by_month, by_priority = {}, {}, {}
    for no_age, no_month, age_group, start_month, has_priority, count in breakdown:
        if not no_age:
            by_age[age_group] = count
        elif not no_month:
            by_month[start_month.strftime("%Y-%m")] = count
        else:
            by_priority["yes" if has_priority else "no"] = count
    return {
        "scope": scope.key,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "supply_month": supply_month.isoformat(),
        "totals": totals,
        "municipalities": table,
        "waiting_by_age_group": dict(sorted(by_age.items())),
        "waiting_by_start_month": dict(sorted(by_month.items())),
        "waiting_by_priority": by_priority,
    }


_DASHBOARD = """
    SELECT count(DISTINCT e.child_id) FILTER (WHERE e.status = 'open'),
           count(*) FILTER (WHERE e.registered_at >= %s),
           count(*) FILTER (WHERE e.status = 'open' AND e.has_offer),
           count(DISTINCT e.child_id) FILTER (
               WHERE e.status = 'open' AND EXISTS (
                   SELECT 1 FROM registry_registryentry o
                    WHERE o.loket_id <> e.loket_id AND o.status = 'open'
                      AND o.child_id = e.child_id
               )
           )
      FROM registry_registryentry e
     WHERE e.loket_id = %s
"""


def loket_dashboard(*, loket: Loket, now: datetime) -> dict:
    """What a loket's staff watch (one query): children waiting now, new requests this
    week, offers waiting for the parent's answer, and waiting children who also wait in
    another loket (the same child identity)."""
    [(waiting, new_this_week, offers_waiting, double)] = _rows(
        _DASHBOARD, [now - timedelta(days=7), loket.pk]
    )
    return {
        "waiting": waiting,
        "new_this_week": new_this_week,
        "offers_waiting": offers_waiting,
        "also_elsewhere": double,
    }
