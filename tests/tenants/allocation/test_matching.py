"""Deferred acceptance for allocation rounds: small cases whose stable outcome is known."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tenants.allocation.matching import (
    BlockingPair,
    Candidate,
    PlaceOrder,
    blocking_pairs,
    deferred_acceptance,
)

T0 = datetime(2026, 9, 1, 9, tzinfo=UTC)


def at(hours: int, *, priority: int = 3, request_id: int = 0) -> PlaceOrder:
    """Registered ``hours`` after T0; priority group ``priority`` (3: no priority)."""
    return PlaceOrder(
        priority_rank=priority, registered_at=T0 + timedelta(hours=hours), request_id=request_id
    )


def child(key: str, choices: list[str], **order: PlaceOrder) -> Candidate:
    return Candidate(key=key, choices=choices, order_at=order)


def test_a_child_with_priority_gets_the_place_even_when_registered_last():
    candidates = [
        child("anna", ["x", "y"], x=at(1), y=at(1)),
        child("bram", ["x", "y"], x=at(2), y=at(2)),
        child("cas", ["x"], x=at(9, priority=0)),  # a sibling at x: first there
    ]
    outcome = deferred_acceptance(candidates=candidates, capacity={"x": 1, "y": 1})
    assert outcome == {"cas": "x", "anna": "y", "bram": None}
    assert (
        blocking_pairs(candidates=candidates, capacity={"x": 1, "y": 1}, assignment=outcome) == []
    )


def test_ties_in_the_priority_group_are_broken_by_registration_time():
    candidates = [
        child("late", ["x"], x=at(5, priority=1, request_id=1)),
        child("early", ["x"], x=at(4, priority=1, request_id=2)),
        child("no_priority", ["x"], x=at(0, request_id=3)),
    ]
    outcome = deferred_acceptance(candidates=candidates, capacity={"x": 2})
    assert outcome == {"early": "x", "late": "x", "no_priority": None}


def test_each_location_keeps_its_own_order_of_priority_groups():
    # x puts working parents (0) before siblings (1); y the other way round.
    candidates = [
        child("werk", ["y", "x"], x=at(2, priority=0), y=at(2, priority=1)),
        child("zus", ["y", "x"], x=at(1, priority=1), y=at(1, priority=0)),
    ]
    outcome = deferred_acceptance(candidates=candidates, capacity={"x": 1, "y": 1})
    assert outcome == {"zus": "y", "werk": "x"}


def test_a_child_turned_away_by_its_first_choice_goes_on_to_the_next():
    # Anna holds x first; Cas, higher at x, takes it; Anna moves on and takes y from Bram,
    # who is lower at y; Bram ends at z.
    candidates = [
        child("anna", ["x", "y", "z"], x=at(2), y=at(1), z=at(1)),
        child("bram", ["y", "z"], y=at(3), z=at(3)),
        child("cas", ["x"], x=at(1)),
    ]
    capacity = {"x": 1, "y": 1, "z": 1}
    outcome = deferred_acceptance(candidates=candidates, capacity=capacity)
    assert outcome == {"cas": "x", "anna": "y", "bram": "z"}
    assert blocking_pairs(candidates=candidates, capacity=capacity, assignment=outcome) == []


def test_first_come_offers_leave_a_child_envious_where_the_round_does_not():
    # First come: y answers first and Anna accepts its offer at once; x then offers its
    # place to Bram. Anna ranks x first and comes before Bram there: she envies him.
    candidates = [
        child("anna", ["x", "y"], x=at(1), y=at(1)),
        child("bram", ["x"], x=at(2)),
    ]
    capacity = {"x": 1, "y": 1}
    first_come = {"anna": "y", "bram": "x"}
    assert blocking_pairs(candidates=candidates, capacity=capacity, assignment=first_come) == [
        BlockingPair(child="anna", place="x")
    ]
    assert deferred_acceptance(candidates=candidates, capacity=capacity) == {
        "anna": "x",
        "bram": None,
    }


def test_places_without_capacity_and_unknown_places_are_skipped():
    candidates = [child("anna", ["full", "gone", "y"], full=at(1), y=at(1))]
    outcome = deferred_acceptance(candidates=candidates, capacity={"full": 0, "y": 1})
    assert outcome == {"anna": "y"}


def test_two_candidates_with_one_key_are_refused():
    with pytest.raises(ValueError):
        deferred_acceptance(
            candidates=[child("a", ["x"], x=at(1)), child("a", ["x"], x=at(2))],
            capacity={"x": 1},
        )


@pytest.mark.parametrize("seed", range(25))
def test_random_rounds_are_stable_within_capacity_and_independent_of_who_proposes_first(seed):
    rng = random.Random(seed)
    places = [f"p{n}" for n in range(rng.randint(1, 6))]
    capacity = {place: rng.randint(0, 3) for place in places}
    candidates = []
    for n in range(rng.randint(1, 25)):
        ranked = rng.sample(places, rng.randint(1, len(places)))
        registered = rng.randint(0, 500)
        candidates.append(
            Candidate(
                key=f"c{n}",
                choices=ranked,
                order_at={
                    place: at(registered, priority=rng.choice((0, 1, 3, 3)), request_id=n)
                    for place in ranked
                },
            )
        )
    outcome = deferred_acceptance(candidates=candidates, capacity=capacity)
    assert blocking_pairs(candidates=candidates, capacity=capacity, assignment=outcome) == []
    for place, seats in capacity.items():
        assert sum(1 for got in outcome.values() if got == place) <= seats
    for candidate in candidates:
        assert outcome[candidate.key] in (None, *candidate.choices)
    shuffled = list(candidates)
    rng.shuffle(shuffled)
    assert deferred_acceptance(candidates=shuffled, capacity=capacity) == outcome
