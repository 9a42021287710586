"""Where a child stands on a location's waiting list, as a parent may be shown it.

Among the children waiting for the same location and start month, in the order places are
offered there (``selectors.location_queue``: the location's priority groups, then the
registration time). Only the place and the count leave this module, never anything of the
other children. Shown only where the loket switched it on
(``Loket.shows_waiting_position``). Run in the loket's schema.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.catalogue.vocabulary import first_of_month
from tenants.allocation.selectors import location_queue
from tenants.requests.models import ChoiceStatus, RequestChoice


@dataclass(frozen=True)
class WaitingPosition:
    position: int  # 1: the first to be offered a place for that month
    of: int  # the children waiting for that location and start month


def waiting_positions(*, choices: Iterable[RequestChoice]) -> dict[int, WaitingPosition]:
    """Per choice waiting for an answer (by id): its place among the children waiting for
    that location and start month. One queue read per location and month asked about."""
    asked: dict[tuple[int, date], list[RequestChoice]] = defaultdict(list)
    for choice in choices:
        if choice.status == ChoiceStatus.IN_REVIEW:
            asked[(choice.location_id, first_of_month(choice.request.desired_start))].append(choice)
    found: dict[int, WaitingPosition] = {}
    for (_location_id, month), group in asked.items():
        queue = [
            row.pk
            for row in location_queue(location=group[0].location, start_month=month)
            if row.status == ChoiceStatus.IN_REVIEW
        ]
        for choice in group:
            if choice.pk in queue:
                found[choice.pk] = WaitingPosition(
                    position=queue.index(choice.pk) + 1, of=len(queue)
                )
    return found
