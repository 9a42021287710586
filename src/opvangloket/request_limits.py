"""What a request may hold at all: no NUL characters, JSON nested only so deep.

PostgreSQL stores no NUL character in text, and Python's JSON decoder recurses once per
level of nesting; neither is ever a value a user meant. Both are refused here, once, for
every page and every API operation, with a message in the user's language:

- ``NulCharacterMiddleware``: a NUL in the path (``/beheer/aanvragen/X%00/``) or in the
  query string answers 400, before any view looks anything up;
- the API's parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``): a JSON body nested
  deeper than ``MAX_JSON_DEPTH`` levels, or a NUL in any text of a JSON, form or multipart
  body, is a parse error, answered as every 400 (``opvangloket.api_errors``).

Page forms need nothing extra: Django's text fields refuse NUL characters themselves.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

NUL = "\x00"
# Our deepest body (a request with its child and its choices) is four levels deep.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_API_PREFIX = "/api/"


def nul_message() -> str:
    return _("The address contains a NUL character, which nothing here accepts.")


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (0 for a lone value)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def has_nul(value: Any) -> bool:
    """Whether a parsed body holds a NUL character in any of its texts or keys."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False


def _refuse_nul_in_text() -> ParseError:
    return ParseError(_("Text cannot contain a NUL character."))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing deep nesting and NUL characters before they reach a view."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            message = _("The body is not valid %(encoding)s.") % {"encoding": encoding}
            raise ParseError(message) from error
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}
            )
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        if has_nul(data):
            raise _refuse_nul_in_text()
        return data


def _form_has_nul(data: Any) -> bool:
    return any(has_nul(key) or has_nul(values) for key, values in data.lists())


class FormParser(parsers.FormParser):
    """DRF's form parser, refusing NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _form_has_nul(data):
            raise _refuse_nul_in_text()
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing NUL characters in its fields (files are read later)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        if _form_has_nul(parsed.data):
            raise _refuse_nul_in_text()
        return parsed


def _has_nul_in_address(request: HttpRequest) -> bool:
    return NUL in request.path or any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    )


class NulCharacterMiddleware:
    """A NUL character in the path or the query string: 400, in the API's shape on the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul_in_address(request):
            return self.get_response(request)
        message = nul_message()
        if request.path.startswith(_API_PREFIX):
            return JsonResponse({api_settings.NON_FIELD_ERRORS_KEY: [message]}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
