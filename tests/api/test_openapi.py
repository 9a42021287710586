"""The API is described in OpenAPI, on each kind of host, and the description is valid."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("urlconf", ["opvangloket.urls_tenant", "opvangloket.urls_public"])
def test_openapi_document_is_valid_without_warnings(urlconf, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", urlconf=urlconf, validate=True, fail_on_warn=True, file=str(target))
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


def test_loket_host_serves_its_api_description(client_for):
    response = client_for("alpha").get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/loket/", "/api/v1/me/"} <= set(paths)
    assert "patch" in paths["/api/v1/loket/"]


def test_portal_serves_its_api_description(client_for, world):
    response = client_for(world.region.domain).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/json"
    )
    paths = response.json()["paths"]
    assert {"/api/v1/regions/", "/api/v1/regions/{slug}/", "/api/v1/region/"} <= set(paths)


def test_regions_api_lists_regions_with_their_public_lokets(client_for, world):
    data = client_for("localhost").get("/api/v1/regions/").json()
    region = next(r for r in data["results"] if r["slug"] == "testregio")
    assert sorted(loket["slug"] for loket in region["lokets"]) == ["alpha", "beta", "gamma"]
    gamma = next(loket for loket in region["lokets"] if loket["slug"] == "gamma")
    assert gamma["domain"] == "gamma.localhost"
    assert {m["nis_code"] for m in gamma["municipalities"]} == {"24137", "24054", "24133"}


def test_portal_api_answers_for_its_own_region(client_for, world):
    assert client_for(world.region.domain).get("/api/v1/region/").json()["slug"] == "testregio"
    assert client_for("localhost").get("/api/v1/region/").status_code == 404


def test_the_base_domain_says_in_the_users_language_that_it_is_no_portal(client_for):
    answer = client_for("localhost").get("/api/v1/region/", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Cette adresse n'est pas un portail régional."}
