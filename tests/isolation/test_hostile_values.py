"""Bounded everything: every URL pattern and API operation, hostile values, every role, no 500.

The walk takes every URL pattern of the loket and public URL confs (the Django admin's
model pages aside) and every operation of each host's OpenAPI document, fills its path
parameters with real objects (a location, a request, an offer, drafts of alpha and of the
parent) and with hostile values (NUL, a number past any column, 3,000 characters), and
sends hostile values in the query string (one parameter at a time, by what it takes: the
edges of the calendar 0001-01-01, 9999-12-31, 9999-12, numbers past any column, long
text; pairs such as a good start with an end in 9999), in every field of the page's own
forms, and in JSON bodies (each field at edge and huge values, arrays of 2,000 items,
each field and the whole body nested 5,000 deep, a CSV file with a 140,000-character
cell), as each role (anonymous, parent, provider staff, loket staff, region coordinator,
auditor) on the hosts where it works. Any server error, or any request over
``SLOW_SECONDS``, fails the test, listing every one.

Bounded itself: a route gets every value once, from the first role allowed to use it on
its first host; other roles and hosts send a few values, and a role refused a route only
its path variants (refused before anything reads the input). Each request runs in a
savepoint (on both database aliases) that is rolled back, with the client's cookies put
back: a hostile POST that happens to be valid (deleting a location, logging out) does not
change what the next request sees.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404

from opvangloket.auditor_db import AUDITOR_ALIAS
from tests.support.allocation import choice_of, offer, register
from tests.support.hostile import (
    DEEP_JSON,
    LONG,
    NUL,
    PAIRED_QUERIES,
    PATH_VALUES,
    QUERY_NAMES,
    QUERY_VALUES,
    VALUES_BY_KIND,
    Route,
    form_fields,
    hostile_bodies,
    kind_of_schema,
    routes,
)
from tests.support.hostile import (
    resolve as resolve_schema,
)
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])

ROOT = Path(__file__).resolve().parents[2]
TENANT_URLCONF = "opvangloket.urls_tenant"
PUBLIC_URLCONF = "opvangloket.urls_public"
# Where each role works (its first host gets every value, the others a few): anonymous
# visitors on a loket, a portal and the base domain.
ROLES: dict[str, tuple[str, ...]] = {
    "anonymous": ("alpha", "portal", "base"),
    "parent": ("alpha", "portal"),
    "provider_alpha": ("alpha",),
    "staff_alpha": ("alpha",),
    "coordinator": ("portal",),
    "auditor": ("audit",),
}
MAX_NAMES = 8  # query parameters swept one by one per page or operation
# Routes already swept with every value by a role allowed to use them (URL conf, route):
# the next roles allowed there send the few values, as on other hosts.
SWEPT: set[tuple[str, str]] = set()
POST_VALUES = (NUL, "9999-12-31", "0001-01-01", "99999999999999999999")
# No one request may take long (the figures of 1,500 years split per month ran 31 s), and
# the walk stays a quick test: at most this many requests per role.
SLOW_SECONDS = 5
MAX_REQUESTS = 1_500


@dataclass
class Walk:
    """One role's walk: the client per host, real objects for path parameters, what failed."""

    role: str
    clients: dict[str, Any]
    real: dict[str, str]
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    document: dict[str, dict[str, Any]] = field(default_factory=dict)

    def send(self, host: str, method: str, path: str, **kwargs: Any):
        """One request in a savepoint rolled back afterwards; a server error is a problem."""
        client = self.clients[host]
        cookies = SimpleCookie()
        cookies.load(client.cookies.output(header="", sep=";"))
        self.requests += 1
        response = None
        started = time.monotonic()
        try:
            with transaction.atomic(), transaction.atomic(using=AUDITOR_ALIAS):
                response = getattr(client, method)(path, **kwargs)
                transaction.set_rollback(True, using=AUDITOR_ALIAS)
                transaction.set_rollback(True)
        except Exception as error:  # the test client re-raises what the view raised
            where = _our_frame(error)
            self.fail(
                host, method, path, kwargs, f"{type(error).__name__} at {where}: {error}"[:300]
            )
        finally:
            client.cookies = cookies
            seconds = time.monotonic() - started
        if seconds > SLOW_SECONDS:
            self.fail(host, method, path, kwargs, f"took {seconds:.1f} s")
        if response is not None and response.status_code >= 500:
            self.fail(host, method, path, kwargs, f"answered {response.status_code}")
        return response

    def fail(self, host: str, method: str, path: str, kwargs: dict, what: str) -> None:
        sent = kwargs.get("data")
        if isinstance(sent, dict):
            sent = {key: str(value)[:20] for key, value in list(sent.items())[:3]}
        elif sent is not None:
            sent = str(sent)[:40]
        self.problems.append(f"{self.role}@{host} {method.upper()} {path[:90]!r} {sent!r}: {what}")


