"""Forms for loket staff."""

from django import forms
from django.utils.text import capfirst

from shared.lokets.models import Loket
from shared.lokets.services import CONTACT_FIELDS, RETENTION_FIELDS, TRANSPARENCY_FIELDS


class LoketContactForm(forms.ModelForm):
    website = forms.URLField(
        label=capfirst(Loket._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Loket
        fields = CONTACT_FIELDS
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 5}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }


class LoketRetentionForm(forms.ModelForm):
    class Meta:
        model = Loket
        fields = RETENTION_FIELDS
        widgets = {
            "personal_data_retention_months": forms.NumberInput(attrs={"min": 1, "max": 120}),
        }


class LoketTransparencyForm(forms.ModelForm):
    class Meta:
        model = Loket
        fields = TRANSPARENCY_FIELDS
