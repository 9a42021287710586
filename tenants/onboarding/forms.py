"""The upload form of the import page (thin: the import's rules are in its services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.onboarding.mappings import mappings_for
from tenants.onboarding.models import ImportKind
from tenants.onboarding.services import MAX_IMPORT_BYTES


def _mapping_choices() -> list[tuple[str, str]]:
    return [("", _("Our own columns (docs/operations.md)"))] + [
        (mapping.slug, mapping.label) for mapping in mappings_for()
    ]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    mapping = forms.ChoiceField(label=_("Columns of"), choices=_mapping_choices, required=False)
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, import nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB."), params={"size": 10}, code="too_large"
            )
        return upload

    def clean(self):
        data = super().clean()
        slug = data.get("mapping")
        if slug and data.get("kind"):
            mapping = next((m for m in mappings_for(data["kind"]) if m.slug == slug), None)
            if mapping is None:
                self.add_error("mapping", _("This column mapping is for another kind of file."))
        return data
