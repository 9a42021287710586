"""Forms for managing a loket's offer: organizers, locations, free places, closing periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from shared.accounts.models import User
from shared.catalogue.vocabulary import LANGUAGES, AgeGroup, Weekday
from shared.lokets.models import Loket
from tenants.providers.models import (
    ClosingPeriod,
    Location,
    Organizer,
    default_priority_order,
)
from tenants.providers.selectors import (
    AvailabilityGrid,
    grantable_provider_staff,
    working_area,
)
from tenants.providers.services import LOCATION_FIELDS, ORGANIZER_FIELDS
from tenants.requests.models import Priority

# Fields of the location form; coordinates come from the postcode (services.py).
LOCATION_FORM_FIELDS = tuple(
    name for name in LOCATION_FIELDS if name not in {"latitude", "longitude"}
)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# How the location form is grouped on the page.
LOCATION_SECTIONS = (
    (
        _("Location"),
        (
            "organizer",
            "name",
            "kind",
            "dossier_number",
            "licensed_capacity",
            "age_min_months",
            "age_max_months",
            "is_inclusive",
        ),
    ),
    (_("Address"), ("street", "postcode", "place", "municipality")),
    (_("Opening days and hours"), ("opening_days", "opens_at", "closes_at")),
    (_("Tariff"), ("tariff", "daily_price", "priority_order")),
    (_("Contact and description"), ("languages", "description", "phone", "email", "website")),
    (_("Publication"), ("is_published",)),
)


class PriorityOrderWidget(forms.MultiWidget):
    """One select per rank: first, second and third priority group."""

    def __init__(self, choices: list[tuple[str, str]]):
        # Each select says which rank it is: a label names only the first (axe select-name).
        super().__init__(
            [
                forms.Select(
                    choices=choices,
                    attrs={"aria-label": format_lazy(_("Priority group ranked {rank}"), rank=rank)},
                )
                for rank in range(1, len(Priority.values) + 1)
            ]
        )

    def decompress(self, value: list[str] | None) -> list[str | None]:
        value = list(value or [])
        return (value + [None] * len(Priority.values))[: len(Priority.values)]


class PriorityOrderField(forms.MultiValueField):
    """The order of the three priority groups: each once. Left empty: the usual order."""

    def __init__(self, **kwargs: Any):
        choices = [("", "---------"), *Priority.choices]
        super().__init__(
            fields=[forms.ChoiceField(choices=choices, required=False) for _ in Priority.values],
            widget=PriorityOrderWidget(choices),
            require_all_fields=False,
            required=False,
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> list[str]:
        # Whether it is each group once is the services' check (location_update).
        order = [value for value in data_list or [] if value]
        return order or default_priority_order()


class OrganizerForm(forms.ModelForm):
    website = forms.URLField(
        label=capfirst(Organizer._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Organizer
        fields = ORGANIZER_FIELDS
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }


class LocationForm(forms.ModelForm):
    """A location's details. ``editable`` leaves out what this user may not change."""

    opening_days = forms.TypedMultipleChoiceField(
        label=capfirst(Location._meta.get_field("opening_days").verbose_name),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=capfirst(Location._meta.get_field("languages").verbose_name),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_price = forms.DecimalField(
        label=capfirst(Location._meta.get_field("daily_price").verbose_name),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,
        help_text=_("Required with a free price, e.g. 32,50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    website = forms.URLField(
        label=capfirst(Location._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
    )
    priority_order = PriorityOrderField(
        label=capfirst(Location._meta.get_field("priority_order").verbose_name),
        help_text=_(
            "Income-related tariff: which group with absolute priority comes first, second "
            "and third."
        ),
    )

    class Meta:
        model = Location
        fields = LOCATION_FORM_FIELDS
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "maxlength": 4}
            ),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "licensed_capacity": forms.NumberInput(attrs={"min": 1}),
            "age_min_months": forms.NumberInput(attrs={"min": 0}),
            "age_max_months": forms.NumberInput(attrs={"min": 0}),
        }

    def __init__(
        self, *args: Any, loket: Loket, editable: tuple[str, ...] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.loket = loket
        # Only the municipalities of this loket's working area can be chosen.
        self.fields["municipality"].queryset = working_area(loket=loket)
        self.fields["municipality"].label_from_instance = lambda municipality: (
            f"{municipality.name} ({municipality.nis_code})"
        )
        if "organizer" in self.fields:
            self.fields["organizer"].queryset = Organizer.objects.order_by("name", "pk")
        if editable is not None:
            for name in list(self.fields):
                if name not in editable:
                    del self.fields[name]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The form's fields in titled groups, leaving out groups this user cannot edit."""
        groups = [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in LOCATION_SECTIONS
        ]
        return [(title, fields) for title, fields in groups if fields]


class AvailabilityGridForm(forms.Form):
    """Free places per month (rows) and age group (columns); an empty cell means unknown."""

    def __init__(self, *args: Any, grid: AvailabilityGrid, capacity: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.grid = grid
        labels = dict(AgeGroup.choices)
        for month in grid.months:
            for age_group in grid.age_groups:
                self.fields[self.field_name(month, age_group)] = forms.IntegerField(
                    label=_("Free places in %(month)s for %(age_group)s")
                    % {"month": date_format(month, "F Y"), "age_group": labels[age_group]},
                    min_value=0,
                    max_value=capacity,
                    required=False,
                    initial=grid.value(month, age_group),
                    widget=forms.NumberInput(
                        attrs={"min": 0, "max": capacity, "inputmode": "numeric", "size": 4}
                    ),
                )

    def columns(self) -> list[tuple[str, str]]:
        labels = dict(AgeGroup.choices)
        return [(age_group, labels[age_group]) for age_group in self.grid.age_groups]

    @staticmethod
    def field_name(month: date, age_group: str) -> str:
        return f"places_{month:%Y_%m}_{age_group}"

    def rows(self) -> list[tuple[date, list[forms.BoundField]]]:
        return [
            (month, [self[self.field_name(month, group)] for group in self.grid.age_groups])
            for month in self.grid.months
        ]

    def changes(self) -> tuple[dict[tuple[date, str], int], list[tuple[date, str]]]:
        """Counts to record, and cells emptied that held a count (for ``availabilities_set``).

        A cell left as it was shown is not recorded again: it shows what placements and
        offers made of the provider's last correction, which stays as it was.
        """
        counts: dict[tuple[date, str], int] = {}
        cleared: list[tuple[date, str]] = []
        for month in self.grid.months:
            for age_group in self.grid.age_groups:
                value = self.cleaned_data.get(self.field_name(month, age_group))
                if value is not None:
                    if value != self.grid.value(month, age_group):
                        counts[(month, age_group)] = value
                elif self.grid.value(month, age_group) is not None:
                    cleared.append((month, age_group))
        return counts, cleared


class ClosingPeriodForm(forms.ModelForm):
    class Meta:
        model = ClosingPeriod
        fields = ("starts_on", "ends_on", "reason")
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day must not be before the first day."))
        return cleaned


class LocationGrantForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Provider staff member"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, loket: Loket, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = grantable_provider_staff(loket=loket)
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.full_name} ({user.email})" if user.full_name else user.email
        )


class LocationImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("One location per row, with the columns of the example file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file, import nothing"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": 2}, code="too_large"
            )
        return upload
