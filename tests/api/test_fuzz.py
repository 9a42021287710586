"""Authenticated fuzzing: schemathesis over every operation of each host's API.

Each host's own OpenAPI document (``/api/v1/schema/``) is loaded with schemathesis; for
every operation, hypothesis generates a few requests (valid ones by the document, with
path parameters either naming real objects of alpha and of the parent or generated; then
two that the document does not allow, on the real objects) and sends them through Django's
test client as the roles that work on that host: on a loket a parent, provider staff and
loket staff; on the region's portal these and the region coordinator; on the base domain a
parent and the coordinator; on the auditor host the auditor.
Every answer must pass ``not_a_server_error``, ``status_code_conformance`` (its status code is
documented: the 400, 403 and 404 refusals too) and ``response_schema_conformance`` (in its
documented shape: months as ``YYYY-MM``, times of day as they are written, null where it
can be null).

Bounded: ``MAX_EXAMPLES`` cases per operation and role, derandomized (the same cases on
every run), no shrinking (a failing case is reported as it was sent, with every other one).
Each request runs in a savepoint that is rolled back, with the client's cookies put back,
so a valid write (deleting a location, withdrawing a request) does not change what the next
request sees.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
import requests
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from schemathesis.transport.wsgi import WSGI_TRANSPORT
from werkzeug.test import EnvironBuilder

from opvangloket.auditor_db import AUDITOR_ALIAS
from opvangloket.openapi import MONTH_SCHEMA
from tests.support.allocation import accept, choice_of, offer, register, round_with_proposal
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])

MAX_EXAMPLES = 4  # valid requests by the document, per operation and role
NEGATIVE_EXAMPLES = 2  # requests it does not allow
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Erasing the account logs the parent out and anonymises their requests: every call after it
# would only see a refusal. Each call is rolled back anyway; erasure still goes last, so that
# even a rollback that missed something could not empty the operations after it.
LAST = ("/api/v1/my/account/erase/",)
# Each host's document as the roles that work there: a loket (parent, provider staff, loket
# staff), the region's portal (the same and the region coordinator), the base domain (a
# parent and the coordinator) and the auditor host (the auditor).
FUZZED = [
    *(("alpha", role) for role in ("parent", "provider_alpha", "staff_alpha")),
    *(("portal", role) for role in ("parent", "provider_alpha", "staff_alpha", "coordinator")),
    ("base", "parent"),
    ("base", "coordinator"),
    ("audit", "auditor"),
]
LEAST_OPERATIONS = {"alpha": 60, "portal": 20, "base": 3, "audit": 10}


@dataclass
class Fuzz:
    """One role on one host: its client, the document, what failed."""

    host: str
    client: Any
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    requests: int = 0
    answered: Counter[int] = field(default_factory=Counter)

    def send(self, case: schemathesis.Case) -> None:
        """Send one generated case in a rolled-back savepoint and run the checks on its answer."""
        data = WSGI_TRANSPORT.serialize_case(case, base_url=f"http://{self.host}")
        data.pop("base_url", None)
        environ = EnvironBuilder(base_url=f"http://{self.host}", **data).get_environ()
        environ.pop("HTTP_COOKIE", None)  # the client's own session cookie, not a generated one
        cookies = SimpleCookie()
        cookies.load(self.client.cookies.output(header="", sep=";"))
        label = f"{case.method} {case.formatted_path}"
        self.requests += 1
        started = time.monotonic()
        try:
            with transaction.atomic(), transaction.atomic(using=AUDITOR_ALIAS):
                answer = self.client.request(**environ)
                transaction.set_rollback(True, using=AUDITOR_ALIAS)
                transaction.set_rollback(True)
        except Exception as error:  # the test client re-raises what the view raised
            self.problems.append(f"{label} {_sent(data)}: {type(error).__name__}: {error}"[:600])
            return
        finally:
            self.client.cookies = cookies
        self.answered[answer.status_code] += 1
        request = requests.Request(
            case.method, f"http://{self.host}{data['path']}", headers=data.get("headers")
        ).prepare()
        response = Response(
            status_code=answer.status_code,
            headers={name.lower(): [value] for name, value in answer.headers.items()},
            content=answer.content if not answer.streaming else b"".join(answer.streaming_content),
            request=request,
            elapsed=time.monotonic() - started,
            verify=False,
        )
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                # One line per operation and kind of failure: the first case that showed it.
                what = " ".join(failure.message.split("\n\n")[::2][:2])[:300]
                key = f"{case.method} {case.path}: {answer.status_code} {what}"
                if key not in self.seen:
                    self.seen.add(key)
                    self.problems.append(f"{key} [sent {label} {_sent(data)}]")


def _sent(data: dict[str, Any]) -> str:
    sent = {key: data[key] for key in ("query_string", "json", "data") if data.get(key)}
    return repr(sent)[:200]


@pytest.fixture
def real(world) -> dict[str, str]:
    """Path values naming real objects: alpha's location, the parent's request and offer."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Fuzz")
    entries = register(location, name="Fuzz", parent=world.users["parent"])
    choice = choice_of(entries, alpha, location)
    made = offer(alpha, choice, world.users["staff_alpha"])
    placed = choice_of(
        register(location, name="Geplaatst", parent=world.users["other_parent"]), alpha, location
    )
    placement = accept(
        alpha,
        offer(alpha, placed, world.users["staff_alpha"], passed_over_reason="-"),
        world.users["other_parent"],
    )
    planned, proposal = round_with_proposal(alpha, location, world.users["staff_alpha"])
    return {
        "id": str(location.pk),
        "organizer_id": str(location.organizer_id),
        "location_id": str(location.pk),
        "choice_id": str(choice.pk),
        "reference": choice.request.reference,
        "submission": str(entries[0].submission),
        "offer_id": str(made.public_id),
        "placement_id": str(placement.pk),
        "round_id": str(planned.pk),
        "proposal_id": str(proposal.pk),
        "slug": world.region.slug,
    }


