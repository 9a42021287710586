"""Forms of the allocation round pages; the API parses the same fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared.catalogue.forms import MonthField
from tenants.allocation.rounds import REASON_MAX_LENGTH

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    start_month_from = MonthField(label=_("First start month"))
    start_month_to = MonthField(label=_("Last start month"))
    decision_date = forms.DateField(
        label=_("Decision date"),
        widget=DATE_WIDGET,
        help_text=_("On this day every child waiting for these start months gets its proposal."),
    )


class RoundsSwitchForm(forms.Form):
    on = forms.BooleanField(label=_("Use allocation rounds"), required=False)


class ConfirmProposalForm(forms.Form):
    capacity_confirmed = forms.BooleanField(
        label=_("I confirm that we have this place, even if the month shows no free place"),
        required=False,
    )


class RejectProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you reject this proposal?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The loket reads it; the round then runs again for the children waiting."),
        error_messages={"required": _("Say why you reject this proposal.")},
    )
