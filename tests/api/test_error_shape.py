"""Every API operation answers a bad request in the one documented error shape, never a 500."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from opvangloket.api_errors import (
    DETAIL_COMPONENT,
    VALIDATION_ERROR_COMPONENT,
    api_exception_handler,
)
from shared.accounts.invitations import invitation_create
from shared.accounts.models import Membership
from tenants.requests.changes import RequestNotFound
from tests.support.allocation import accept, choice_of, offer, register, round_with_proposal
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")
CHANGE_METHODS = (*WRITE_METHODS, "delete")
# No field of ours takes a list of lists of lists: a wrong type for every one of them.
WRONG = [[[]]]
MISSING = {
    "id": 999_999,
    "choice_id": 999_999,
    "reference": "GEEN-AANVRAAG",
    "submission": uuid.UUID(int=1),
    "offer_id": uuid.UUID(int=1),
    "location_id": 999_999,
    "placement_id": 999_999,
    "round_id": 999_999,
    "proposal_id": 999_999,
    "membership_id": 999_999,
    "invitation_id": 999_999,
}


def _document(client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _hosts(world) -> list[str]:
    return ["alpha", world.region.domain]


def _operations(document: dict[str, Any], methods: tuple[str, ...] = WRITE_METHODS):
    for path, item in document["paths"].items():
        for method in methods:
            if method in item:
                yield path, method, item[method]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _matches(document: dict[str, Any], component: str, body: Any) -> bool:
    """Whether ``body`` fits the document's own description of ``component``."""
    root = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    try:
        jsonschema.validate(body, root)
    except jsonschema.ValidationError:
        return False
    return True


def _refers_to(schema: dict[str, Any], component: str) -> bool:
    ref = f"#/components/schemas/{component}"
    return schema.get("$ref") == ref or any(
        option.get("$ref") == ref for option in [*schema.get("oneOf", ()), *schema.get("anyOf", ())]
    )


@dataclass
class Objects:
    """Real objects of the test world to put in paths: alpha's, the parent's."""

    values: dict[str, Any]
    organizer_id: int

    def path(self, template: str, *, missing: bool = False) -> str:
        path = template
        for name, value in self.values.items():
            if missing:
                value = MISSING[name]
            elif name == "id" and "/organizers/" in template:
                value = self.organizer_id
            path = path.replace("{" + name + "}", str(value))
        assert "{" not in path, f"give {template} a value for its path parameter here"
        return path


@pytest.fixture
def objects(world) -> Objects:
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Foutvorm")
    entries = register(location, name="Vorm", parent=world.users["parent"])
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
    invitation, _link = invitation_create(
        inviter=world.users["staff_alpha"],
        email="vorm@example.test",
        role="loket_staff",
        loket=alpha,
    )
    provider = Membership.objects.get(user=world.users["provider_alpha"], loket=alpha)
    return Objects(
        values={
            "id": location.pk,
            "choice_id": choice.pk,
            "reference": choice.request.reference,
            "submission": entries[0].submission,
            "offer_id": made.public_id,
            "location_id": location.pk,
            "placement_id": placement.pk,
            "round_id": planned.pk,
            "proposal_id": proposal.pk,
            "membership_id": provider.pk,
            "invitation_id": invitation.pk,
        },
        organizer_id=location.organizer_id,
    )


def _user_for(path: str, host: str = "alpha") -> str:
    """Someone whose role lets them use the operation: the parent, alpha's loket staff, or
    (the portal's face and team) the region's coordinator."""
    if path == "/api/v1/branding/" and host.startswith("testregio."):
        return "coordinator"
    if path.startswith("/api/v1/team/") and host != "alpha":
        return "coordinator"
    return "parent" if path.startswith(("/api/v1/my/", "/api/v1/me/")) else "staff_alpha"


