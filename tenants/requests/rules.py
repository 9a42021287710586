"""The rules a request must follow, each with a message a parent understands."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import DAY_PARTS, add_months, age_in_months, shift_months
from shared.lokets.models import Loket

PREGNANCY_MONTHS = 9


def earliest_registration_for_expected_birth(*, expected_birth: date, pregnancy_month: int) -> date:
    """The first day one may register an unborn child: the start of the given pregnancy month."""
    return add_months(expected_birth.replace(day=1), -(PREGNANCY_MONTHS - pregnancy_month + 1))


def rule_errors(
    *,
    today: date,
    birth_date: date,
    is_expected_birth: bool,
    desired_start: date,
    choices: list[CatalogueLocation],
) -> dict[str, list[str]]:
    """Errors by field name; empty when the request may be registered."""
    errors: dict[str, list[str]] = defaultdict(list)
    if desired_start < today:
        errors["desired_start"].append(_("The desired start date cannot be in the past."))
    if is_expected_birth and birth_date < today:
        errors["child_birth_date"].append(
            _("An expected date of birth lies in the future. Has the child been born?")
        )
    if not is_expected_birth and birth_date > today:
        errors["child_birth_date"].append(
            _(
                "A date of birth cannot be in the future. For an unborn child, give the "
                "expected date of birth and say that the child is not born yet."
            )
        )
    if desired_start < birth_date:
        errors["desired_start"].append(_("Care cannot start before the child is born."))
    if not choices:
        errors["choices"].append(_("Choose at least one location."))

    by_loket: dict[Loket, list[CatalogueLocation]] = defaultdict(list)
    for choice in choices:
        by_loket[choice.loket].append(choice)
    for loket, loket_choices in by_loket.items():
        if loket.max_choices and len(loket_choices) > loket.max_choices:
            errors["choices"].append(
                ngettext(
                    "%(loket)s accepts at most %(count)d location per request.",
                    "%(loket)s accepts at most %(count)d locations per request.",
                    loket.max_choices,
                )
                % {"loket": loket.name, "count": loket.max_choices}
            )
        latest_start = shift_months(today, loket.registration_window_months)
        if desired_start > latest_start:
            errors["desired_start"].append(
                _(
                    "%(loket)s takes requests at most %(months)d months before the start: "
                    "register from %(date)s."
                )
                % {
                    "loket": loket.name,
                    "months": loket.registration_window_months,
                    "date": shift_months(desired_start, -loket.registration_window_months).strftime(
                        "%d/%m/%Y"
                    ),
                }
            )
        if is_expected_birth:
            earliest = earliest_registration_for_expected_birth(
                expected_birth=birth_date, pregnancy_month=loket.registration_from_pregnancy_month
            )
            if today < earliest:
                errors["child_birth_date"].append(
                    _(
                        "%(loket)s takes requests from month %(month)d of the pregnancy on: "
                        "register from %(date)s."
                    )
                    % {
                        "loket": loket.name,
                        "month": loket.registration_from_pregnancy_month,
                        "date": earliest.strftime("%d/%m/%Y"),
                    }
                )
    return {field: list(dict.fromkeys(messages)) for field, messages in errors.items()}


def age_warnings(
    *, birth_date: date, desired_start: date, choices: list[CatalogueLocation]
) -> list[str]:
    """Warnings (not errors) for chosen locations that do not take a child of this age."""
    age = age_in_months(birth_date, desired_start)
    return [
        _(
            "%(location)s takes children from %(low)d to %(high)d months; at the start your "
            "child will be %(age)d months old."
        )
        % {
            "location": choice.name,
            "low": choice.age_min_months,
            "high": choice.age_max_months,
            "age": age,
        }
        for choice in choices
        if not choice.age_min_months <= age <= choice.age_max_months
    ]


def confirmation_due(*, loket: Loket, today: date) -> date | None:
    """Until when a request registered (or confirmed) ``today`` counts as confirmed.

    None when the loket asks parents for no confirmation (interval 0).
    """
    months = loket.confirmation_interval_months
    return shift_months(today, months) if months else None


def care_plan_errors(care_plan: list[str]) -> list[str]:
    """What is wrong with a care plan (half-days of the week); empty when it is fine."""
    if not care_plan:
        return [_("Choose at least one half-day.")]
    if set(care_plan) - set(DAY_PARTS):
        return [_("Unknown half-day in the care plan.")]
    return []
