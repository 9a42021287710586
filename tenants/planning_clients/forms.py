"""The form loket staff register planning software with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.planning_clients.models import PlanningClient
from tenants.planning_clients.scopes import Scope
from tenants.providers.models import Location


class LocationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class PlanningClientForm(forms.Form):
    name = forms.CharField(label=_("Name of the software"), max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PlanningClient.Kind.choices, widget=forms.RadioSelect
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    locations = LocationsField(
        label=_("Locations (provider software only)"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = Location.objects.order_by("name")
