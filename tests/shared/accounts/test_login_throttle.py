"""Login throttling: a growing wait per account and per real client address, in a shared cache.

Found in issue 15: five wrong passwords locked any account for five minutes, every client
behind nginx was 127.0.0.1 (one attacker locked everyone out), the counters lived in each
process's memory, and ``/admin/login/`` had no throttle at all (it now sends to allauth's
login, see test_second_factor.py).
"""

from __future__ import annotations

import json
import logging
import re

import pytest
import sentry_sdk
from django.conf import settings
from django.core.cache import caches

from opvangloket.observability import init_sentry
from shared.accounts import login_throttle
from tests.support.emails import sent_after_commit

pytestmark = pytest.mark.django_db

WAIT_MESSAGE_NL = "Te veel mislukte pogingen"  # the wait message (not "Wacht": "Wachtwoord")
WAITED = re.compile(r"Wacht \d+ seconden?")  # not "Wachtwoord", on every login page
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(login_throttle, "now", clock)
    return clock


def login(client, email, password, address=None):
    extra = {"HTTP_X_FORWARDED_FOR": address} if address else {}
    return client.post("/account/login/", {"login": email, "password": password}, **extra)


def logged_in(client) -> bool:
    # Not through a page: staff logged in with a password are sent to the second factor's
    # setup first (shared.accounts.second_factor), whatever they ask for.
    return "_auth_user_id" in client.session


def test_wrong_passwords_make_the_next_attempt_wait_a_few_seconds_not_minutes(
    client_for, password, clock
):
    client = client_for("alpha")
    for _ in range(5):
        assert login(client, "staff_alpha@test.test", "wrong", "203.0.113.10").status_code == 200
    # Even the right password waits, with a message that says how long.
    answer = login(client, "staff_alpha@test.test", password, "203.0.113.10")
    assert answer.status_code == 200
    assert "Wacht 2 seconden" in answer.content.decode()
    assert not logged_in(client)

    clock.advance(2)
    assert login(client, "staff_alpha@test.test", password, "203.0.113.10").status_code == 302
    assert logged_in(client)


def test_the_wait_grows_with_each_further_failure_and_success_resets_it(
    client_for, password, clock
):
    client = client_for("beta")
    waits = []
    for _ in range(8):
        login(client, "parent@test.test", "wrong", "203.0.113.11")
        waits.append(login_throttle.wait_seconds_for(login="parent@test.test", address=None))
        clock.advance(waits[-1])
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16]

    assert login(client, "parent@test.test", password, "203.0.113.11").status_code == 302
    assert login_throttle.wait_seconds_for(login="parent@test.test", address=None) == 0


def test_the_wait_has_a_ceiling(client_for, clock):
    client = client_for("alpha")
    for _ in range(20):  # allauth still refuses a 31st login form within a minute (429)
        clock.advance(login_throttle.wait_seconds_for(login="nobody-ceiling@test.test"))
        login(client, "nobody-ceiling@test.test", "wrong", "203.0.113.12")
    assert login_throttle.wait_seconds_for(login="nobody-ceiling@test.test") == (
        settings.OPVANGLOKET_LOGIN_LONGEST_WAIT
    )


def test_unknown_and_known_accounts_get_the_same_answers(client_for, clock):
    answers = {}
    for email, address in (
        ("parent@test.test", "203.0.113.13"),
        ("ghost@test.test", "203.0.113.14"),
    ):
        client = client_for("gamma")
        texts = []
        for _ in range(6):
            answer = login(client, email, "wrong", address)
            page = CSRF_TOKEN.sub("", answer.content.decode().replace(email, "EMAIL"))
            texts.append((answer.status_code, page))
        answers[email] = texts
    assert answers["parent@test.test"] == answers["ghost@test.test"]
    assert WAIT_MESSAGE_NL in answers["ghost@test.test"][-1][1]


def test_one_attacker_address_does_not_delay_people_at_other_addresses(client_for, password, clock):
    attacker = client_for("alpha")
    for number in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS):
        login(attacker, f"guess{number}@test.test", "wrong", "198.51.100.66")
    # The attacker's address now waits, whichever account it tries...
    refused = login(attacker, "staff_beta@test.test", password, "198.51.100.66")
    assert WAIT_MESSAGE_NL in refused.content.decode()
    assert not logged_in(attacker)
    # ...while everyone else behind the same proxy logs in at once.
    someone = client_for("alpha")
    assert login(someone, "parent@test.test", password, "192.0.2.20").status_code == 302


def test_the_address_is_the_one_the_trusted_proxy_saw(client_for):
    # nginx appends the peer it saw; whatever the client wrote before it is not trusted.
    client = client_for("alpha")
    for number in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS):
        login(client, f"spoof{number}@test.test", "wrong", f"10.9.9.{number}, 203.0.113.15")
    assert login_throttle.wait_seconds_for(address="203.0.113.15") > 0
    assert login_throttle.wait_seconds_for(address="10.9.9.1") == 0