def _our_frame(error: BaseException) -> str:
    """The innermost line of the project's own code the error passed through."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "/.venv/" not in frame.filename and "/tests/" not in frame.filename
    ]
    if not frames:
        return "?"
    return f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}"


def _hosts(world) -> dict[str, tuple[str, str]]:
    """Host label -> (host name, URL conf)."""
    return {
        "alpha": (world.host("alpha"), TENANT_URLCONF),
        "audit": (world.host("audit"), TENANT_URLCONF),
        "portal": (world.region.domain, PUBLIC_URLCONF),
        "base": ("localhost", PUBLIC_URLCONF),
    }


@pytest.fixture
def real_objects(world, client_for) -> dict[str, str]:
    """Path values that name real objects of alpha and of the parent, and their drafts."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Vijandig")
    entries = register(location, name="Vijand", parent=world.users["parent"])
    choice = choice_of(entries, alpha, location)
    made = offer(alpha, choice, world.users["staff_alpha"])
    parent_draft = client_for(world.host("alpha"), user="parent").post("/aanvraag/nieuw/")
    desk_draft = client_for(world.host("alpha"), user="staff_alpha").post("/beheer/aanvraag/nieuw/")
    real = {
        "pk": str(location.pk),
        "organizer": str(location.organizer_id),
        "id": str(location.pk),
        "location_id": str(location.pk),
        "choice_id": str(choice.pk),
        "choice": str(choice.pk),
        "part": str(entries[0].pk),
        "reference": choice.request.reference,
        "submission": str(entries[0].submission),
        "offer_id": str(made.public_id),
        "slug": "alpha",
        "fmt": "csv",
        "period_pk": "1",
        "user_pk": str(world.users["provider_alpha"].pk),
        "duplicate_id": "1",
        "uidb36": "1",
        "key": "x",
    }
    for name, response in (("draft_id", parent_draft), ("desk_draft_id", desk_draft)):
        # /aanvraag/<id>/<step>/: the draft and its first step
        parts = response.headers.get("Location", "").strip("/").split("/")
        real[name] = next((part for part in parts if part.isdigit()), "1")
        real[name + "_step"] = parts[-1] if parts and not parts[-1].isdigit() else "kind"
    return real


def _real_values(route: Route, real: dict[str, str]) -> dict[str, str]:
    values = {}
    for name in route.converters:
        if name == "pk" and "organi" in route.route:
            values[name] = real["organizer"]
        elif name == "id" and "duplicates" in route.route:
            values[name] = real["duplicate_id"]
        elif name == "draft_id" and route.route.startswith("beheer/"):
            values[name] = real["desk_draft_id"]
        elif name == "slug" and "aanvraag/" in route.route:
            desk = route.route.startswith("beheer/")
            values[name] = real["desk_draft_id_step" if desk else "draft_id_step"]
        else:
            values[name] = real.get(name, "1")
    return values


