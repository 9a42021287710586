"""A service's ValidationError on a Django form, or per field: one way for every page."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Put a service's ``error`` on ``form``: on its field when the form has that field,
    else among the form's non-field errors."""
    for name, errors in service_error_lists(error).items():
        form.add_error(name if name in form.fields else None, errors)


def service_error_lists(error: ValidationError) -> dict[str, list[ValidationError]]:
    """The errors of ``error`` per field; ``NON_FIELD_ERRORS`` for those about no field."""
    if hasattr(error, "error_dict"):
        return dict(error.error_dict)
    return {NON_FIELD_ERRORS: error.error_list}


def service_error_messages(error: ValidationError) -> dict[str, list[str]]:
    """The messages of ``error`` per field; ``NON_FIELD_ERRORS`` for those about no field."""
    return {
        name: [str(message) for message in ValidationError(errors).messages]
        for name, errors in service_error_lists(error).items()
    }
