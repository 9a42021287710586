"""A NUL byte or JSON nested 5,000 deep is refused with a message, never a 500.

Found on a fresh clone: ``/beheer/aanvragen/HER-2026-00001%00/``, the requests API and its
actions, ``/api/v1/offers/?status=%00`` and a NUL in a PATCH field answered 500
(PostgreSQL keeps no NUL in text); JSON nested 5,000 deep on any JSON write endpoint
raised RecursionError.
"""

from __future__ import annotations

import json

import pytest

from opvangloket.request_limits import MAX_JSON_DEPTH, json_depth
from tests.support.hostile import DEEP

pytestmark = pytest.mark.django_db

NUL_PATHS = (
    "/beheer/aanvragen/HER-2026-00001%00/",
    "/beheer/aanvragen/HER-2026-00001%00/notities/",
    "/api/v1/requests/HER-2026-00001%00/",
    "/api/v1/requests/HER-2026-00001%00/reopen/",
    "/api/v1/offers/?status=%00",
    "/beheer/aanvragen/?status=open%00",
)


@pytest.fixture
def staff(client_for):
    return client_for("alpha", "staff_alpha")


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_the_address_is_a_400_in_the_users_language(staff, path):
    for method in ("get", "post"):
        response = getattr(staff, method)(path, HTTP_ACCEPT_LANGUAGE="nl")
        assert response.status_code == 400, (method, path)
        message = "Het adres bevat een NUL-teken"
        if path.startswith("/api/"):
            assert message in response.json()["non_field_errors"][0]
        else:
            assert message in response.content.decode()


def test_the_page_for_a_nul_is_in_french_too(staff):
    response = staff.get("/beheer/aanvragen/X%00/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "adresse contient un caractère NUL" in response.content.decode()


def test_json_nested_5000_deep_is_refused_on_a_write(staff, client_for):
    deep = '{"reason": ' + "[" * DEEP + "]" * DEEP + "}"
    for client, method, path in (
        (staff, "post", "/api/v1/providers/organizers/"),
        (staff, "patch", "/api/v1/loket/"),
        (client_for("alpha", "parent"), "post", "/api/v1/my/requests/"),
    ):
        response = getattr(client, method)(
            path, data=deep, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400, path
        assert response.json() == {
            "non_field_errors": [f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."]
        }


def test_a_nul_in_a_json_field_is_refused(staff):
    response = staff.patch(
        "/api/v1/loket/",
        data=json.dumps({"phone": "016\u0000"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Text cannot contain a NUL character."]}


def test_a_nul_in_a_form_body_of_the_api_is_refused(staff):
    response = staff.post("/api/v1/providers/organizers/", {"name": "Vzw\x00"})
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth('"[[[["') == 0
    assert json_depth('{"a": [1, {"b": "]]]"}]}') == 3
    assert json_depth("[" * 40 + "]" * 40) == 40


def test_ordinary_bodies_are_read_as_before(staff):
    response = staff.get("/api/v1/requests/", {"status": "open"})
    assert response.status_code == 200