def _hostile_paths(route: Route, real: dict[str, str], urlconf: str) -> Iterator[str]:
    """The route with each path parameter in turn at each hostile value it accepts."""
    for name, converter in route.converters.items():
        for value in PATH_VALUES.get(converter, ()):
            path = route.fill({**_real_values(route, real), name: value})
            try:
                resolve(path, urlconf)
            except Resolver404:
                continue  # the converter refuses it: answered 404 before any view
            yield path


def _document(walk: Walk, host: str) -> dict[str, Any]:
    """The host's OpenAPI document as this role gets it (empty if it cannot have it)."""
    response = walk.send(host, "get", "/api/v1/schema/", data={"format": "json"})
    if response is None or response.status_code != 200:
        return {"paths": {}}
    return json.loads(response.content)


def _openapi_template(route: Route) -> str:
    return "/" + route.route.replace("<", "{").replace(">", "}").replace("int:", "").replace(
        "str:", ""
    ).replace("uuid:", "").replace("slug:", "")


def _refused(response) -> bool:
    """Whether the role may not use this at all: refused before anything reads the input."""
    if response is None:
        return False
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code in (301, 302) and "/account/login/" in response.headers.get(
        "Location", ""
    )


def _first_sweep(urlconf: str, route: Route, method: str = "page") -> bool:
    """True the first time a role allowed to use this route sweeps it (then remembered)."""
    key = (urlconf, route.route + " " + method)
    if key in SWEPT:
        return False
    SWEPT.add(key)
    return True


def _queries(names: dict[str, str]) -> Iterator[dict[str, str]]:
    """Hostile values for query parameters (name -> kind of value).

    One parameter at a time: another invalid one next to it would hide it behind a 400.
    Without any known parameter, the names pages read from links, all at once.
    """
    if not names:
        for value in QUERY_VALUES:
            yield dict.fromkeys(QUERY_NAMES, value)
        yield from PAIRED_QUERIES
        return
    yield dict.fromkeys(names, NUL)
    for name, kind in list(names.items())[:MAX_NAMES]:
        for value in VALUES_BY_KIND[kind]:
            yield {name: value}
    if {"start", "end", "year", "date_from"} & set(names):
        yield from PAIRED_QUERIES


def _walk_page(walk: Walk, host: str, route: Route, urlconf: str, *, full: bool) -> None:
    path = route.fill(_real_values(route, walk.real))
    first = walk.send(host, "get", path)
    if _refused(first):
        # Refused before anything reads the input: only the path can still matter.
        for hostile in _hostile_paths(route, walk.real, urlconf):
            walk.send(host, "get", hostile)
        return
    filters: dict[str, str] = {}
    changes: list[str] = []
    if first is not None and "html" in first.headers.get("Content-Type", ""):
        filters, changes = form_fields(first.content.decode(errors="replace"))
    changes = changes or list(QUERY_NAMES)
    if full and _first_sweep(urlconf, route):
        if first is not None and first.status_code != 405:
            for query in _queries(filters):
                walk.send(host, "get", path, data=query)
        for value in POST_VALUES:
            walk.send(host, "post", path, data=dict.fromkeys(changes, value))
    elif full:
        # Swept by a role before: the same values reach the same code; a few for this role.
        walk.send(host, "get", path, data=dict(zip(QUERY_NAMES, QUERY_VALUES, strict=False)))
        walk.send(host, "post", path, data=dict.fromkeys(changes, NUL))
    for hostile in _hostile_paths(route, walk.real, urlconf):
        walk.send(host, "get", hostile)
        if full:
            walk.send(host, "post", hostile, data=dict.fromkeys(changes, "x" * 5_000))


