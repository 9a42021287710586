"""The shared vocabulary: half-days of a care plan and a child's age."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from shared.catalogue.vocabulary import (
    DAY_PARTS,
    age_group_at,
    age_groups_at,
    age_in_months,
    care_plan_days,
    day_part_label,
    day_parts_in_order,
)


def test_the_half_days_run_from_monday_morning_to_friday_afternoon():
    assert DAY_PARTS[0] == "mon_am" and DAY_PARTS[-1] == "fri_pm" and len(DAY_PARTS) == 10
    assert day_parts_in_order(["fri_pm", "mon_am", "sun_am", "mon_am"]) == [
        "mon_am",
        "fri_pm",
        "sun_am",
    ]


def test_half_days_in_words():
    with translation.override("en"):
        assert day_part_label("tue_pm") == "Tuesday afternoon"
        assert care_plan_days(["mon_am", "mon_pm", "wed_am"]) == [
            ("Monday", "whole day"),
            ("Wednesday", "morning"),
        ]
    with translation.override("nl"):
        assert day_part_label("mon_am") == "maandagvoormiddag"


def test_age_in_months_counts_whole_months_and_nothing_before_birth():
    born = date(2025, 1, 31)
    assert age_in_months(born, date(2025, 3, 30)) == 1
    assert age_in_months(born, date(2025, 3, 31)) == 2
    assert age_in_months(born, date(2024, 12, 1)) == 0  # expected, not born yet


def test_age_groups_at_a_date_and_school_children_past_every_group():
    born = date(2025, 1, 1)
    assert age_group_at(born, date(2025, 6, 1)) == "baby"
    assert age_groups_at(born, date(2027, 9, 1)) == ["toddler", "preschool"]  # 32 months
    assert age_groups_at(born, date(2040, 1, 1)) == ["school"]
