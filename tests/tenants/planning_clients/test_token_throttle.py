"""The token endpoint throttles failed client authentications as logins are throttled:
per client id (known or not) and per address, a growing wait, answered in OAuth2's shape."""

from __future__ import annotations

import base64
import logging

import pytest
from django.conf import settings

from shared.accounts import login_throttle
from tests.tenants.planning_clients.test_tokens import register_client

pytestmark = pytest.mark.django_db

FREE = settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(login_throttle, "now", clock)
    return clock


@pytest.fixture
def software(world):
    client, secret = register_client(world, kind="loket", scopes=["read_figures"])
    return client, secret


def ask(client_for, client_id, secret, address="198.51.100.7", slug="alpha", basic=False):
    form = {"grant_type": "client_credentials"}
    headers = {"HTTP_X_FORWARDED_FOR": address}
    if basic:
        pair = f"{client_id}:{secret}".encode()
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form.update(client_id=client_id, client_secret=secret)
    return client_for(slug).post("/oauth/token/", form, **headers)


def test_wrong_secrets_make_the_next_attempt_wait_even_with_the_right_secret(
    client_for, software, clock
):
    client, secret = software
    for _ in range(FREE):
        wrong = ask(client_for, client.client_id, "not-the-secret")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"

    refused = ask(client_for, client.client_id, secret)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "2"
    assert refused["Cache-Control"] == "no-store"
    body = refused.json()
    assert body["error"] == "invalid_client"
    assert "2" in body["error_description"]  # how long, in the asker's language
    assert "access_token" not in body

    clock.now += 2
    granted = ask(client_for, client.client_id, secret)
    assert granted.status_code == 200 and granted.json()["access_token"]
    # A token forgets the failures: the next wrong secret costs nothing yet.
    assert ask(client_for, client.client_id, "not-the-secret").status_code == 401
    assert ask(client_for, client.client_id, secret).status_code == 200


def test_the_operators_see_the_first_wait_in_the_log_without_the_secret(
    client_for, software, clock, caplog
):
    client, _secret = software
    with caplog.at_level(logging.WARNING, logger="opvangloket.security"):
        for _ in range(FREE):
            ask(client_for, client.client_id, "not-the-secret")
    records = [r for r in caplog.records if r.name == "opvangloket.security"]
    assert records and records[0].throttled == "account"
    assert client.client_id not in caplog.text and "not-the-secret" not in caplog.text


def test_basic_credentials_count_for_the_same_client(client_for, software, clock):
    client, secret = software
    for _ in range(FREE):
        assert ask(client_for, client.client_id, "wrong", basic=True).status_code == 401
    assert ask(client_for, client.client_id, secret).status_code == 429
    assert ask(client_for, client.client_id, secret, basic=True).status_code == 429


def test_an_unknown_client_id_gets_the_same_answers_as_a_known_one(client_for, software, clock):
    """No enumeration: whether a client id exists cannot be told from the answers."""
    client, _secret = software

    def answers(client_id: str, address: str) -> list[tuple[int, str, str | None]]:
        seen = []
        for _ in range(FREE + 1):
            answer = ask(client_for, client_id, "wrong", address=address)
            seen.append((answer.status_code, answer.json()["error"], answer.get("Retry-After")))
        return seen

    assert answers(client.client_id, "198.51.100.8") == answers("no-such-client", "198.51.100.9")


def test_one_address_trying_many_client_ids_waits(client_for, software, clock):
    client, secret = software
    per_address = settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS
    for number in range(per_address):
        ask(client_for, f"guess-{number}", "wrong", address="203.0.113.99")
    # Even a real client's right secret waits from that address; not from another one.
    assert ask(client_for, client.client_id, secret, address="203.0.113.99").status_code == 429
    assert ask(client_for, client.client_id, secret, address="203.0.113.98").status_code == 200


def test_a_wrong_grant_type_does_not_reset_the_count(client_for, software, clock):
    """An error found before the client authenticated proves no secret: it cannot be used
    to clear the failures between guesses."""
    client, secret = software
    for _ in range(FREE - 1):
        ask(client_for, client.client_id, "wrong")
    reset_try = client_for("alpha").post(
        "/oauth/token/",
        {"grant_type": "password", "client_id": client.client_id, "client_secret": "x"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert reset_try.status_code == 400
    assert ask(client_for, client.client_id, secret).status_code == 429


def test_a_malformed_basic_header_is_a_clear_oauth_error(client_for):
    answer = client_for("alpha").post(
        "/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION="Basic !!!not-base64",
    )
    assert answer.status_code in (400, 401)
    assert answer.json()["error"] in ("invalid_client", "invalid_request")