def _walk_operation(
    walk: Walk, host: str, route: Route, urlconf: str, item: dict, *, full: bool
) -> None:
    document = walk.document[host]
    path = route.fill(_real_values(route, walk.real))
    for method, operation in item.items():
        if method not in ("get", "post", "put", "patch", "delete"):
            continue
        first_sweep = full and _first_sweep(urlconf, route, method)
        if method == "get":
            names = {
                parameter["name"]: kind_of_schema(parameter.get("schema", {}))
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query" and parameter["name"] != "format"
            }
            first = walk.send(host, "get", path)
            if not _refused(first):
                for query in _queries(names) if first_sweep else [dict.fromkeys(names, NUL)]:
                    walk.send(host, "get", path, data=query)
            for hostile in _hostile_paths(route, walk.real, urlconf):
                walk.send(host, "get", hostile)
            continue
        content = operation.get("requestBody", {}).get("content", {})
        schema = {}
        if "application/json" in content:
            bodies = hostile_bodies(document, content["application/json"]["schema"])
        else:
            bodies = [DEEP_JSON]
            if content:
                schema = resolve_schema(document, next(iter(content.values()))["schema"])
        first = walk.send(host, method, path, data=bodies[-1], content_type="application/json")
        if _refused(first) or not first_sweep:
            continue
        for body in bodies[:-1]:
            walk.send(host, method, path, data=body, content_type="application/json")
        if schema:
            for sane in (False, True):
                walk.send(host, method, path, data=_multipart(schema, sane=sane))
        for hostile in _hostile_paths(route, walk.real, urlconf):
            walk.send(host, method, hostile, data=bodies[0], content_type="application/json")


def _multipart(schema: dict[str, Any], *, sane: bool) -> dict[str, Any]:
    """A form body: a CSV file with a cell too long for the csv module, the rest NUL or sane."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    fields: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        if spec.get("format") == "binary":
            text = "naam;straat;postcode\n" + f'"{LONG}";Dorpsstraat 1;3020\n'
            fields[name] = SimpleUploadedFile(f"{name}.csv", text.encode(), "text/csv")
        elif spec.get("type") == "boolean":
            fields[name] = "true" if sane else NUL
        else:
            fields[name] = "" if sane else NUL
    return fields


def _walk(walk: Walk, world) -> None:
    hosts = _hosts(world)
    for index, label in enumerate(ROLES[walk.role]):
        # Every value on the role's own host; elsewhere the host decides, so a few.
        full = index == 0
        urlconf = hosts[label][1]
        walk.document[label] = _document(walk, label)
        paths = walk.document[label].get("paths", {})
        for route in routes(urlconf):
            if route.route.startswith("admin/") and (
                walk.role != "anonymous" or "(" in route.route
            ):
                continue  # the Django admin's own pages, for operators (tests/shared/lokets)
            item = paths.get(_openapi_template(route))
            if route.route == "api/v1/schema/":
                walk.send(label, "get", "/api/v1/schema/", data={"format": NUL, "lang": "x" * 5000})
            elif item is not None:
                _walk_operation(walk, label, route, urlconf, item, full=full)
            else:
                _walk_page(walk, label, route, urlconf, full=full)


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    """Thousands of requests: their log lines would cost more than some of the requests."""
    logger = logging.getLogger("opvangloket.request")
    logger.disabled = True
    yield
    logger.disabled = False


@pytest.mark.usefixtures("quiet_request_log")
@pytest.mark.parametrize("role", list(ROLES))
def test_no_value_anywhere_gets_a_server_error(role, world, client_for, real_objects):
    hosts = _hosts(world)
    clients = {
        label: client_for(hosts[label][0], user=None if role == "anonymous" else role)
        for label in ROLES[role]
    }
    walk = Walk(role=role, clients=clients, real=real_objects)
    # Loading WeasyPrint (pango, fonts) takes seconds once per process: not the first PDF
    # page walked (a parent's receipt) but the import should pay for it.
    import weasyprint  # noqa: F401

    _walk(walk, world)
    assert walk.requests > 200, f"the walk sent only {walk.requests} requests"
    assert walk.requests <= MAX_REQUESTS, f"{walk.requests} requests: keep the walk quick"
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)
