"""A service's ValidationError on a form: on the form's own fields, the rest on top."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from opvangloket.forms import add_service_errors, service_error_messages


class _DateForm(forms.Form):
    start_date = forms.DateField()


def _form() -> _DateForm:
    form = _DateForm(data={"start_date": "2027-01-04"})
    assert form.is_valid()
    return form


def test_field_errors_go_on_the_forms_fields_and_the_rest_on_top():
    form = _form()
    add_service_errors(
        form,
        ValidationError(
            {
                "start_date": ValidationError("Too early.", code="too_early"),
                "care_plan": "Not on Sundays.",  # a field this form does not have
                NON_FIELD_ERRORS: "Not both.",
            }
        ),
    )
    assert form.errors == {
        "start_date": ["Too early."],
        NON_FIELD_ERRORS: ["Not on Sundays.", "Not both."],
    }
    assert form.has_error("start_date", code="too_early")


def test_a_list_or_a_message_goes_on_top():
    for error, messages in [
        (ValidationError(["One.", "Two."]), ["One.", "Two."]),
        (ValidationError("Closed."), ["Closed."]),
    ]:
        form = _form()
        add_service_errors(form, error)
        assert form.non_field_errors() == messages
        assert not form.has_error("start_date")


def test_messages_per_field_for_reports():
    error = ValidationError({"postcode": ValidationError("%(code)s?", params={"code": "9999"})})
    assert service_error_messages(error) == {"postcode": ["9999?"]}
    assert service_error_messages(ValidationError("No.")) == {NON_FIELD_ERRORS: ["No."]}
