"""The period of the figures pages, downloads and API: ``?year=`` or ``?start=&end=``, ``split``."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared.statistics.selectors import (
    FIGURES_FROM,
    FIGURES_UNTIL,
    Period,
    period_errors,
    period_of_year,
)

SPLIT_MONTH = "month"


class FiguresPeriodForm(forms.Form):
    """``?year=2025``, or ``?start=2025-01-01&end=2025-07-01`` (end excluded); default this year.

    ``split=month`` asks one period per month. The limits are ``period_errors``'.
    """

    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIGURES_FROM.year,
        max_value=FIGURES_UNTIL.year - 1,
    )
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("Until (excluded)"), required=False)
    split = forms.ChoiceField(
        label=_("Periods"),
        required=False,
        choices=[("", _("The whole period")), (SPLIT_MONTH, _("One period per month"))],
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if (start is None) != (end is None):
            missing = "end" if end is None else "start"
            self.add_error(missing, _("Give both a start and an end."))
            return data
        if start is not None:
            period = Period(start=start, end=end)
        else:
            period = period_of_year(year or timezone.localdate().year)
        for name, messages in period_errors(
            period=period, split=data.get("split") == SPLIT_MONTH
        ).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        data["period"] = period
        return data

    def period(self) -> Period:
        """The period asked for (after ``is_valid``)."""
        return self.cleaned_data["period"]

    def periods(self) -> list[Period]:
        """The period, or its months with ``split=month`` (after ``is_valid``)."""
        period = self.period()
        return period.months() if self.cleaned_data.get("split") == SPLIT_MONTH else [period]