def _bad_bodies(document: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, Any]]:
    """(media type, body) pairs that no operation accepts: every field of the wrong type."""
    content = operation["requestBody"]["content"]
    media = "application/json" if "application/json" in content else next(iter(content))
    schema = _resolve(document, content[media]["schema"])

    def wrong_fields(schema: dict[str, Any]) -> dict[str, Any]:
        fields = {
            name: WRONG if media == "application/json" else "no file, no flag"
            for name, field in _resolve(document, schema).get("properties", {}).items()
            if not field.get("readOnly")
        }
        assert fields, "a body without a field to get wrong"
        return fields

    if schema.get("type") == "array":
        return [(media, [wrong_fields(schema["items"])]), (media, {"unknown": WRONG})]
    bodies = [(media, wrong_fields(schema))]
    if media == "application/json":
        bodies.append((media, "{not json"))
    return bodies


def _send(client, method: str, path: str, media: str, body: Any):
    if media != "application/json":
        return getattr(client, method)(path, data=body)
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(path, data=data, content_type=media)


def _problem(document: dict[str, Any], response, allowed: set[int]) -> str | None:
    """What is wrong with an error answer, if anything."""
    if response.status_code not in allowed:
        return f"answered {response.status_code}: {response.content[:300]!r}"
    component = VALIDATION_ERROR_COMPONENT if response.status_code == 400 else DETAIL_COMPONENT
    body = response.json()
    if not body or not _matches(document, component, body):
        return f"{response.status_code} not in the {component} shape: {body!r}"
    return None


def test_every_operation_with_a_body_documents_the_error_shape(client_for, world):
    for host in _hosts(world):
        document = _document(client_for(host))
        schemas = document["components"]["schemas"]
        assert {VALIDATION_ERROR_COMPONENT, DETAIL_COMPONENT} <= set(schemas)
        for path, method, operation in _operations(document):
            responses = operation["responses"]
            if "requestBody" in operation:
                assert "400" in responses, (host, method, path)
            for code, component in (
                ("400", VALIDATION_ERROR_COMPONENT),
                ("403", DETAIL_COMPONENT),
                ("404", DETAIL_COMPONENT),
            ):
                if code in responses:
                    for media in responses[code]["content"].values():
                        assert _refers_to(media["schema"], component), (host, method, path, code)


def test_a_bad_body_gets_a_400_in_the_one_shape_on_every_operation(client_for, world, objects):
    problems = []
    for host in _hosts(world):
        document = _document(client_for(host))
        checked = 0
        for path, method, operation in _operations(document):
            if "requestBody" not in operation:
                continue
            client = client_for(host, user=_user_for(path, host))
            for media, body in _bad_bodies(document, operation):
                response = _send(client, method, objects.path(path), media, body)
                problem = _problem(document, response, {400})
                if problem:
                    problems.append(f"{host} {method.upper()} {path} {body!r}: {problem}")
            checked += 1
        assert checked >= 5, f"only {checked} operations with a body on {host}"
    assert not problems, "\n".join(problems)


def test_an_unknown_object_gets_a_404_with_detail_on_every_operation(client_for, world, objects):
    problems = []
    for host in _hosts(world):
        document = _document(client_for(host))
        for path, method, operation in _operations(document, CHANGE_METHODS):
            if "{" not in path:
                continue
            client = client_for(host, user=_user_for(path, host))
            if "requestBody" in operation:
                # Some operations read the body first: a bad one may answer 400 before 404.
                sends, allowed = _bad_bodies(document, operation)[:1], {400, 404}
            else:
                sends, allowed = [("application/json", {})], {404}
            for media, body in sends:
                response = _send(client, method, objects.path(path, missing=True), media, body)
                problem = _problem(document, response, allowed)
                if problem:
                    problems.append(f"{host} {method.upper()} {path}: {problem}")
    assert not problems, "\n".join(problems)


# Values no query parameter of ours takes: not a date, a month past any calendar, not a
# number, a negative one, a thousand characters.
BAD_QUERY_VALUES = ("geen-datum", "9999-13", "-1", "1e999", "ä" * 1000)