def test_behind_nginx_on_a_unix_socket_the_forwarded_address_counts(client_for):
    # gunicorn bound to a Unix socket gives no peer address; only local processes reach it.
    client = client_for("alpha")
    for number in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS):
        client.post(
            "/account/login/",
            {"login": f"socket{number}@test.test", "password": "wrong"},
            REMOTE_ADDR="",
            HTTP_X_FORWARDED_FOR="203.0.113.70",
        )
    assert login_throttle.wait_seconds_for(address="203.0.113.70") > 0


def test_forwarded_for_from_an_untrusted_peer_is_ignored(client_for):
    client = client_for("alpha")
    for number in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS):
        client.post(
            "/account/login/",
            {"login": f"spray{number}@test.test", "password": "wrong"},
            REMOTE_ADDR="198.51.100.77",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    # Changing the header did not give each attempt a fresh address.
    assert login_throttle.wait_seconds_for(address="198.51.100.77") > 0


def test_the_counters_live_in_the_shared_cache_not_in_process_memory(client_for):
    assert settings.CACHES["default"]["BACKEND"] in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    )
    client = client_for("alpha")
    for _ in range(5):
        login(client, "shared-cache@test.test", "wrong", "203.0.113.16")
    # A new cache connection, as another gunicorn worker or a restarted one has, sees them.
    other_worker = caches.create_connection("default")
    assert login_throttle.wait_seconds_for(login="shared-cache@test.test", cache=other_worker) > 0


def test_repeated_waits_alert_the_operators(client_for, clock, caplog):
    client = client_for("alpha")
    with caplog.at_level(logging.WARNING, logger="opvangloket.security"):
        for _ in range(5 + settings.OPVANGLOKET_LOGIN_ALERT_AFTER):
            login(client, "staff_alpha@test.test", "wrong", "203.0.113.17")
            clock.advance(login_throttle.wait_seconds_for(login="staff_alpha@test.test"))
    records = [record for record in caplog.records if record.name == "opvangloket.security"]
    assert any(record.levelno == logging.WARNING for record in records)
    alerts = [record for record in records if record.levelno >= logging.ERROR]
    assert alerts, "no ERROR record: Sentry would not raise an alert"
    assert alerts[0].client_address == "203.0.113.17"
    # The typed address is personal data: operators get a fingerprint, not the address.
    assert "staff_alpha@test.test" not in alerts[0].getMessage()
    assert "staff_alpha@test.test" not in str(alerts[0].__dict__)


def test_the_wait_message_is_in_the_users_language(client_for, clock):
    client = client_for("alpha")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    for _ in range(5):
        login(client, "parent@test.test", "wrong", "203.0.113.18")
    answer = login(client, "parent@test.test", "wrong", "203.0.113.18")
    assert "Attendez 2 secondes" in answer.content.decode()


# --- The Django admin -------------------------------------------------------------------


def admin_login(client, email, password, address="203.0.113.30"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password, "next": "/admin/"},
        HTTP_X_FORWARDED_FOR=address,
    )


