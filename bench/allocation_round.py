"""Benchmark: an allocation round (deferred acceptance) against first-come offers.

A region-sized waiting list for one start period (default 3,000 children, 60 locations,
capacity for about two thirds of them), with what drives real outcomes: a few popular
locations, one to four ranked choices per child, each location's own order of the
priority groups (income-related tariff: priority first; others: registration time only),
and registration times spread over a year.

- **First come**: locations answer one after another, each offering its places in its
  legal order to the children who chose it and have no place yet; a parent accepts the
  first offer that comes (what happens when offers go out as each provider gets to it).
- **Round**: ``tenants.allocation.matching.deferred_acceptance`` over the same data.

Printed, side by side: children placed, first choices honoured, the mean rank of the place
got, children who envy another by the legal order (a blocking pair: a place they ranked
higher took a child after them in that place's order, or has a place left), and the time
of the round. No database: the round is a pure function.

Usage: ``.venv/bin/python bench/allocation_round.py [--children 3000] [--locations 60]
[--seats 0.66] [--seed 2026] [--runs 5]``
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.stats import summary_ms  # noqa: E402
from tenants.allocation.matching import (  # noqa: E402
    Candidate,
    PlaceOrder,
    blocking_pairs,
    deferred_acceptance,
)

GROUPS = ("work_or_training", "sibling", "foster_child")


def population(args, rng: random.Random):
    locations = [f"L{n:03d}" for n in range(args.locations)]
    popularity = [1 / (n + 1) ** 0.8 for n in range(args.locations)]  # a few popular ones
    income_related = {location: rng.random() < 0.6 for location in locations}
    group_order = {location: rng.sample(GROUPS, len(GROUPS)) for location in locations}
    seats = round(args.children * args.seats)
    weights = [rng.uniform(0.5, 1.5) for _ in locations]
    capacity = {
        location: max(1, round(seats * weight / sum(weights)))
        for location, weight in zip(locations, weights, strict=True)
    }
    start = datetime(2025, 9, 1, tzinfo=UTC)
    candidates = []
    for n in range(args.children):
        count = rng.choices((1, 2, 3, 4), weights=(30, 35, 25, 10))[0]
        ranked: list[str] = []
        while len(ranked) < count:
            location = rng.choices(locations, weights=popularity)[0]
            if location not in ranked:
                ranked.append(location)
        held = {group for group in GROUPS if rng.random() < (0.55, 0.08, 0.01)[GROUPS.index(group)]}
        registered = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        order_at = {}
        for location in ranked:
            groups = group_order[location]
            rank = next((index for index, group in enumerate(groups) if group in held), len(groups))
            order_at[location] = PlaceOrder(
                priority_rank=rank if income_related[location] else len(groups),
                registered_at=registered,
                request_id=n,
            )
        candidates.append(Candidate(key=n, choices=ranked, order_at=order_at))
    return candidates, capacity


def first_come(candidates, capacity, rng: random.Random):
    """Locations answer in turn, one place at a time; a parent takes the first offer."""
    queues = {location: [] for location in capacity}
    for candidate in candidates:
        for location in candidate.choices:
            queues[location].append(candidate)
    for location, queue in queues.items():
        queue.sort(key=lambda c, location=location: c.order_at[location])
    left = dict(capacity)
    placed: dict = dict.fromkeys((c.key for c in candidates), None)
    active = [location for location in capacity if left[location] > 0]
    while active:
        rng.shuffle(active)  # whoever gets to their waiting list first
        still = []
        for location in active:
            queue = queues[location]
            while queue and placed[queue[0].key] is not None:
                queue.pop(0)
            if not queue:
                continue
            placed[queue.pop(0).key] = location
            left[location] -= 1
            if left[location] > 0:
                still.append(location)
        active = still
    return placed


def report(name, candidates, capacity, assignment, seconds=None):
    got = [(c, assignment[c.key]) for c in candidates]
    placed = [(c, place) for c, place in got if place is not None]
    first = sum(1 for c, place in placed if place == c.choices[0])
    ranks = [list(c.choices).index(place) + 1 for c, place in placed]
    pairs = blocking_pairs(candidates=candidates, capacity=capacity, assignment=assignment)
    envious = len({pair.child for pair in pairs})
    print(
        f"{name:<12} placed {len(placed):>6,} of {len(candidates):,}"
        f"  first choice {first:>6,} ({first / len(candidates):.1%})"
        f"  mean rank {sum(ranks) / len(ranks):.2f}"
        f"  envious children {envious:>5,} ({len(pairs):,} blocking pairs)"
        + (f"  {seconds}" if seconds else "")
    )
    return Counter(ranks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--seats", type=float, default=0.66, help="places per child")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    candidates, capacity = population(args, rng)
    print(
        f"waiting list: {len(candidates):,} children, {len(capacity)} locations,"
        f" {sum(capacity.values()):,} places;"
        f" choices per child {sum(len(c.choices) for c in candidates) / len(candidates):.2f}"
    )
    fc = first_come(candidates, capacity, random.Random(args.seed + 1))
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        round_ = deferred_acceptance(candidates=candidates, capacity=capacity)
        timings.append(time.perf_counter() - began)
    by_rank_fc = report("first come", candidates, capacity, fc)
    by_rank_round = report("round", candidates, capacity, round_, summary_ms(timings))
    print("placed at choice 1/2/3/4:")
    for name, counts in (("first come", by_rank_fc), ("round", by_rank_round)):
        print(f"  {name:<12} " + " / ".join(f"{counts.get(rank, 0):,}" for rank in (1, 2, 3, 4)))


if __name__ == "__main__":
    main()
