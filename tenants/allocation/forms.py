"""Forms of the queue pages; the queue filter also parses the API's query."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from shared.catalogue.forms import MonthField
from shared.catalogue.vocabulary import AgeGroup, day_part_choices
from shared.registry.models import AnswerReason
from tenants.allocation.services import REASON_MAX_LENGTH

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    start_month = MonthField(label=_("Desired start month"), required=False)
    age_group = forms.ChoiceField(
        label=_("Age at the desired start"),
        required=False,
        choices=[
            ("", _("Any age")),
            *((value, capfirst(label)) for value, label in AgeGroup.choices),
        ],
    )
    age_months = forms.IntegerField(
        label=_("Age in months at the desired start"), required=False, min_value=0, max_value=160
    )
    urgent = forms.BooleanField(label=_("Urgent requests only"), required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "start_month": data.get("start_month"),
            "age_group": data.get("age_group") or None,
            "age_months": data.get("age_months"),
            "is_urgent": data.get("urgent") or None,
        }


class OfferForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DATE_WIDGET)
    care_plan = forms.MultipleChoiceField(
        label=_("Days offered"),
        choices=day_part_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one half-day.")},
    )
    answer_by = forms.DateField(
        label=_("The parent answers by"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Empty: the loket's usual number of days."),
    )
    passed_over_reason = forms.CharField(
        label=_("Why this child before the children ranked higher?"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when children ranked higher wait without an offer. The loket sees it."),
    )
    advising_organisation = forms.CharField(
        label=_("On the advice of (family-support organisation)"),
        required=False,
        max_length=150,
        help_text=_(
            "Only for the exception of at most 10% of the places, on a toeleider's advice."
        ),
    )
    capacity_confirmed = forms.BooleanField(
        label=_("Offer even if the start month shows no free place: I confirm the capacity"),
        required=False,
        help_text=_(
            "Open offers hold their places. Needed only when no free place is left in the "
            "start month for this age group."
        ),
    )


class _AnswerReasonForm(forms.Form):
    """Why a location answers without an offer: a reason code, and an optional note."""

    reason_code = forms.ChoiceField(
        label=_("Why?"),
        choices=AnswerReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OtherDateForm(_AnswerReasonForm):
    proposed_start = forms.DateField(label=_("Proposed start date"), widget=DATE_WIDGET)
    field_order = ("proposed_start", "reason_code", "note")


class NoPlaceForm(_AnswerReasonForm):
    pass


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline? (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawOfferForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw this offer?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The parent reads this in the e-mail and in the request's history."),
        error_messages={"required": _("Say why you withdraw this offer: the parent reads it.")},
    )


class PlacementEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Last day of care"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Empty: not known yet. From the month after, the place counts as free."),
    )
