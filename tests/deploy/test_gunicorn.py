"""A loket served the production way: gunicorn with deploy/gunicorn.conf.py, hashed static files.

These tests talk HTTP to a real gunicorn (the session's ``served_site``), connecting to
127.0.0.1 and naming the loket in the Host header, as nginx does in production.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.conf import settings

from shared.accounts.models import User
from tests.support.browser import passwords_for_the_server

pytestmark = pytest.mark.usefixtures("served_site")

STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)">')


def test_loket_home_is_served_with_its_name(served_site):
    response = served_site.get("alpha.localhost", "/")
    assert response.status == 200
    assert response.header("content-type").startswith("text/html")
    assert "<h1>Loket Alpha</h1>" in response.text
    assert "Herent" in response.text


def test_each_loket_host_shows_its_own_loket(served_site):
    page = served_site.get("beta.localhost", "/").text
    assert "<h1>Loket Beta</h1>" in page
    assert "Tienen" in page
    assert "Loket Alpha" not in page


def test_stylesheet_link_points_to_a_served_hashed_file(served_site):
    page = served_site.get("alpha.localhost", "/").text
    match = STYLESHEET.search(page)
    assert match is not None, "no stylesheet link in the page"
    href = match["href"]
    # The manifest storage names the file after its content: site.<12 hex>.css.
    assert re.fullmatch(r"/static/opvangloket/site\.[0-9a-f]{12}\.css", href), href

    response = served_site.get("alpha.localhost", href)
    assert response.status == 200
    assert response.header("content-type").startswith("text/css")
    assert b"skip-link" in response.body
    # WhiteNoise knows the name is hashed, so browsers may keep it for good.
    assert "immutable" in response.header("cache-control")


def test_stylesheet_is_sent_compressed_when_the_browser_accepts_it(served_site):
    href = STYLESHEET.search(served_site.get("alpha.localhost", "/").text)["href"]
    response = served_site.get("alpha.localhost", href, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("content-encoding") == "gzip"


def test_unhashed_static_name_is_not_served(served_site):
    # Only collected files are served, by their hashed names; the original name is
    # collected too, so it exists, but it must not be cached forever.
    response = served_site.get("alpha.localhost", "/static/opvangloket/site.css")
    assert response.status == 200
    assert "immutable" not in (response.header("cache-control") or "")


def test_healthz_reports_the_database(served_site):
    for host in ("localhost", "alpha.localhost", "nope.localhost"):
        response = served_site.get(host, "/healthz")
        assert response.status == 200, host
        assert response.header("content-type") == "application/json"
        assert json.loads(response.body) == {"status": "ok", "database": "ok"}


def test_unknown_host_answers_404(served_site):
    response = served_site.get("nope.localhost", "/")
    assert response.status == 404
    assert "nope.localhost" in response.text
    assert "Loket Alpha" not in response.text


def test_host_outside_the_base_domain_gets_no_loket(served_site):
    response = served_site.get("evil.example.com", "/")
    # Refused (ALLOWED_HOSTS) or the unknown-host page; never a loket's page.
    assert response.status in (400, 404)
    for name in ("Loket Alpha", "Loket Beta", "Loket Gamma"):
        assert name not in response.text


def test_forwarded_proto_https_from_the_proxy_makes_django_see_https(served_site):
    # The loket home links to its region's portal with the scheme and port of the request.
    plain = served_site.get("alpha.localhost", "/").text
    assert f'href="http://testregio.localhost:{served_site.port}/"' in plain

    secure = served_site.get("alpha.localhost", "/", headers={"X-Forwarded-Proto": "https"}).text
    assert f'href="https://testregio.localhost:{served_site.port}/"' in secure
    assert "http://testregio.localhost" not in secure


def test_each_request_is_logged_as_one_json_line(served_site):
    path = "/?log-probe"
    served_site.get("alpha.localhost", path)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in served_site.log_path.read_text().splitlines():
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            if event.get("logger") == "opvangloket.request" and event.get("loket") == "alpha":
                assert event["status"] == 200
                assert event["method"] == "GET"
                return
        time.sleep(0.1)
    pytest.fail(f"no request line for loket alpha in {served_site.log_path}")


# --- Production headers (issue 15) ------------------------------------------------------

HTTPS = {"X-Forwarded-Proto": "https"}


def test_pages_carry_the_production_security_headers(served_site):
    response = served_site.get("alpha.localhost", "/", headers=HTTPS)
    assert response.status == 200
    policy = response.header("content-security-policy") or ""
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "geolocation=()" in (response.header("permissions-policy") or "")
    hsts = response.header("strict-transport-security") or ""
    assert re.search(r"max-age=(\d+)", hsts), hsts
    assert int(re.search(r"max-age=(\d+)", hsts)[1]) >= 31_536_000
    assert "includeSubDomains" in hsts
    # Exactly one of each: nginx no longer adds a second HSTS or referrer header.
    names = [name.lower() for name, _value in response.raw_headers]
    assert names.count("strict-transport-security") == 1
    assert names.count("referrer-policy") == 1


def test_api_answers_and_staff_pages_are_never_stored(served_site):
    for host, path in (
        ("alpha.localhost", "/api/v1/me/"),
        ("alpha.localhost", "/beheer/"),
        ("testregio.localhost", "/mijn-aanvragen/"),
    ):
        response = served_site.get(host, path, headers=HTTPS)
        assert "no-store" in (response.header("cache-control") or ""), (host, path)


def test_healthz_answers_plain_http_for_the_load_balancer(served_site):
    # SECURE_SSL_REDIRECT sends browsers to https, but never the health check.
    response = served_site.get("localhost", "/healthz")
    assert response.status == 200


# --- Login throttling behind the proxy (issue 15) ---------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')


def log_in(served_site, host, email, password, *, address):
    """Post the login form as a browser at ``address`` would, through nginx (the header)."""
    headers = {"X-Forwarded-For": address}
    form = served_site.get(host, "/account/login/", headers=headers)
    cookies = {}
    for name, value in form.raw_headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            cookies[key] = rest.split(";", 1)[0]
    token = CSRF_FIELD.search(form.text)["token"]
    return served_site.post(
        host,
        "/account/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": password},
        headers={**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )


THROTTLED = ("provider_gamma@test.test", "other_parent@test.test")


@pytest.fixture(scope="module")
def server_passwords(django_db_setup, django_db_blocker):
    """The accounts of these tests can log in on the served site (committed PBKDF2 hashes)."""
    with (
        django_db_blocker.unblock(),
        passwords_for_the_server(list(User.objects.filter(email__in=THROTTLED))),
    ):
        yield


def test_one_address_failing_behind_the_proxy_does_not_lock_out_the_others(
    served_site, server_passwords, password
):
    for number in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ADDRESS):
        log_in(
            served_site,
            "gamma.localhost",
            f"x{number}@test.test",
            "wrong",
            address="198.51.100.201",
        )
    refused = log_in(
        served_site,
        "gamma.localhost",
        "provider_gamma@test.test",
        password,
        address="198.51.100.201",
    )
    assert refused.status == 200
    assert re.search(r"Wacht \d+ seconden?", refused.text)
    # Someone else, through the same nginx (same peer 127.0.0.1), logs in at once.
    welcome = log_in(
        served_site,
        "gamma.localhost",
        "provider_gamma@test.test",
        password,
        address="198.51.100.202",
    )
    assert welcome.status == 302


def test_failures_count_across_gunicorn_workers_with_a_short_wait(
    served_site, server_passwords, password
):
    email = "other_parent@test.test"
    for attempt in range(5):
        answer = log_in(
            served_site,
            "beta.localhost",
            email,
            "wrong",
            address=f"203.0.113.{100 + attempt}",
        )
        assert answer.status == 200
    # Five failures, served by whichever of the two workers: the account waits.
    refused = log_in(served_site, "beta.localhost", email, password, address="203.0.113.110")
    assert "Wacht 2 seconden" in refused.text
    time.sleep(2.2)
    # Seconds, not five minutes; and the success clears the account's count.
    welcome = log_in(served_site, "beta.localhost", email, password, address="203.0.113.110")
    assert welcome.status == 302
