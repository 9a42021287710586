"""The OpenAPI document tells planning software how to get a token and what each
operation needs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def document(client_for, host):
    return client_for(host).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


def test_a_lokets_document_declares_the_client_credentials_scheme(client_for):
    schema = document(client_for, "alpha")
    scheme = schema["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "http://alpha.localhost/oauth/token/"
    assert set(flow["scopes"]) == {
        "read_waiting_lists",
        "answer_choices",
        "update_free_places",
        "read_figures",
    }
    paths = schema["paths"]
    assert {"oauth2": ["read_waiting_lists"]} in paths["/api/v1/queue/{location_id}/"]["get"][
        "security"
    ]
    offers = paths["/api/v1/choices/{choice_id}/offers/"]
    assert {"oauth2": ["answer_choices"]} in offers["post"]["security"]
    assert {"oauth2": ["read_waiting_lists"]} in offers["get"]["security"]
    assert "401" in offers["post"]["responses"]
    assert {"oauth2": ["read_figures"]} in paths["/api/v1/figures/"]["get"]["security"]
    # Default deny: an operation that declares no scope lists no token.
    for path in ("/api/v1/requests/", "/api/v1/planning-clients/", "/api/v1/me/"):
        for operation in paths[path].values():
            assert not any("oauth2" in item for item in operation.get("security", []))
            assert "401" not in operation["responses"]


def test_the_portal_document_has_no_token_scheme(client_for, world):
    schema = document(client_for, world.region.domain)
    assert "oauth2" not in schema["components"].get("securitySchemes", {})


def test_the_auditor_hosts_document_has_no_token_scheme(client_for):
    schema = document(client_for, "audit")
    assert "oauth2" not in schema["components"].get("securitySchemes", {})
