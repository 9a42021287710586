"""Forms of loket staff's request pages; the filter form parses the API's query too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from shared.catalogue.forms import MonthField
from shared.registry.models import RequestStatus
from tenants.requests.models import Priority
from tenants.requests.notes import NOTE_MAX_LENGTH
from tenants.requests.selectors import (
    ANY_PRIORITY,
    BY_PARENT,
    BY_STAFF,
    NO_PRIORITY,
    filterable_locations,
)

PRIORITY_FILTER_CHOICES = [
    ("", _("Any situation")),
    (ANY_PRIORITY, _("Any priority situation")),
    (NO_PRIORITY, _("No priority situation")),
    *((value, capfirst(label)) for value, label in Priority.choices),
]
REGISTERED_BY_CHOICES = [
    ("", _("Anyone")),
    (BY_PARENT, _("The parent")),
    (BY_STAFF, _("Loket staff, at the desk")),
]


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class RequestFilterForm(forms.Form):
    """Filters of the request list. Every field is optional: no filter lists every request."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            *((value, capfirst(label)) for value, label in RequestStatus.choices),
        ],
    )
    start_month = MonthField(
        label=_("Desired start month"),
        required=False,
        help_text=_("Year and month, such as 2027-09."),
    )
    location = LocationChoiceField(
        label=_("Location"),
        required=False,
        queryset=filterable_locations(),
        empty_label=_("Any location"),
    )
    priority = forms.ChoiceField(
        label=_("Priority situation"), required=False, choices=PRIORITY_FILTER_CHOICES
    )
    registered_by = forms.ChoiceField(
        label=_("Registered by"), required=False, choices=REGISTERED_BY_CHOICES
    )
    registered_since = forms.DateField(
        label=_("Registered from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_registered_since(self):
        since = self.cleaned_data["registered_since"]
        if since is not None and since.year < 2000:
            raise forms.ValidationError(_("Choose a day from 2000 on."))
        return since

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.loket_requests`` (call after ``is_valid``)."""
        return {name: value or None for name, value in self.cleaned_data.items()}


class ChildUpdateForm(forms.Form):
    """The child after birth (``child_changes``): the parent's page and loket staff's form.

    Address and phone are optional: empty keeps what the request holds.
    """

    first_name = forms.CharField(
        label=_("First name of the child"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    national_number = forms.CharField(
        label=_("National register number (optional)"),
        max_length=20,
        required=False,
        help_text=_(
            "11 digits, on the back of the child's identity document or ISI+ card. "
            "It helps the lokets recognise the child."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    street = forms.CharField(
        label=_("New street and number (only if it changed)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("New postcode (only if it changed)"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    contact_phone = forms.CharField(
        label=_("New contact phone (only if it changed)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``child_changes`` (call after ``is_valid``)."""
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "birth_date": data["birth_date"],
            "national_number": data["national_number"],
            **{name: data[name] or None for name in ("street", "postcode", "contact_phone")},
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only loket staff see notes; parents never do."),
    )
