"""Words both a loket's providers and the regional catalogue use: kinds, tariffs, ages, days."""

from __future__ import annotations

from datetime import date

from django.db import models
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
