"""Showing catalogue facts to people: ages, days, tariffs."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shared.catalogue.vocabulary import LANGUAGES, Weekday

register = template.Library()

SHORT_DAYS = {1: "ma", 2: "di", 3: "wo", 4: "do", 5: "vr", 6: "za", 7: "zo"}


@register.filter
def age_label(months: int) -> str:
    """18 → "18 months", 36 → "3 years", 30 → "2.5 years"."""
    if months < 24:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    years = months / 12
    if years == int(years):
        return ngettext("%(count)d year", "%(count)d years", int(years)) % {"count": int(years)}
    # A localised decimal: "2.5 years", "2,5 jaar".
    return _("%(count)s years") % {"count": number_format(years, 1)}


@register.filter
def weekday_names(days: list[int]) -> str:
    labels = dict(Weekday.choices)
    if list(days) == [1, 2, 3, 4, 5]:
        return _("Monday to Friday")
    return ", ".join(str(labels[day]) for day in sorted(days))


@register.filter
def language_names(codes: list[str]) -> str:
    """["nl", "fr"] → "Dutch, French", in the reader's language (an unknown code as it is)."""
    labels = dict(LANGUAGES)
    return ", ".join(str(labels.get(code, code)) for code in codes)
