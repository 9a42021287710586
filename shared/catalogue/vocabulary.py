"""Words both a loket's providers and the regional catalogue use: kinds, tariffs, ages, days."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class CareKind(models.TextChoices):
    GROUP = "group", _("group care (babies and toddlers)")
    FAMILY = "family", _("family care (childminder)")
    OUT_OF_SCHOOL = "out_of_school", _("out-of-school care (school children)")


class Tariff(models.TextChoices):
    INCOME_RELATED = "income_related", _("income-related tariff")
    FREE_PRICE = "free_price", _("free price")


class AgeGroup(models.TextChoices):
    """Age groups in which providers count their free places."""

    BABY = "baby", _("babies (0 to 18 months)")
    TODDLER = "toddler", _("toddlers (18 months to 3 years)")
    PRESCHOOL = "preschool", _("pre-school children (2.5 to 6 years)")
    SCHOOL = "school", _("school children (6 to 12 years)")


# Inclusive bounds in months; pre-school overlaps toddlers (children start school at 2.5).
AGE_GROUP_MONTHS: dict[str, tuple[int, int]] = {
    AgeGroup.BABY: (0, 17),
    AgeGroup.TODDLER: (18, 35),
    AgeGroup.PRESCHOOL: (30, 71),
    AgeGroup.SCHOOL: (72, 155),
}


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


# The days of a care plan's half-day codes (``mon_am`` … ``fri_pm``).
DAY_CODES = {"mon": Weekday.MONDAY, "tue": Weekday.TUESDAY, "wed": Weekday.WEDNESDAY}
DAY_CODES |= {"thu": Weekday.THURSDAY, "fri": Weekday.FRIDAY}
# The halves of a day in those codes.
HALF_DAYS = {"am": _("morning"), "pm": _("afternoon")}
# Care plan: the half-days of the week a child needs care (``mon_am`` … ``fri_pm``).
DAY_PARTS = [f"{day}_{part}" for day in DAY_CODES for part in HALF_DAYS]


def day_part_label(code: str) -> str:
    """``"tue_pm"`` → "Tuesday afternoon"."""
    day, part = code.split("_")
    weekday = str(DAY_CODES[day].label)
    if part == "am":
        return gettext("%(day)s morning") % {"day": weekday}
    return gettext("%(day)s afternoon") % {"day": weekday}


def day_part_choices() -> list[tuple[str, str]]:
    """Choices for a care plan field, in the active language (pass the function itself)."""
    return [(code, day_part_label(code)) for code in DAY_PARTS]


def day_parts_in_order(care_plan: list[str] | tuple[str, ...]) -> list[str]:
    """The care plan's half-days once each, Monday morning first; unknown codes last."""
    return sorted(
        set(care_plan), key=lambda code: DAY_PARTS.index(code) if code in DAY_PARTS else 99
    )


def care_plan_days(care_plan: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """The care plan in words, per day: [("Monday", "whole day"), ("Wednesday", "morning")]."""
    days = []
    for code, weekday in DAY_CODES.items():
        morning, afternoon = f"{code}_am" in care_plan, f"{code}_pm" in care_plan
        if morning and afternoon:
            days.append((str(weekday.label), gettext("whole day")))
        elif morning:
            days.append((str(weekday.label), gettext("morning")))
        elif afternoon:
            days.append((str(weekday.label), gettext("afternoon")))
    return days


LANGUAGES = [
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("es", _("Spanish")),
]


def age_groups_for(age_months: int) -> list[str]:
    """The age groups a child of ``age_months`` belongs to (one or, at 2.5 to 3, two)."""
    return [group for group, (low, high) in AGE_GROUP_MONTHS.items() if low <= age_months <= high]


def months_between(born: date, on: date) -> int:
    """Whole months of age on ``on`` for a child born (or expected) on ``born``."""
    months = (on.year - born.year) * 12 + on.month - born.month
    if on.day < born.day:
        months -= 1
    return max(months, 0)


def age_in_months(birth_date: date, on: date) -> int:
    """The child's age in whole months on ``on``; 0 on any day before the birth.

    The one count of a child's age (``tenants.allocation.selectors`` has it in SQL too).
    """
    return months_between(birth_date, max(on, birth_date))


def age_groups_at(birth_date: date, on: date) -> list[str]:
    """The age groups of the child on ``on``; a child past every group counts as school."""
    return age_groups_for(age_in_months(birth_date, on)) or [AgeGroup.SCHOOL.value]


def age_group_at(birth_date: date, on: date) -> str:
    """The one age group a child is counted in on ``on`` (the youngest it belongs to)."""
    return age_groups_at(birth_date, on)[0]


# The months any date a person gives us can fall in (a desired start, a filter, free
# places, a figures period): past these, month arithmetic runs out of calendar (the month
# after December 9999), and no childcare request is about them.
FIRST_MONTH = date(2000, 1, 1)
LAST_MONTH = date(2099, 12, 1)


def month_errors(day: date) -> list[str]:
    """Why the month of ``day`` is not one we work with (empty when it is)."""
    if FIRST_MONTH <= first_of_month(day) <= LAST_MONTH:
        return []
    return [
        gettext("Choose a month from %(first)s to %(last)s.")
        % {"first": f"{FIRST_MONTH:%Y-%m}", "last": f"{LAST_MONTH:%Y-%m}"}
    ]


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``day``."""
    month_index = day.month - 1 + months
    return date(day.year + month_index // 12, month_index % 12 + 1, 1)


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), on the month's last day if it is shorter."""
    first = add_months(day, months)
    following = add_months(first, 1)
    return first.replace(day=min(day.day, (following - first).days))
