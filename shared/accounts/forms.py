"""Forms of the team pages: inviting staff, a provider staff member's locations."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shared.accounts.models import Membership


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial="nl",
        help_text=_("The e-mail is written in this language."),
    )
    locations = forms.TypedMultipleChoiceField(
        label=_("Locations (provider staff only)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The locations this person keeps up to date once they accept."),
    )

    def __init__(self, *args, roles=(), locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Membership.Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        if locations:
            self.fields["locations"].choices = [
                (location.pk, location.name) for location in locations
            ]
        else:
            del self.fields["locations"]


class ProviderLocationsForm(forms.Form):
    locations = forms.TypedMultipleChoiceField(
        label=_("Locations this person keeps up to date"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].choices = [(location.pk, location.name) for location in locations]
