"""Loket staff set how long closed requests keep personal data: on their page and by the API."""

from __future__ import annotations

import json

import pytest

from shared.lokets.models import Loket

pytestmark = pytest.mark.django_db


def months(slug: str) -> int:
    return Loket.objects.get(slug=slug).personal_data_retention_months


def test_the_default_is_two_years(world):
    assert months("alpha") == 24


def test_loket_staff_change_it_on_their_page(client_for):
    client = client_for("alpha", "staff_alpha")
    page = client.get("/beheer/bewaartermijn/")
    assert page.status_code == 200
    assert 'name="personal_data_retention_months"' in page.content.decode()
    response = client.post("/beheer/bewaartermijn/", {"personal_data_retention_months": "36"})
    assert response.status_code == 302
    assert months("alpha") == 36
    assert months("beta") == 24


@pytest.mark.parametrize("value", ["0", "121", "abc", ""])
def test_a_wrong_value_gets_a_message_in_dutch(client_for, value):
    client = client_for("alpha", "staff_alpha")
    response = client.post("/beheer/bewaartermijn/", {"personal_data_retention_months": value})
    assert response.status_code == 200
    assert 'id="id_personal_data_retention_months_error"' in response.content.decode()
    assert months("alpha") == 24


@pytest.mark.parametrize("user", ["staff_beta", "provider_alpha", "parent"])
def test_others_cannot_change_it(client_for, user):
    client = client_for("alpha", user)
    assert client.post(
        "/beheer/bewaartermijn/", {"personal_data_retention_months": "3"}
    ).status_code in (403, 404)
    response = client.patch(
        "/api/v1/loket/",
        data=json.dumps({"personal_data_retention_months": 3}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert months("alpha") == 24


def test_loket_staff_change_it_by_the_api(client_for):
    client = client_for("alpha", "staff_alpha")
    assert client.get("/api/v1/loket/").json()["personal_data_retention_months"] == 24
    response = client.patch(
        "/api/v1/loket/",
        data=json.dumps({"personal_data_retention_months": 12}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["personal_data_retention_months"] == 12
    assert months("alpha") == 12
    refused = client.patch(
        "/api/v1/loket/",
        data=json.dumps({"personal_data_retention_months": 500}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "personal_data_retention_months" in refused.json()
    assert months("alpha") == 12
