"""Loket staff look a child up in the registry before a desk registration: form and search.

The page and the API parse the terms with one form and search with one function, which
writes the search to the loket's audit trail: that a search happened and how many
children it found, never what was searched for.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from shared.accounts.models import User
from shared.lokets.models import Loket
from shared.registry.search import ChildMatch, children_matching
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record

# The audit trail's object type of a registry search.
REGISTRY_SEARCH = AuditEvent.ObjectType.REGISTRY_SEARCH


class ChildSearchForm(forms.Form):
    """The search terms as typed; which of them are needed is the registry's rule."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2025-03-15.")},
    )
    national_number = forms.CharField(
        label=_("National register number"),
        max_length=20,
        required=False,
        help_text=_("11 digits; dots, dashes and spaces do not matter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def terms(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "birth_date": data["birth_date"],
            "national_number": data["national_number"],
        }


def registry_search(
    *,
    actor: User,
    loket: Loket,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    national_number: str,
) -> list[ChildMatch]:
    """The children matching the terms (``children_matching``), the search audited.

    A refused search (``ValidationError``) searched nothing and is not recorded.
    """
    matches = children_matching(
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        national_number=national_number,
        loket=loket,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEWED,
        object_type=REGISTRY_SEARCH,
        details={"children": len(matches)},
    )
    return matches
