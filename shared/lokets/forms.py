"""Forms for loket staff."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from shared.lokets.branding import MAX_IMAGE_BYTES, UNSET
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


class BrandingForm(forms.Form):
    """A loket's or region's face (``shared.lokets.branding`` checks every value)."""

    brand_colour = forms.CharField(
        label=_("Brand colour"),
        required=False,
        max_length=7,
        help_text=_(
            "As # and six hexadecimal digits, e.g. #0b5394. Empty: the region's or the "
            "platform's colour. White text on it and links on the page must reach a "
            "contrast of at least 4.5:1."
        ),
        widget=forms.TextInput(attrs={"placeholder": "#0b5394", "spellcheck": "false"}),
    )
    footer_text = forms.CharField(
        label=_("Footer text"),
        required=False,
        max_length=300,
        help_text=_("One short line at the bottom of every page, e.g. who runs the loket."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 256 KB. Shown in the page header."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    favicon = forms.FileField(
        label=_("Favicon"),
        required=False,
        help_text=_("PNG or ICO, at most 256 KB. The small icon in the browser's tab."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/x-icon,.ico"}),
    )
    remove_favicon = forms.BooleanField(label=_("Remove the favicon"), required=False)

    def image(self, kind: str) -> bytes | object | None:
        """The upload's bytes (read at most one byte past the limit), None to remove,
        or ``branding.UNSET`` to keep the image."""
        upload = self.cleaned_data.get(kind)
        if upload:
            return upload.read(MAX_IMAGE_BYTES + 1)
        return None if self.cleaned_data.get(f"remove_{kind}") else UNSET
