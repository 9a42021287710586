"""The form loket staff record a signal with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.providers.models import Location


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class SignalForm(forms.Form):
    location = LocationChoiceField(label=_("Location"), queryset=Location.objects.none())
    happened_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    what_happened = forms.CharField(
        label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    what_was_done = forms.CharField(
        label=_("What was done"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.order_by("name")
