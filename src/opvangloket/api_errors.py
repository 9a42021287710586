"""The API's one error answer: service, permission and not-found errors in one shape, documented.

Services raise Django's ``ValidationError``, ``PermissionDenied`` or a domain "not found"
error and never know about DRF; ``api_exception_handler`` (``REST_FRAMEWORK
["EXCEPTION_HANDLER"]``) turns them into answers, so API views just call the service.

The shape of a 400, whatever raised it (a serializer, a view, a service)::

    {"start_date": ["This field is required."], "non_field_errors": ["..."]}

an object keyed by field name with a list of messages each, ``non_field_errors`` for
messages about no one field, a nested object of the same shape for a nested field or a
list item (keyed by its index). A 403 or 404 is DRF's ``{"detail": "..."}``.
``error_responses_hook`` describes both in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from opvangloket.errors import NotFound

# Domain errors raised by services that mean "no such object of yours": a 404.
NOT_FOUND_ERRORS: tuple[type[Exception], ...] = (NotFound,)

VALIDATION_ERROR_COMPONENT = "ValidationErrorResponse"
DETAIL_COMPONENT = "ErrorDetailResponse"
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_CHANGE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _non_field_key() -> str:
    return api_settings.NON_FIELD_ERRORS_KEY


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, also for service errors, answering 400s in the one shape."""
    exc = as_api_exception(exc)
    # Every 400 (a JSON parse error too) in the one shape; other statuses keep "detail".
    if isinstance(exc, exceptions.APIException) and exc.status_code == 400:
        exc.detail = error_body(exc.detail)
    return exception_handler(exc, context)


def as_api_exception(exc: Exception) -> Exception:
    """The DRF exception for a service's error; any other exception unchanged."""
    converted: exceptions.APIException
    if isinstance(exc, DjangoValidationError):
        # Keeps each message's code (ErrorDetail.code) for whoever reads the exception.
        converted = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, NOT_FOUND_ERRORS):
        # The default message: the service's own text is not meant for the client.
        converted = exceptions.NotFound()
    else:
        return exc
    converted.__cause__ = exc
    return converted


def error_body(detail: Any) -> dict[str, Any]:
    """Validation details as DRF collects them (dict, list or message) in the one shape."""
    if isinstance(detail, dict):
        body: dict[str, Any] = {}
        for key, value in detail.items():
            name = _non_field_key() if key == NON_FIELD_ERRORS else str(key)
            errors = _field_errors(value)
            if isinstance(errors, list) and isinstance(body.get(name), list):
                body[name].extend(errors)  # Django's "__all__" next to DRF's key
            else:
                body[name] = errors
        return body
    if isinstance(detail, list) and any(isinstance(item, dict) for item in detail):
        return _by_index(detail)  # a list serializer: one entry per item
    return {_non_field_key(): _messages(detail)}


def _field_errors(value: Any) -> list[Any] | dict[str, Any]:
    if isinstance(value, dict):
        return error_body(value)
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        return _by_index(value)
    return _messages(value)


def _by_index(items: list[Any]) -> dict[str, Any]:
    return {str(index): _field_errors(item) for index, item in enumerate(items) if item}


def _messages(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        return [value]
    messages: list[Any] = []
    for item in value:
        messages.extend(_messages(item) if isinstance(item, list | tuple) else [item])
    return messages


# --- The OpenAPI description -----------------------------------------------------------


def validation_error_schema() -> dict[str, Any]:
    messages = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "description": (
            "The request was refused. Messages per field (a nested object of the same "
            f"shape for a nested field or, keyed by index, a list item); `{_non_field_key()}` "
            "for messages about no one field."
        ),
        "properties": {_non_field_key(): messages},
        "additionalProperties": {
            "oneOf": [messages, {"$ref": f"#/components/schemas/{VALIDATION_ERROR_COMPONENT}"}]
        },
        "example": {
            "start_date": ["This field is required."],
            _non_field_key(): ["This request is closed, so it can no longer be changed."],
        },
    }


DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Not allowed (403) or not found (404).",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def error_responses_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every 400, 403 and 404 in the one documented shape.

    Each operation documents the refusals it can answer: a 400 when it takes a body, filters
    in its query or changes something (a service may refuse it in the object's state), a 403
    when not every visitor may use it (no login, or not the role), a 404 when its path names
    an object (none, or not one the user may see).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[VALIDATION_ERROR_COMPONENT] = validation_error_schema()
    schemas[DETAIL_COMPONENT] = DETAIL_SCHEMA
    invalid = {"$ref": f"#/components/schemas/{VALIDATION_ERROR_COMPONENT}"}
    detail = {"$ref": f"#/components/schemas/{DETAIL_COMPONENT}"}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            takes_query = any(
                parameter.get("in") == "query" and parameter.get("name") != "format"
                for parameter in operation.get("parameters", [])
            )
            if "requestBody" in operation:
                responses.setdefault("400", {"description": "Invalid input."})
            elif takes_query:
                responses.setdefault("400", {"description": "Invalid filter."})
            elif method in _CHANGE_METHODS:
                responses.setdefault("400", {"description": "Refused in the object's state."})
            if {} not in operation.get("security", [{}]):
                responses.setdefault("403", {"description": "Not logged in, or not your role."})
            if any(
                parameter.get("name") == "page" for parameter in operation.get("parameters", [])
            ):
                responses.setdefault("404", {"description": "No such page (or object)."})
            if "{" in path:
                responses.setdefault("404", {"description": "No such object (or not yours)."})
            if any(
                parameter.get("name") == "format" for parameter in operation.get("parameters", [])
            ):
                # DRF answers a format it cannot render (``?format=xml``) 404.
                responses.setdefault("404", {"description": "No such format (or object)."})
            for status_code, schema in (("400", invalid), ("403", detail), ("404", detail)):
                if status_code in responses:
                    _document(responses[status_code], schema)
    return result


def _document(response: dict[str, Any], schema: dict[str, Any]) -> None:
    content = response.setdefault("content", {})
    if not content:
        content["application/json"] = {"schema": schema}
    for media in content.values():
        # An answer of its own (the import's report) is kept; the common shape is added.
        if media.get("schema") != schema:
            media["schema"] = {"anyOf": [media["schema"], schema]} if "schema" in media else schema
