"""Today's work on the staff start pages, per role: each a count with the list behind it.

The counts come from the selectors of the apps that own the data, the same ones their
lists use, so the number on the start page is the number of rows its link shows. "This
week" is the last seven days, today included; the link carries that first day, so the
list filters on the same moment as the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext

from shared.accounts.models import User
from shared.lokets.models import Loket, Region
from shared.registry.duplicates import open_duplicates_count
from shared.statistics.selectors import scope_dashboard, scope_for_region
from tenants.allocation.placements import locations_with_placement_counts
from tenants.allocation.selectors import (
    locations_with_overdue,
    locations_with_queue_counts,
    new_choices_count,
)
from tenants.providers.selectors import locations_manageable_by
from tenants.requests.selectors import loket_requests
from tenants.signals.selectors import loket_signals

WEEK_DAYS = 7


@dataclass(frozen=True)
class WorkItem:
    """One line of a start page: ``text`` says the count in words, ``url`` lists them."""

    key: str
    count: int
    text: str
    url: str
    is_urgent: bool = False  # shown first and marked while there is any


def week_start(*, today: date) -> date:
    """The first of the last seven days, today included."""
    return today - timedelta(days=WEEK_DAYS - 1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _url(name: str, **query: object) -> str:
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def _overdue(*, locations, loket: Loket, now: datetime) -> int:
    return sum(
        location.overdue_count
        for location in locations_with_overdue(locations=locations, loket=loket, now=now)
    )


def _offers_waiting(locations) -> int:
    return sum(location.open_offer_count for location in locations_with_queue_counts(locations))


def loket_staff_work(*, loket: Loket, user: User, now: datetime) -> list[WorkItem]:
    """Loket staff: overdue answers, offers waiting for the parent, possible duplicates to
    decide, new signals and new requests of the week."""
    locations = locations_manageable_by(user=user, loket=loket)
    since = week_start(today=timezone.localdate(now))
    overdue = _overdue(locations=locations, loket=loket, now=now)
    offers = _offers_waiting(locations)
    duplicates = open_duplicates_count(loket=loket)
    signals = loket_signals(recorded_since=since).count()
    requests = loket_requests(registered_since=since).count()
    days = loket.response_days
    return [
        WorkItem(
            "overdue",
            overdue,
            ngettext(
                "choice waits longer than %(days)s days for a location's answer",
                "choices wait longer than %(days)s days for a location's answer",
                overdue,
            )
            % {"days": days},
            _url("allocation:overdue"),
            is_urgent=overdue > 0,
        ),
        WorkItem(
            "offers_waiting",
            offers,
            ngettext(
                "offer waits for the parent's answer",
                "offers wait for the parent's answer",
                offers,
            ),
            _url("allocation:queue_overview"),
        ),
        WorkItem(
            "duplicates",
            duplicates,
            ngettext(
                "possible duplicate to decide",
                "possible duplicates to decide",
                duplicates,
            ),
            _url("requests:duplicate_list", status="open"),
            is_urgent=duplicates > 0,
        ),
        WorkItem(
            "signals",
            signals,
            ngettext(
                "new signal this week",
                "new signals this week",
                signals,
            ),
            _url("signals:signal_list", since=since.isoformat()),
        ),
        WorkItem(
            "new_requests",
            requests,
            ngettext(
                "new request this week",
                "new requests this week",
                requests,
            ),
            _url("requests:request_list", registered_since=since.isoformat()),
        ),
    ]


def provider_staff_work(*, loket: Loket, user: User, now: datetime) -> list[WorkItem]:
    """Provider staff, for the locations granted to them: overdue answers, new choices of
    the week, offers waiting for the parent and upcoming starts."""
    locations = locations_manageable_by(user=user, loket=loket)
    today = timezone.localdate(now)
    since = week_start(today=today)
    overdue = _overdue(locations=locations, loket=loket, now=now)
    new = new_choices_count(locations=locations, since=_moment(since))
    offers = _offers_waiting(locations)
    starts = sum(
        location.upcoming_count
        for location in locations_with_placement_counts(locations, today=today)
    )
    return [
        WorkItem(
            "overdue",
            overdue,
            ngettext(
                "request waits longer than %(days)s days for your answer",
                "requests wait longer than %(days)s days for your answer",
                overdue,
            )
            % {"days": loket.response_days},
            # The overdue page is loket staff's: the provider's late locations are listed
            # on this start page itself, each linking to its queue.
            _url("staff_home") + "#overdue",
            is_urgent=overdue > 0,
        ),
        WorkItem(
            "new_choices",
            new,
            ngettext(
                "new request for your locations this week",
                "new requests for your locations this week",
                new,
            ),
            _url("allocation:queue_overview", since=since.isoformat()),
        ),
        WorkItem(
            "offers_waiting",
            offers,
            ngettext(
                "offer waits for the parent's answer",
                "offers wait for the parent's answer",
                offers,
            ),
            _url("allocation:queue_overview"),
        ),
        WorkItem(
            "upcoming_starts",
            starts,
            ngettext(
                "child starts soon",
                "children start soon",
                starts,
            ),
            _url("allocation:placements_overview"),
        ),
    ]


def auditor_work(*, lokets: int) -> list[WorkItem]:
    """The auditor on the auditor tenant's host: the lokets to audit."""
    return [
        WorkItem(
            "audit",
            lokets,
            ngettext(
                "loket to audit: its requests and audit trail",
                "lokets to audit: their requests and audit trail",
                lokets,
            ),
            _url("audit:auditor_lokets"),
        )
    ]


def coordinator_work(*, region: Region, now: datetime) -> list[WorkItem]:
    """A region coordinator on the portal: the region's figures of now and of the week."""
    today = timezone.localdate(now)
    since = week_start(today=today)
    counts = scope_dashboard(scope=scope_for_region(region=region), since=_moment(since))
    week = {"start": since.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    return [
        WorkItem(
            "waiting",
            counts["waiting"],
            ngettext(
                "child waits for a place in the region",
                "children wait for a place in the region",
                counts["waiting"],
            ),
            _url("statistics:figures"),
        ),
        WorkItem(
            "new_requests",
            counts["new_since"],
            ngettext(
                "new request in the region this week",
                "new requests in the region this week",
                counts["new_since"],
            ),
            _url("statistics:figures", **week),
        ),
    ]


def urgent_first(items: list[WorkItem]) -> list[WorkItem]:
    return sorted(items, key=lambda item: not item.is_urgent)