def _path_values(path: str, real: dict[str, str]) -> dict[str, str]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    values = {name: real[name] for name in names if name in real}
    if "/organizers/" in path and "id" in values:
        values["id"] = real["organizer_id"]
    return values


def _operations(schema) -> Iterator[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda operation: operation.path in LAST)
    yield from operations


def _fuzz_operation(fuzz: Fuzz, operation, real: dict[str, str]) -> None:
    fixed = _path_values(operation.path, real)
    strategy = operation.as_strategy()
    if fixed:
        strategy = st.one_of(operation.as_strategy(path_parameters=fixed), strategy)
    _run(fuzz, strategy, MAX_EXAMPLES)
    # Requests the document does not allow (a wrong type, a value out of its enum, a
    # missing field) on real objects: refused as documented, never a server error.
    negative = operation.as_strategy(
        generation_mode=GenerationMode.NEGATIVE, path_parameters=fixed or None
    )
    # Unsatisfiable: nothing of this operation's request can be wrong (no parameter, no body).
    with contextlib.suppress(Unsatisfiable):
        _run(fuzz, negative, NEGATIVE_EXAMPLES)


def _run(fuzz: Fuzz, strategy, examples: int) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        fuzz.send(case)

    run()


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    logger = logging.getLogger("opvangloket.request")
    logger.disabled = True
    yield
    logger.disabled = False


def _host_name(world, host: str) -> str:
    return {
        "alpha": world.host("alpha"),
        "audit": world.host("audit"),
        "portal": world.region.domain,
        "base": "localhost",
    }[host]


@pytest.mark.usefixtures("quiet_request_log")
@pytest.mark.parametrize(("host", "role"), FUZZED, ids=[f"{h}-{r}" for h, r in FUZZED])
def test_every_operation_answers_as_documented_and_never_a_server_error(
    host, role, world, client_for, real
):
    name = _host_name(world, host)
    client = client_for(name, user=role)
    document = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    schema = schemathesis.openapi.from_dict(document)
    fuzz = Fuzz(host=name, client=client)
    operations = 0
    for operation in _operations(schema):
        _fuzz_operation(fuzz, operation, real)
        operations += 1
    assert operations >= LEAST_OPERATIONS[host], f"only {operations} operations"
    # Logged in and reaching real objects: the role's own operations answer, not only refuse.
    succeeded = sum(count for status, count in fuzz.answered.items() if status < 300)
    assert succeeded >= 10, (
        f"only {succeeded} successful answers: {dict(fuzz.answered)}\n" + "\n".join(fuzz.problems)
    )
    assert fuzz.requests >= operations * 2, f"{fuzz.requests} requests for {operations} operations"
    assert not fuzz.problems, f"{len(fuzz.problems)} problems:\n" + "\n".join(fuzz.problems)


def test_the_document_says_what_each_operation_can_refuse_and_how_it_writes_values(
    client_for, world
):
    """What the fuzzing relies on, said plainly: refusals documented, values as written."""
    for host in ("alpha", "portal", "base", "audit"):
        name = _host_name(world, host)
        text = client_for(name).get("/api/v1/schema/", {"format": "json"}).content.decode()
        document = json.loads(text)
        for path, item in document["paths"].items():
            for method, operation in item.items():
                codes = set(operation["responses"])
                names = {parameter["name"] for parameter in operation.get("parameters", [])}
                if "{" in path or "format" in names:  # DRF: ?format=xml is not found
                    assert "404" in codes, (name, method, path)
                if {} not in operation.get("security", [{}]):
                    assert "403" in codes, (name, method, path)
                if method in ("post", "put", "patch", "delete"):
                    assert "400" in codes, (name, method, path)
        assert '"format": "time"' not in text.replace('"format":"time"', '"format": "time"')
        schemas = document["components"]["schemas"]
        assert schemas["Availability"]["properties"]["month"]["pattern"] == MONTH_SCHEMA["pattern"]
        region = schemas["Membership"]["properties"]["region"]
        assert region.get("nullable") is True
