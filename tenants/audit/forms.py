"""The filters of the audit trail (pages and API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    reference = forms.CharField(label=_("Request reference"), required=False, max_length=20)
    actor = forms.CharField(
        label=_("By"), required=False, max_length=150, help_text=_("Name or e-mail address.")
    )
    day_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    day_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.audit_events`` (call after ``is_valid``)."""
        return {name: value or None for name, value in self.cleaned_data.items()}
