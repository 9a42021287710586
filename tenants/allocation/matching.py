"""Proposing one place per child for an allocation round: deferred acceptance.

A round answers every request for a start period at once, so that registering first gives
no advantage beyond what the legal order gives it, and so that a child never misses a
place it ranked higher that went to a child lower in that location's legal order (the
outcome is *stable*, or envy-free by the legal order).

Children propose to their ranked choices in turn; each place (a location, or a location's
places for an age group: any key) holds at most its capacity of proposals, keeping the
best ones by its own order (``PlaceOrder``: the location's priority group, then the
registration time, then the request id, as ``selectors.location_queue`` orders them) and
turning the others away, who then propose to their next choice. It ends when no child is
turned away with choices left. The result does not depend on the order in which children
propose, and no child can do better by ranking other than their true preference
(Gale and Shapley 1962; Roth 1982).

Pure functions over plain values: no database, so the round service, the tests and the
simulation in ``bench/allocation_round.py`` run the very same code.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

PlaceKey = Hashable
ChildKey = Hashable


@dataclass(frozen=True, order=True)
class PlaceOrder:
    """Where a child stands at one place: lower comes first (``location_queue``'s order)."""

    priority_rank: int  # 0 for the location's first priority group; more without priority
    registered_at: datetime
    request_id: int


@dataclass(frozen=True)
class Candidate:
    """A child in the round: its ranked places, and where it stands at each of them."""

    key: ChildKey
    choices: Sequence[PlaceKey]  # best first; places absent from ``capacity`` are skipped
    order_at: Mapping[PlaceKey, PlaceOrder]


def deferred_acceptance(
    *, candidates: Sequence[Candidate], capacity: Mapping[PlaceKey, int]
) -> dict[ChildKey, PlaceKey | None]:
    """The child-optimal stable assignment: each child's place, or None."""
    by_key = {candidate.key: candidate for candidate in candidates}
    if len(by_key) != len(candidates):
        raise ValueError("every candidate needs a key of its own")
    next_choice = dict.fromkeys(by_key, 0)
    held: dict[PlaceKey, list[ChildKey]] = {place: [] for place in capacity}
    free = [candidate.key for candidate in candidates]
    while free:
        child = free.pop()
        candidate = by_key[child]
        while next_choice[child] < len(candidate.choices):
            place = candidate.choices[next_choice[child]]
            next_choice[child] += 1
            if capacity.get(place, 0) <= 0:
                continue
            holding = held[place]
            holding.append(child)
            if len(holding) <= capacity[place]:
                break
            holding.sort(key=lambda key, place=place: (by_key[key].order_at[place], repr(key)))
            turned_away = holding.pop()
            if turned_away != child:
                free.append(turned_away)
                break
    assignment: dict[ChildKey, PlaceKey | None] = dict.fromkeys(by_key)
    for place, holding in held.items():
        for child in holding:
            assignment[child] = place
    return assignment


@dataclass(frozen=True)
class BlockingPair:
    """A child that ranks ``place`` above what it got, and that ``place`` would take: it has
    a free place, or holds a child lower in its legal order."""

    child: ChildKey
    place: PlaceKey


def blocking_pairs(
    *,
    candidates: Sequence[Candidate],
    capacity: Mapping[PlaceKey, int],
    assignment: Mapping[ChildKey, PlaceKey | None],
) -> list[BlockingPair]:
    """Every pair that makes ``assignment`` unstable (none for ``deferred_acceptance``)."""
    by_key = {candidate.key: candidate for candidate in candidates}
    holding: dict[PlaceKey, list[ChildKey]] = {place: [] for place in capacity}
    for child, place in assignment.items():
        if place is not None:
            holding[place].append(child)
    pairs = []
    for candidate in candidates:
        got = assignment.get(candidate.key)
        better = (
            candidate.choices[: list(candidate.choices).index(got)]
            if got in candidate.choices
            else candidate.choices
        )
        for place in better:
            if capacity.get(place, 0) <= 0:
                continue
            taken = holding[place]
            if len(taken) < capacity[place] or any(
                by_key[other].order_at[place] > candidate.order_at[place] for other in taken
            ):
                pairs.append(BlockingPair(child=candidate.key, place=place))
    return pairs
