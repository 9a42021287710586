"""The search form: the one parser of search criteria, for the pages and the API alike."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shared.catalogue.selectors import CatalogueQuery, Sort
from shared.catalogue.vocabulary import (
    LANGUAGES,
    CareKind,
    Weekday,
    age_in_months,
    first_of_month,
    month_errors,
)
from shared.geography.models import Municipality, Postcode


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (what ``<input type="month">`` sends), or a full date."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def to_python(self, value):
        day = super().to_python(value)
        return first_of_month(day) if day else None

    def validate(self, value):
        super().validate(value)
        if value:
            errors = month_errors(value)
            if errors:
                raise forms.ValidationError(errors, code="out_of_range")


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or place"), required=False, max_length=100)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of care"),
        required=False,
        choices=[("", _("Any kind")), *list(CareKind.choices)],
    )
    birth_date = forms.DateField(
        label=_("Date of birth (or expected)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("We use it only to find care for your child's age."),
    )
    age_months = forms.IntegerField(
        label=_("Age at the start (months)"), required=False, min_value=0, max_value=180
    )
    start = MonthField(label=_("Desired start month"), required=False)
    days = forms.TypedMultipleChoiceField(
        label=_("Days needed"),
        required=False,
        coerce=int,
        choices=Weekday.choices[:5],
        widget=forms.CheckboxSelectMultiple,
    )
    near = forms.CharField(
        label=_("Near postcode"),
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    radius_km = forms.FloatField(
        label=_("Within (km)"), required=False, min_value=0.5, max_value=100
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *LANGUAGES]
    )
    income_tariff = forms.BooleanField(label=_("Income-related tariff only"), required=False)
    free_places = forms.BooleanField(label=_("Free places only"), required=False)
    inclusive = forms.BooleanField(label=_("Inclusive care"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (Sort.RELEVANCE, _("Relevance")),
            (Sort.DISTANCE, _("Distance")),
            (Sort.FREE_PLACES, _("Free places")),
            (Sort.NAME, _("Name")),
        ],
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = municipalities if municipalities is not None else Municipality.objects
        self.fields["municipality"].choices = [("", _("Any municipality"))] + [
            (municipality.nis_code, municipality.name)
            for municipality in municipalities.order_by("name_nl")
        ]

    def active_count(self) -> int:
        """How many criteria the search has (the sort order is none), for the filters' button."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name, field in self.fields.items()
            if name != "sort" and field.widget.value_from_datadict(self.data, self.files, name)
        )

    def clean_near(self) -> str:
        code = self.cleaned_data["near"].strip()
        if code and not Postcode.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("We do not know the postcode %(code)s."), params={"code": code}
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("radius_km") and not cleaned.get("near"):
            self.add_error("near", _("Give a postcode to search within a distance."))
        born: date | None = cleaned.get("birth_date")
        if born and cleaned.get("age_months") is None:
            on = cleaned.get("start") or first_of_month(timezone.localdate())
            cleaned["age_months"] = age_in_months(born, on)
        return cleaned

    def to_query(self) -> CatalogueQuery:
        data = self.cleaned_data
        return CatalogueQuery(
            municipality=data.get("municipality") or None,
            kind=data.get("kind") or None,
            age_months=data.get("age_months"),
            start=data.get("start"),
            days=tuple(data.get("days") or ()),
            income_tariff=bool(data.get("income_tariff")),
            free_places=bool(data.get("free_places")),
            near=data.get("near") or None,
            radius_km=data.get("radius_km"),
            language=data.get("language") or None,
            inclusive=bool(data.get("inclusive")),
            text=data.get("q") or "",
            sort=data.get("sort") or Sort.RELEVANCE,
        )
