"""Hostile values for paths, queries, forms and JSON bodies, and the URL patterns to send them to.

Used by the walk in ``tests/isolation/test_hostile_values.py``: whatever a visitor puts in
a request, the answer is never a server error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from opvangloket.openapi import TIME_SCHEMA

NUL = "\x00"
# JSON nested deeper than Python's recursion limit would follow.
DEEP = 5_000
DEEP_JSON = '{"a": ' + "[" * DEEP + "]" * DEEP + "}"
LONG = "x" * 140_000  # more than the csv module's field limit (131,072)

# Values for a query parameter, by what it takes: dates and months at the edges of the
# calendar (the day after 9999-12-31, the month after 9999-12), numbers past any column,
# text far too long. (A NUL in the address or a body is sent separately.)
VALUES_BY_KIND: dict[str, tuple[str, ...]] = {
    "date": ("9999-12-31", "0001-01-01"),
    "month": ("9999-12", "0001-01"),
    "number": ("99999999999999999999", "-99999999999999999999"),
    "text": ("9999-12", "x" * 5_000),
}
QUERY_VALUES: tuple[str, ...] = ("9999-12", "9999-12-31", "99999999999999999999", "x" * 5_000)
# Query parameters pages read without a form of their own (downloads, filters in links).
QUERY_NAMES: tuple[str, ...] = ("start", "end", "year", "split", "start_month", "page", "status")
# Pairs that only mean something together: a good start with a hostile end, and so on.
PAIRED_QUERIES: tuple[dict[str, str], ...] = (
    {"start": "2026-01-01", "end": "9999-12-31"},
    {"start": "0500-01-01", "end": "2027-01-01", "split": "month"},
    {"start": "9998-01-01", "end": "9999-12-31", "split": "month"},
    {"year": "9999", "split": "month"},
)

# A value per path converter that the converter accepts and no object has.
PATH_VALUES: dict[str, tuple[str, ...]] = {
    "int": ("99999999999999999999",),
    "str": ("HER-2026-00001" + NUL, "x" * 3_000),
    "slug": ("x" * 3_000,),
    "uuid": ("ffffffff-ffff-ffff-ffff-ffffffffffff",),
    "path": ("x" * 3_000,),
}
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route with ``<converter:name>`` placeholders."""

    route: str
    converters: dict[str, str]  # name -> converter

    def fill(self, values: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            return values[match["name"]]

        path = _CONVERTER.sub(value, self.route)
        return "/" + _REGEX_GROUP.sub(value, path).replace("^", "").replace("$", "")


def routes(urlconf: str) -> list[Route]:
    """Every URL pattern of ``urlconf``, with the converter of each path parameter."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[Route]:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                converters = {
                    match["name"]: match["converter"] or "str"
                    for match in _CONVERTER.finditer(text)
                }
                converters |= {match["name"]: "str" for match in _REGEX_GROUP.finditer(text)}
                yield Route(route=text, converters=converters)

    return list(walk(get_resolver(urlconf).url_patterns, ""))


# --- JSON bodies from an OpenAPI document --------------------------------------------


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return resolve(document, schema[combined][0])
    return schema


def hostile_for(
    document: dict[str, Any], schema: dict[str, Any], variant: int, *, small: bool = False
) -> Any:
    """A value of the schema's own type, as hostile as it gets.

    Variant 0: edge values (NUL in text, the first day, 10**20), arrays of one item with
    huge values; variant 1: huge values (text of 200,000 characters, the last day, 10**400),
    arrays of 2,000 small items. ``small`` keeps the value short (inside such an array).
    """
    schema = resolve(document, schema)
    variant = 0 if small else variant % 2
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return (10**20, -(2**63) - 1)[variant]
    if kind == "number":
        return (1e308, 10**400)[variant]
    if kind == "boolean":
        return (NUL, 10**20)[variant]
    if kind == "array":
        items = schema.get("items", {})
        if small:
            return [hostile_for(document, items, 0, small=True)]
        if variant:
            return [hostile_for(document, items, 0, small=True)] * 2_000
        return [hostile_for(document, items, 1)]
    if kind == "object" or "properties" in schema:
        return {
            name: hostile_for(document, field, variant, small=small)
            for name, field in schema.get("properties", {}).items()
            if not field.get("readOnly")
        }
    if fmt == "date":
        return ("0001-01-01", "9999-12-31")[variant]
    if fmt == "date-time":
        return ("0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59+14:00")[variant]
    if fmt == "time" or schema.get("pattern") == TIME_SCHEMA["pattern"]:  # a local time
        return ("23:59:59.999999", "99:99")[variant]
    if fmt == "uuid":
        return ("ffffffff-ffff-ffff-ffff-ffffffffffff", "x" * 5_000)[variant]
    return ("HER-2026-00001" + NUL, "x" * 200_000)[variant]


def hostile_bodies(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """JSON texts for an operation's body: hostile fields (edge values, then huge ones), each
    field nested 5,000 deep, the whole body nested 5,000 deep."""
    bodies = [json.dumps(hostile_for(document, schema, variant)) for variant in range(2)]
    fields = resolve(document, schema).get("properties", {})
    if fields:
        bodies.append("{" + ", ".join(f"{json.dumps(name)}: {DEEP_JSON}" for name in fields) + "}")
    bodies.append(DEEP_JSON)  # last: the one a role refused the operation gets
    return bodies


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL | re.IGNORECASE)
_FORM_FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'\b(name|type)="([^"]*)"')
_KIND_OF_INPUT = {"date": "date", "month": "month", "number": "number", "range": "number"}


def kind_of_schema(schema: dict[str, Any]) -> str:
    """The kind of values (``VALUES_BY_KIND``) a query parameter's schema takes."""
    if schema.get("type") in ("integer", "number"):
        return "number"
    if schema.get("format") == "date":
        return "date"
    return "text"


def form_fields(html: str) -> tuple[dict[str, str], list[str]]:
    """A page's GET form fields (name -> kind of value) and its other forms' field names."""
    filters: dict[str, str] = {}
    changes: set[str] = set()
    for attributes, body in _FORM.findall(html):
        is_get = 'method="post"' not in attributes.lower()
        for tag, field_attributes in _FORM_FIELD.findall(body):
            found = dict(_ATTRIBUTE.findall(field_attributes))
            name = found.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            if is_get:
                kind = (
                    _KIND_OF_INPUT.get(found.get("type", ""), "text") if tag == "input" else "text"
                )
                filters[name] = kind
            else:
                changes.add(name)
    return filters, sorted(changes)