def test_bad_query_parameters_get_an_answer_or_a_400_in_the_one_shape(client_for, world, objects):
    """Filters of every GET operation: ignored (200) or refused in the one shape; never 500."""
    problems = []
    for host in _hosts(world):
        document = _document(client_for(host))
        checked = 0
        for path, _method, operation in _operations(document, ("get",)):
            names = [
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter.get("in") == "query" and parameter["name"] != "format"
            ]
            if not names:
                continue
            user = "coordinator" if host == world.region.domain and "figures" in path else None
            client = client_for(host, user=user or _user_for(path, host))
            for value in BAD_QUERY_VALUES:
                response = client.get(objects.path(path), dict.fromkeys(names, value))
                if response.status_code == 200:
                    continue
                # A page that does not exist is not found (DRF's pagination), with detail.
                allowed = {400, 404} if "page" in names else {400}
                problem = _problem(document, response, allowed)
                if problem:
                    problems.append(f"{host} GET {path} {value[:12]!r}: {problem}")
                elif str(response.status_code) not in operation["responses"]:
                    problems.append(
                        f"{host} GET {path}: answers {response.status_code}, not documented"
                    )
            checked += 1
        assert checked >= 3, f"only {checked} operations with query parameters on {host}"
    assert not problems, "\n".join(problems)


def test_a_service_refusal_answers_in_the_same_shape(client_for, world, objects):
    staff = client_for("alpha", user="staff_alpha")
    document = _document(staff)
    still_open = staff.post(objects.path("/api/v1/requests/{reference}/reopen/"))
    assert still_open.status_code == 400
    assert list(still_open.json()) == ["non_field_errors"]
    runs_a_location = staff.delete(objects.path("/api/v1/providers/organizers/{id}/"))
    for response in (still_open, runs_a_location):
        assert _problem(document, response, {400}) is None


# --- The handler itself ----------------------------------------------------------------


def _answer(error: Exception):
    response = api_exception_handler(error, {})
    assert response is not None
    return response.status_code, response.data


def test_a_service_error_with_fields_answers_per_field_and_non_field_errors():
    error = ValidationError(
        {
            "start_date": ValidationError("Too early.", code="too_early"),
            "__all__": "Not both.",
        }
    )
    status, body = _answer(error)
    assert (status, body) == (
        400,
        {"start_date": ["Too early."], "non_field_errors": ["Not both."]},
    )
    assert body["start_date"][0].code == "too_early"


def test_a_service_error_with_a_list_or_one_message_answers_non_field_errors():
    assert _answer(ValidationError(["One.", "Two."])) == (
        400,
        {"non_field_errors": ["One.", "Two."]},
    )
    status, body = _answer(ValidationError("Closed.", code="closed"))
    assert (status, body) == (400, {"non_field_errors": ["Closed."]})
    assert body["non_field_errors"][0].code == "closed"


def test_errors_raised_in_views_and_list_serializers_answer_in_the_same_shape():
    assert _answer(serializers.ValidationError("Nope.")) == (400, {"non_field_errors": ["Nope."]})
    assert _answer(serializers.ValidationError({"0": "Twice."})) == (400, {"0": ["Twice."]})
    listed = serializers.ValidationError([{}, {"month": ["Passed."]}])
    assert _answer(listed) == (400, {"1": {"month": ["Passed."]}})
    assert _answer(ParseError("Bad JSON."))[1] == {"non_field_errors": ["Bad JSON."]}


def test_refusals_and_unknown_objects_answer_with_detail():
    assert _answer(PermissionDenied())[0] == 403
    assert set(_answer(PermissionDenied())[1]) == {"detail"}
    for missing in (Http404(), RequestNotFound("no such submission")):
        status, body = _answer(missing)
        assert (status, set(body)) == (404, {"detail"})
    assert api_exception_handler(KeyError("a bug"), {}) is None  # stays a 500
