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
- *waiting* (unmet need): one of them is open and none is placed (``_WAITS``; the start
  pages' "children waiting now" is ``count_waiting_children`` without a period: the same
  rule over every registration, whenever made);
- *placement*: one of them is placed; the time to placement is per placed entry;
- its municipality is the highest residence id of its entries, its age group the lowest,
  its start month the earliest desired start (a child's entries normally agree).

Requests, lapsed and withdrawn count entries (requests), not children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shared.catalogue.vocabulary import FIRST_MONTH, LAST_MONTH, add_months, first_of_month
from shared.geography.models import Municipality
from shared.lokets.models import Loket, Region
from shared.registry.duplicates import duplicates_for_loket, duplicates_waiting_in
from shared.registry.models import PossibleDuplicate, RegistryEntry, RequestStatus

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


# What one request may ask figures for: days in [FIGURES_FROM, FIGURES_UNTIL], and at most
# MAX_SPLIT_PERIODS periods when split per month (each period is a few queries).
FIGURES_FROM = FIRST_MONTH
FIGURES_UNTIL = add_months(LAST_MONTH, 1)
MAX_SPLIT_PERIODS = 60


def period_errors(*, period: Period, split: bool = False) -> dict[str, list[str]]:
    """Why figures cannot be computed for ``period`` (split per month or not), per field."""
    errors: dict[str, list[str]] = {}
    bounds = _("Figures cover %(first)s to %(last)s: choose days in between.") % {
        "first": FIGURES_FROM.isoformat(),
        "last": FIGURES_UNTIL.isoformat(),
    }
    if not FIGURES_FROM <= period.start <= FIGURES_UNTIL:
        errors["start"] = [bounds]
    if not FIGURES_FROM <= period.end <= FIGURES_UNTIL:
        errors["end"] = [bounds]
    if errors:
        return errors
    if period.end <= period.start:
        return {"end": [_("Choose an end after the start.")]}
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    if split and months + (period.end.day > 1) > MAX_SPLIT_PERIODS:
        errors["split"] = [
            _(
                "One period per month is possible for at most %(count)s months: choose a "
                "shorter period."
            )
            % {"count": MAX_SPLIT_PERIODS}
        ]
    return errors


def period_of_year(year: int) -> Period:
    return Period(start=date(year, 1, 1), end=date(year + 1, 1, 1))


def period_of_month(month: date) -> Period:
    start = first_of_month(month)
    return Period(start=start, end=add_months(start, 1))


# A child waits (unmet need) when one of its entries is open and none is placed: written
# once, here, for the figures, the per-loket rows and the start pages alike.
_WAITS = "is_open AND NOT is_placed"
_IN_PERIOD = "AND e.registered_at >= %s AND e.registered_at < %s"

# Per child identity over the entries of a scope ({scope}), of a period or not ({registered}).
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
     WHERE {scope} {registered}
     GROUP BY e.child_id
"""

# Only constant SQL is pasted into these queries; values are always parameters.
_PER_MUNICIPALITY = f"""
    WITH children AS ({_CHILDREN})
    SELECT residence_id, GROUPING(residence_id) AS is_total,
           count(*),
           count(*) FILTER (WHERE NOT had_offer),
           count(*) FILTER (WHERE {_WAITS}),
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
     WHERE {_WAITS}
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

# Licensed and free places of the catalogue, per ``{group}`` (a column of the location).
_SUPPLY = """
    SELECT l.{group}, sum(l.licensed_capacity), coalesce(sum(a.free_places), 0)
      FROM catalogue_cataloguelocation l
      LEFT JOIN (
            SELECT catalogue_location_id, sum(free_places) AS free_places
              FROM catalogue_catalogueavailability
             WHERE month = %s
             GROUP BY catalogue_location_id
      ) a ON a.catalogue_location_id = l.id
     WHERE {scope}
     GROUP BY l.{group}
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
    per_municipality = _rows(_PER_MUNICIPALITY.format(scope=where, registered=_IN_PERIOD), params)
    breakdown = _rows(_WAITING_BREAKDOWN.format(scope=where, registered=_IN_PERIOD), params)
    medians = _rows(_TIME_TO_PLACEMENT.format(scope=where), params)
    supply_where, supply_params = scope.sql("l.loket_id")
    supply_month = first_of_month(supply_month or timezone.localdate())
    supply = _rows(
        _SUPPLY.format(scope=supply_where, group="municipality_id"), [supply_month, *supply_params]
    )

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


# Per loket of a region: the same rules per child, over that loket's entries only, so a
# child registered in two lokets counts once in each (and once in the region's totals).
_PER_LOKET = f"""
    WITH children AS (
        SELECT e.loket_id, e.child_id,
               count(*) AS requests,
               bool_or(e.has_offer OR e.status = 'placed') AS had_offer,
               bool_or(e.status = 'placed') AS is_placed,
               bool_or(e.status = 'open') AS is_open,
               bool_or(e.has_priority) AS has_priority,
               count(*) FILTER (WHERE e.status = 'lapsed') AS lapsed,
               count(*) FILTER (WHERE e.status = 'withdrawn') AS withdrawn
          FROM registry_registryentry e
         WHERE {{scope}} {_IN_PERIOD}
         GROUP BY e.loket_id, e.child_id
    )
    SELECT loket_id,
           count(*),
           count(*) FILTER (WHERE NOT had_offer),
           count(*) FILTER (WHERE {_WAITS}),
           count(*) FILTER (WHERE is_placed),
           count(*) FILTER (WHERE has_priority),
           sum(requests), sum(lapsed), sum(withdrawn)
      FROM children
     GROUP BY loket_id
"""  # noqa: S608


def figures_per_loket(
    *, region: Region, period: Period, supply_month: date | None = None
) -> list[dict]:
    """The figures of each loket of ``region`` over ``period``, JSON-ready, by name (two
    queries; a loket without requests has zeros).

    Each row is what ``figures_compute`` gives for that loket alone: a child registered
    in two lokets of the region counts once in each row and once in the region's totals,
    so the rows may add up to more than the totals.
    """
    scope = scope_for_region(region=region)
    start, end = period.bounds()
    where, params = scope.sql("e.loket_id")
    found = {
        loket_id: dict(zip(CHILD_FIGURES, (int(value or 0) for value in values), strict=True))
        for loket_id, *values in _rows(_PER_LOKET.format(scope=where), [*params, start, end])
    }
    supply_where, supply_params = scope.sql("l.loket_id")
    supply_month = first_of_month(supply_month or timezone.localdate())
    supply = {
        loket_id: (int(cap), int(free))
        for loket_id, cap, free in _rows(
            _SUPPLY.format(scope=supply_where, group="loket_id"), [supply_month, *supply_params]
        )
    }
    rows = []
    for loket in Loket.objects.filter(region=region).order_by("name", "pk"):
        figures = found.get(loket.pk) or dict.fromkeys(CHILD_FIGURES, 0)
        cap, free = supply.get(loket.pk, (0, 0))
        rows.append(
            {
                "slug": loket.slug,
                "name": loket.name,
                **figures,
                "double_registrations": figures["requests"] - figures["unique_requests"],
                "licensed_places": cap,
                "free_places": free,
            }
        )
    return rows


_WAITING_CHILDREN = f"""
    WITH children AS ({_CHILDREN})
    SELECT count(*) FROM children WHERE {_WAITS}
"""  # noqa: S608


def count_waiting_children(*, scope: Scope, period: Period | None = None) -> int:
    """Children waiting for a place in ``scope``, each once (its child identity: a child
    registered in two lokets, or before and after birth, is one child; twins are two): one
    of its requests is open and none is placed. Without ``period``: waiting now, whenever
    registered (the start pages, the figures page's "now"); with it: of the children
    registered in that period, as ``figures_compute``'s ``waiting``."""
    where, params = scope.sql("e.loket_id")
    if period is None:
        sql = _WAITING_CHILDREN.format(scope=where, registered="")
    else:
        sql = _WAITING_CHILDREN.format(scope=where, registered=_IN_PERIOD)
        params = [*params, *period.bounds()]
    [(count,)] = _rows(sql, params)
    return count


# Waiting here and open in another loket too: only children that wait by ``_WAITS`` in
# the scope (none of their entries there placed).
_DASHBOARD = """
    SELECT count(*) FILTER (WHERE e.registered_at >= %s),
           count(*) FILTER (WHERE e.status = 'open' AND e.has_offer),
           count(DISTINCT e.child_id) FILTER (
               WHERE e.status = 'open' AND EXISTS (
                   SELECT 1 FROM registry_registryentry o
                    WHERE o.loket_id <> e.loket_id AND o.status = 'open'
                      AND o.child_id = e.child_id
               ) AND NOT EXISTS (
                   SELECT 1 FROM registry_registryentry p
                    WHERE {placed_scope} AND p.status = 'placed' AND p.child_id = e.child_id
               )
           )
      FROM registry_registryentry e
     WHERE {scope}
"""


def scope_dashboard(*, scope: Scope, since: datetime) -> dict:
    """What a scope's staff watch (two queries): children waiting now (each once,
    ``count_waiting_children``), requests registered since ``since``, offers waiting for
    the parent's answer, and waiting children who also wait in another loket (the same
    child identity)."""
    where, params = scope.sql("e.loket_id")
    placed_where, placed_params = scope.sql("p.loket_id")
    [(new_since, offers_waiting, double)] = _rows(
        _DASHBOARD.format(scope=where, placed_scope=placed_where),
        [since, *placed_params, *params],
    )
    return {
        "waiting": count_waiting_children(scope=scope),
        "new_since": new_since,
        "offers_waiting": offers_waiting,
        "also_elsewhere": double,
    }


def loket_dashboard(*, loket: Loket, now: datetime) -> dict:
    """``scope_dashboard`` of one loket, "new" meaning the last seven days."""
    counts = scope_dashboard(scope=scope_for_loket(loket=loket), since=now - timedelta(days=7))
    counts["new_this_week"] = counts.pop("new_since")
    return counts


# --- Figures you can defend: what may still change them, and the requests behind them ---


def _scope_loket_ids(scope: Scope) -> list[int] | None:
    if scope.loket_id is not None:
        return [scope.loket_id]
    if scope.region_id is not None:
        return list(Loket.objects.filter(region_id=scope.region_id).values_list("id", flat=True))
    return None


def duplicates_to_decide(*, scope: Scope, period: Period) -> int:
    """Open possible duplicates with an entry of ``scope`` registered in ``period``.

    Each is counted once meanwhile; a rejection makes two children of it, so the unique
    requests of the period can still grow by this many.
    """
    start, end = period.bounds()
    return duplicates_waiting_in(loket_ids=_scope_loket_ids(scope), start=start, end=end)


def loket_duplicate_counts(*, loket: Loket) -> dict:
    """The loket's possible duplicates to decide, and those where a place was accepted
    for the other family's request meanwhile."""
    waiting = duplicates_for_loket(loket=loket, status=PossibleDuplicate.Status.OPEN)
    return {
        "to_decide": waiting.count(),
        "placed_elsewhere": waiting.filter(placed_elsewhere_at__isnull=False).count(),
    }


@dataclass(frozen=True)
class OwnRequest:
    reference: str
    status: str

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)


@dataclass(frozen=True)
class ReconciledChild:
    """One child identity behind a loket's figures: its requests here, where else."""

    child_key: str  # the start of the identity's random id: the same in every export
    requests: tuple[OwnRequest, ...]  # this loket's, in the period
    other_lokets: tuple[str, ...]  # names only: another loket's requests stay there
    is_without_offer: bool
    is_waiting: bool
    has_open_duplicate: bool


@dataclass(frozen=True)
class Reconciliation:
    period: Period
    children: tuple[ReconciledChild, ...]

    @property
    def unique_requests(self) -> int:
        return len(self.children)

    @property
    def unique_without_offer(self) -> int:
        return sum(child.is_without_offer for child in self.children)

    @property
    def waiting(self) -> int:
        return sum(child.is_waiting for child in self.children)

    @property
    def requests(self) -> int:
        return sum(len(child.requests) for child in self.children)


def reconciliation_for_loket(*, loket: Loket, period: Period) -> Reconciliation:
    """The requests behind the loket's unique requests, without offer and waiting.

    The same rules as ``figures_compute`` (per child over the loket's entries registered
    in ``period``), so its totals are the figures' totals; here each child is listed with
    the loket's own references, and other lokets of the child by name only.
    """
    start, end = period.bounds()
    entries = (
        RegistryEntry.objects.filter(loket=loket, registered_at__gte=start, registered_at__lt=end)
        .order_by("registered_at", "id")
        .values_list("child_id", "child__public_id", "reference", "status", "has_offer")
    )
    by_child: dict[int, dict] = {}
    for child_id, public_id, reference, status, has_offer in entries:
        child = by_child.setdefault(
            child_id, {"key": str(public_id)[:8], "requests": [], "offered": False}
        )
        child["requests"].append(OwnRequest(reference=reference, status=status))
        child["offered"] |= has_offer or status == RequestStatus.PLACED
    elsewhere: dict[int, set[str]] = {}
    for child_id, name in (
        RegistryEntry.objects.filter(child_id__in=by_child)
        .exclude(loket=loket)
        .values_list("child_id", "loket__name")
        .distinct()
    ):
        elsewhere.setdefault(child_id, set()).add(name)
    with_duplicate = set(
        PossibleDuplicate.objects.filter(
            Q(entry__child_id__in=by_child) | Q(other__child_id__in=by_child),
            status=PossibleDuplicate.Status.OPEN,
        ).values_list("entry__child_id", flat=True)
    ) | set(
        PossibleDuplicate.objects.filter(
            Q(entry__child_id__in=by_child) | Q(other__child_id__in=by_child),
            status=PossibleDuplicate.Status.OPEN,
        ).values_list("other__child_id", flat=True)
    )
    children = []
    for child_id, child in by_child.items():
        statuses = {request.status for request in child["requests"]}
        children.append(
            ReconciledChild(
                child_key=child["key"],
                requests=tuple(child["requests"]),
                other_lokets=tuple(sorted(elsewhere.get(child_id, ()))),
                is_without_offer=not child["offered"],
                is_waiting=RequestStatus.OPEN in statuses and RequestStatus.PLACED not in statuses,
                has_open_duplicate=child_id in with_duplicate,
            )
        )
    return Reconciliation(period=period, children=tuple(children))