def test_admin_login_is_throttled_like_the_other_logins(client_for, password, clock):
    """It is the same login: the admin's own form is gone (``secure_admin_login``)."""
    client = client_for("localhost")
    to_login = client.get("/admin/")
    assert to_login.status_code == 302
    assert client.get(to_login["Location"])["Location"] == "/account/login/?next=%2Fadmin%2F"
    for _ in range(5):
        assert login(client, "operator@test.test", "wrong", "203.0.113.30").status_code == 200
    refused = login(client, "operator@test.test", password, "203.0.113.30")
    assert "Wacht 2 seconden" in refused.content.decode()
    assert not logged_in(client)
    # Posting to the admin's address checks no password at all.
    assert admin_login(client, "operator@test.test", password).status_code == 302
    assert not logged_in(client)

    clock.advance(2)
    assert login(client, "operator@test.test", password, "203.0.113.30").status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize("host", ["testregio.localhost", "alpha", "audit"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/accounts/user/"])
def test_admin_is_served_on_the_base_domain_only(client_for, host, path):
    assert client_for(host).get(path).status_code == 404


def test_admin_is_not_served_on_a_region_portal_even_to_an_operator(client_for, world):
    client = client_for("testregio.localhost", user=world.users["operator"])
    assert client.get("/admin/").status_code == 404


def test_admin_login_on_a_region_portal_cannot_be_used_to_guess(client_for, password):
    client = client_for("testregio.localhost")
    assert admin_login(client, "operator@test.test", password).status_code == 404


def test_a_spray_of_made_up_logins_does_not_push_out_the_counter_under_attack(clock, rf):
    target = rf.post("/account/login/", REMOTE_ADDR="203.0.113.40")
    for _ in range(5):
        login_throttle.login_failed(target, login="staff_gamma@test.test")
    for number in range(600):
        sprayed = rf.post("/account/login/", REMOTE_ADDR=f"198.51.{number // 250}.{number % 250}")
        login_throttle.login_failed(sprayed, login=f"made-up-{number}@test.test")
    assert login_throttle.wait_seconds_for(login="staff_gamma@test.test") > 0


def test_too_many_login_forms_from_one_address_get_a_page_in_the_users_language(client_for):
    # allauth's own limit (30 login forms a minute per address) answers 429.
    client = client_for("alpha")
    for number in range(30):
        login(client, f"burst{number}@test.test", "wrong", "203.0.113.50")
    answer = login(client, "burst-last@test.test", "wrong", "203.0.113.50")
    assert answer.status_code == 429
    assert "Te veel verzoeken" in answer.content.decode()


def test_the_alert_reaches_sentry_without_the_typed_login(client_for, clock):
    events = []

    def keep(event, hint):
        events.append(event)
        return None  # nothing leaves the machine

    init_sentry(dsn="https://public@sentry.invalid/1", environment="test", before_send=keep)
    try:
        client = client_for("beta")
        for _ in range(5 + settings.OPVANGLOKET_LOGIN_ALERT_AFTER):
            login(client, "staff_beta@test.test", "wrong", "203.0.113.60")
            clock.advance(login_throttle.wait_seconds_for(login="staff_beta@test.test"))
    finally:
        sentry_sdk.init()  # no DSN: reporting off again
    alerts = [event for event in events if event.get("logger") == "opvangloket.security"]
    assert len(alerts) == 1
    assert alerts[0]["level"] == "error"
    assert "staff_beta@test.test" not in json.dumps(alerts[0])


def test_a_password_reset_by_mail_ends_the_accounts_wait(client_for, clock):
    from django.core import mail

    client = client_for("beta")
    for _ in range(6):
        login(client, "provider_beta@test.test", "wrong", "203.0.113.80")
    assert login_throttle.wait_seconds_for(login="provider_beta@test.test") > 0

    with sent_after_commit():
        client.post("/account/password/reset/", {"email": "provider_beta@test.test"})
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    reset_url = client.get(link)["Location"]
    new = "Nieuw-Wachtwoord-81"
    assert client.post(reset_url, {"password1": new, "password2": new}).status_code == 302

    assert (
        login(client_for("beta"), "provider_beta@test.test", new, "192.0.2.81").status_code == 302
    )


# --- A burst of parallel attempts (issue 15: counted with get-then-set, a burst was one) ----


@pytest.fixture(autouse=True)
def _no_allauth_login_limit(request, settings):
    """The burst tests commit (threads): allauth's own 30 logins a minute would add up."""
    if "burst" in request.node.name or "parallel" in request.node.name:
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": None}


def _burst(host: str, attempts: list[tuple[str, str]], address: str) -> list[str]:
    """Post these (login, password) pairs all at once, each thread on its own connection."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection

    from tests.conftest import HostClient

    start = Barrier(len(attempts))

    def attempt(pair: tuple[str, str]) -> str:
        try:
            client = HostClient(host)
            start.wait()
            answer = login(client, pair[0], pair[1], address)
            if answer.status_code == 302:
                return "in"
            assert answer.status_code == 200, answer.status_code
            return "waited" if WAITED.search(answer.content.decode()) else "wrong"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def test_a_burst_of_parallel_wrong_passwords_counts_every_attempt(world, clock, password):
    free = settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT
    email = "provider_alpha@test.test"
    answers = _burst(world.host("alpha"), [(email, "wrong")] * 12, "203.0.113.180")
    # Each attempt was counted before its password was checked: only the free failures had
    # their password checked, the rest of the burst waited.
    assert answers.count("wrong") == free, answers
    assert answers.count("waited") == 12 - free, answers
    stored = caches.create_connection("default").get(login_throttle._account(email).cache_key)
    assert stored["failures"] == free
    # The right password, inside the wait, still waits.
    assert _burst(world.host("alpha"), [(email, password)], "203.0.113.181") == ["waited"]
    clock.advance(login_throttle.wait_seconds_for(login=email))
    assert _burst(world.host("alpha"), [(email, password)], "203.0.113.181") == ["in"]
    assert login_throttle.wait_seconds_for(login=email) == 0


def test_a_burst_of_made_up_logins_from_one_address_counts_every_attempt(world, clock):
    free = settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS
    attempts = [(f"burst{number}@test.test", "wrong") for number in range(free + 8)]
    answers = _burst(world.host("beta"), attempts, "203.0.113.190")
    assert answers.count("wrong") == free, answers
    assert answers.count("waited") == 8, answers
    assert login_throttle.wait_seconds_for(address="203.0.113.190") > 0


def test_parallel_right_passwords_give_their_reservation_back(world, password, clock):
    # People of one office (one address) logging in at once: successes are not failures.
    emails = ["staff_beta@test.test", "provider_beta@test.test", "parent@test.test"]
    free = settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS
    # More successes than the address's free failures (allauth allows 30 logins a minute).
    for _round in range(free // len(emails) + 1):
        answers = _burst(world.host("beta"), [(email, password) for email in emails], "192.0.2.99")
        assert answers == ["in"] * len(emails)
    assert login_throttle.wait_seconds_for(address="192.0.2.99") == 0
    stored = caches.create_connection("default").get(
        login_throttle._address("192.0.2.99").cache_key
    )
    assert not stored or stored["failures"] == 0
