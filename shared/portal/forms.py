"""Forms of the request wizard, one per step; each turns its values into the draft's JSON.

Rules that need more than one step (the child's age, a loket's registration window) are
the ones of ``tenants.requests.rules``, run with what the draft already knows, so that a
message appears next to the field that can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import DAY_CODES, HALF_DAYS, day_part_choices
from shared.geography.models import Municipality, Postcode
from shared.portal.drafts import ANOTHER_CHILD, DESK, PARENT
from shared.portal.selectors import FamilyChild, children_to_ask_about
from shared.registry.identity import national_number_digits, validate_national_number
from tenants.requests.models import Priority
from tenants.requests.rules import rule_errors
from tenants.requests.services import MAX_EXPECTED_CHILDREN

ISO_DATE = "%Y-%m-%d"


@dataclass
class StepContext:
    """What the draft already knows when a step is filled in or checked again."""

    mode: str = PARENT
    today: date = field(default_factory=date.today)
    birth_date: date | None = None
    is_expected_birth: bool = False
    desired_start: date | None = None
    choices: list[CatalogueLocation] = field(default_factory=list)
    # The children registered before that the child step offers: [(public id, label)].
    known_children: list[tuple[str, str]] = field(default_factory=list)
    # The parent's family's children, as their own requests say (none at the desk).
    family_children: list[FamilyChild] = field(default_factory=list)


def date_input() -> forms.DateInput:
    # ISO format whatever the language: what <input type="date"> reads and sends.
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class WizardForm(forms.Form):
    """A step's form: grouped in fieldsets, with help and errors tied to their fields."""

    # [(legend or None, [field names])]; None: every field, ungrouped.
    fieldsets: list[tuple[Any, list[str]]] | None = None

    def __init__(self, *args, context: StepContext | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context or StepContext()
        self._describe_fields()

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_fields()

    def _describe_fields(self) -> None:
        """``aria-describedby`` to the help text and the errors; ``aria-invalid`` on errors."""
        errors = self._errors or {}
        for name, form_field in self.fields.items():
            bound = self[name]
            described_by = []
            if form_field.help_text:
                described_by.append(f"{bound.auto_id}_helptext")
            if name in errors:
                described_by.append(f"{bound.auto_id}_error")
                form_field.widget.attrs["aria-invalid"] = "true"
            else:
                form_field.widget.attrs.pop("aria-invalid", None)
            if described_by:
                form_field.widget.attrs["aria-describedby"] = " ".join(described_by)
            else:
                form_field.widget.attrs.pop("aria-describedby", None)

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        if self.fieldsets is None:
            return [(None, list(self))]
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def to_payload(self) -> dict[str, Any]:
        """The cleaned values, JSON-ready: dates in ISO, model rows by their key."""
        payload: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, models.Model):
                value = getattr(value, self.fields[name].to_field_name or "pk")
            payload[name] = value
        return payload

    def summary(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        """[(legend, [(label, readable value)])] for the review; empty optional groups left out."""
        cleaned = getattr(self, "cleaned_data", {})
        summary = []
        for legend, fields in self.groups():
            rows = []
            for bound in fields:
                value = cleaned.get(bound.name) if bound.name in cleaned else bound.data
                rows.append((bound.label, _readable(bound.field, value)))
            is_empty = all(value in (None, "", []) for value in (b.data for b in fields))
            if legend and is_empty and not any(b.field.required for b in fields):
                continue
            summary.append((legend, rows))
        return summary


def _readable(form_field: forms.Field, value: Any) -> str:
    if isinstance(form_field, forms.BooleanField):
        return str(_("yes") if value else _("no"))
    if value in (None, "", []):
        return "—"
    if isinstance(value, date):
        return date_format(value, "j F Y")
    if isinstance(form_field, forms.MultipleChoiceField):
        labels = dict(form_field.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(form_field, forms.ChoiceField) and not isinstance(
        form_field, forms.ModelChoiceField
    ):
        return str(dict(form_field.choices).get(value, value))
    return str(value)


def _rule_messages(context: StepContext, *, birth_date, is_expected_birth, desired_start):
    return rule_errors(
        today=context.today,
        birth_date=birth_date,
        is_expected_birth=is_expected_birth,
        desired_start=desired_start,
        choices=context.choices,
    )


class ChildForm(WizardForm):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=80,
        required=False,
        help_text=_("Not chosen yet for an unborn child? Leave it empty."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=date_input(),
        help_text=_("For a child that is not born yet: the expected date of birth."),
    )
    is_expected_birth = forms.BooleanField(
        label=_("The child is not born yet: this is the expected date of birth"), required=False
    )
    multiple_birth = forms.BooleanField(label=_("We expect more than one child"), required=False)
    expected_children = forms.IntegerField(
        label=_("How many children do you expect?"),
        min_value=2,
        max_value=MAX_EXPECTED_CHILDREN,
        required=False,
        help_text=_("Each child gets a request of its own."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    national_number = forms.CharField(
        label=_("National register number (optional)"),
        max_length=20,
        required=False,
        validators=[validate_national_number],
        help_text=_(
            "11 digits, on the back of the child's identity document or ISI+ card. "
            "It helps the lokets recognise your child; you may leave it empty."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    MULTIPLE_FIELDS = ("multiple_birth", "expected_children")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context.known_children:
            # Asked first: which of the children registered before, or another child.
            self.fields = {
                "known_child": forms.ChoiceField(
                    label=_("Which child is this request for?"),
                    choices=[*self.context.known_children, (ANOTHER_CHILD, _("Another child"))],
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose which child this request is for.")},
                ),
                **self.fields,
            }
            self._add_another_child_question()
            self._describe_fields()

    def _typed_birth(self) -> tuple[date | None, bool]:
        try:
            born = date.fromisoformat(str(self.data.get(self.add_prefix("birth_date")) or ""))
        except ValueError:
            born = None
        expected = self.fields["is_expected_birth"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("is_expected_birth")
        )
        return born, bool(expected)

    def _alike(self, *, birth_date: date | None, is_expected: bool) -> list[FamilyChild]:
        if birth_date is None:
            return []
        return children_to_ask_about(
            self.context.family_children,
            name_key="",
            birth_date=birth_date,
            is_expected_birth=is_expected,
            another_child=True,
        )

    def _add_another_child_question(self) -> None:
        """ "Another child", born the day one of the family's children was: is it really?"""
        if not self.is_bound or self.data.get(self.add_prefix("known_child")) != ANOTHER_CHILD:
            return
        born, expected = self._typed_birth()
        alike = self._alike(birth_date=born, is_expected=expected)
        if not alike:
            return
        names = ", ".join(known_child_label(child) for child in alike)
        fields = list(self.fields.items())
        fields.insert(
            1,
            (
                "another_child_confirmed",
                forms.BooleanField(
                    label=_("Yes, this is another child than %(children)s (for example a twin)")
                    % {"children": names},
                    required=False,
                ),
            ),
        )
        self.fields = dict(fields)

    def clean_national_number(self) -> str:
        return national_number_digits(self.cleaned_data["national_number"])

    def clean(self):
        cleaned = super().clean()
        is_expected = cleaned.get("is_expected_birth", False)
        if not is_expected and not (cleaned.get("first_name") or "").strip():
            self.add_error("first_name", _("Fill in the child's first name."))
        if not (is_expected and cleaned.get("multiple_birth")):
            # Only asked for an expected birth: a hidden tick of a born child means nothing.
            cleaned["multiple_birth"] = False
            cleaned["expected_children"] = None
        elif cleaned.get("expected_children") is None and "expected_children" not in self.errors:
            self.add_error(
                "expected_children",
                _("Give the number of children you expect: 2 to %(max)d.")
                % {"max": MAX_EXPECTED_CHILDREN},
            )
        born = cleaned.get("birth_date")
        if (
            cleaned.get("known_child") == ANOTHER_CHILD
            and not cleaned.get("another_child_confirmed")
            and (alike := self._alike(birth_date=born, is_expected=is_expected))
        ):
            self.add_error(
                "known_child",
                _(
                    "You registered %(children)s before, born or expected around the same "
                    "date. Is this request for that child? Then choose it above. Is it another "
                    "child, for example a twin? Then tick that it is another child."
                )
                % {"children": ", ".join(known_child_label(child) for child in alike)},
            )
        if born is not None:
            # Only the child's own rules here; the start date has its own step.
            start = self.context.desired_start or max(born, self.context.today)
            errors = _rule_messages(
                self.context, birth_date=born, is_expected_birth=is_expected, desired_start=start
            )
            for message in errors.get("child_birth_date", []):
                self.add_error("birth_date", message)
        return cleaned

    def summary(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        summary = super().summary()
        if getattr(self, "cleaned_data", {}).get("multiple_birth"):
            return summary
        hidden = {self.fields[name].label for name in self.MULTIPLE_FIELDS}
        return [(legend, [row for row in rows if row[0] not in hidden]) for legend, rows in summary]


def known_child_label(child: FamilyChild) -> str:
    """ "Lena, born 25/02/2027", or "expected on 01/03/2027" for an unborn child."""
    day = child.birth_date.strftime("%d/%m/%Y")
    if child.is_expected_birth:
        text = _("expected on %(date)s") % {"date": day}
    else:
        text = _("born %(date)s") % {"date": day}
    return f"{child.first_name}, {text}" if child.first_name else str(text)


class FamilyForm(WizardForm):
    guardian_1_name = forms.CharField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    guardian_1_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send the confirmation and every answer to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    guardian_1_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    guardian_2_name = forms.CharField(label=_("Name"), max_length=120, required=False)
    guardian_2_email = forms.EmailField(label=_("E-mail"), required=False)
    guardian_2_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    street = forms.CharField(
        label=_("Street and number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    residence = forms.ModelChoiceField(
        label=_("Municipality of residence"),
        queryset=Municipality.objects.order_by("name_nl"),
        to_field_name="nis_code",
        empty_label=_("Choose your municipality"),
    )
    language = forms.ChoiceField(
        label=_("Language for contact with your family"),
        choices=settings.LANGUAGES,
        initial="nl",
    )

    fieldsets = [
        (
            _("Parent or guardian (contact person)"),
            ["guardian_1_name", "guardian_1_email", "guardian_1_phone"],
        ),
        (
            _("Second parent or guardian (optional)"),
            ["guardian_2_name", "guardian_2_email", "guardian_2_phone"],
        ),
        (_("Address"), ["street", "postcode", "residence"]),
        (None, ["language"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context.mode == PARENT:
            self.fields["guardian_1_email"].required = True
        else:
            self.fields["guardian_1_email"].help_text = _(
                "Optional at the desk. With an e-mail address the parent gets the "
                "confirmation and can follow the request online."
            )
            self.fields["language"].label = _("Language for contact with the family")
        self._describe_fields()

    def clean_postcode(self) -> str:
        code = self.cleaned_data["postcode"].strip()
        if not (len(code) == 4 and code.isdigit()):
            raise forms.ValidationError(_("A Belgian postcode has 4 digits."))
        if not Postcode.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("We do not know the postcode %(code)s."), params={"code": code}
            )
        return code

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("guardian_2_name") and (
            cleaned.get("guardian_2_email") or cleaned.get("guardian_2_phone")
        ):
            self.add_error("guardian_2_name", _("Fill in the name of the second parent."))
        if (
            self.context.mode == DESK
            and "guardian_1_email" not in self.errors
            and not any(
                cleaned.get(name)
                for name in ("guardian_1_email", "guardian_1_phone", "guardian_2_phone")
            )
        ):
            self.add_error(
                "guardian_1_phone", _("Fill in a phone number or an e-mail address to reach them.")
            )
        return cleaned


class NeedForm(WizardForm):
    desired_start = forms.DateField(
        label=_("Desired start date"),
        widget=date_input(),
        help_text=_("The first day you need childcare."),
    )
    care_plan = forms.MultipleChoiceField(
        label=_("Care plan: the half-days you need care every week"),
        choices=day_part_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one half-day.")},
    )
    is_flexible = forms.BooleanField(
        label=_("Other locations or another start date are fine too"),
        required=False,
        help_text=_("The loket may then suggest places you did not choose yourself."),
    )

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("desired_start")
        if start is not None:
            if self.context.birth_date is not None:
                errors = _rule_messages(
                    self.context,
                    birth_date=self.context.birth_date,
                    is_expected_birth=self.context.is_expected_birth,
                    desired_start=start,
                )
                messages = errors.get("desired_start", [])
            elif start < self.context.today:
                messages = [_("The desired start date cannot be in the past.")]
            else:
                messages = []
            for message in messages:
                self.add_error("desired_start", message)
        return cleaned

    def care_plan_days(self) -> list[tuple[Any, list[tuple[Any, Any]]]]:
        """[(day, [(checkbox, "morning"), (checkbox, "afternoon")])] for a grid per day."""
        checkboxes = {widget.data["value"]: widget for widget in self["care_plan"]}
        return [
            (
                weekday.label,
                [(checkboxes[f"{day}_{part}"], label) for part, label in HALF_DAYS.items()],
            )
            for day, weekday in DAY_CODES.items()
        ]

    def summary(self) -> list[tuple[Any, list[tuple[Any, str]]]]:
        summary = super().summary()
        plan = getattr(self, "cleaned_data", {}).get("care_plan")
        if plan:
            # In the language's own numbers: "4,5" in Dutch and French.
            summary[0][1].insert(2, (_("Days per week"), floatformat(len(plan) / 2, "-1")))
        return summary


class PriorityForm(WizardForm):
    priorities = forms.MultipleChoiceField(
        label=_("What applies to your family now?"),
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick nothing if none of these applies."),
    )


class RemarksForm(WizardForm):
    remarks = forms.CharField(
        label=_("Remarks (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Anything the loket and the providers should know, for instance about care needs."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the loket and the chosen childcare providers use these data "
            "to handle this request."
        ),
        error_messages={"required": _("We can only register the request with your consent.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.context.mode == DESK:
            self.fields["consent"].label = _(
                "The parent agrees that the loket and the chosen childcare providers use "
                "these data to handle this request."
            )
            self.fields["consent"].error_messages["required"] = _(
                "A request can only be registered with the parent's consent."
            )


STEP_FORMS: dict[str, type[WizardForm]] = {
    "child": ChildForm,
    "family": FamilyForm,
    "need": NeedForm,
    "priority": PriorityForm,
    "remarks": RemarksForm,
}

# Fields of ``request_data_errors`` and the step that can fix them.
FIELD_STEPS = {
    "child_first_name": "child",
    "child_last_name": "child",
    "child_birth_date": "child",
    "is_expected_birth": "child",
    "national_number": "child",
    "guardians": "family",
    "contact_email": "family",
    "contact_phone": "family",
    "street": "family",
    "postcode": "family",
    "residence": "family",
    "language": "family",
    "desired_start": "need",
    "care_plan": "need",
    "is_flexible": "need",
    "choices": "choices",
    "priorities": "priority",
    "remarks": "remarks",
    "consent": "remarks",
    "child_id": "child",
    "another_child": "child",
    "expected_children": "child",
}


def step_context(
    *,
    mode: str,
    today: date,
    draft_payload: dict,
    choices,
    known_children: list[tuple[str, str]] | None = None,
    family_children: list[FamilyChild] | None = None,
) -> StepContext:
    """What the forms need to know from the other steps of the draft."""
    child = draft_payload.get("child") or {}
    need = draft_payload.get("need") or {}

    def parse(value):
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    return StepContext(
        mode=mode,
        today=today,
        birth_date=parse(child.get("birth_date")),
        is_expected_birth=bool(child.get("is_expected_birth")),
        desired_start=parse(need.get("desired_start")),
        choices=list(choices),
        known_children=list(known_children or []),
        family_children=list(family_children or []),
    )
