"""A loket served the production way: gunicorn with deploy/gunicorn.conf.py, hashed static files.

These tests talk HTTP to a real gunicorn (the session's ``served_site``), connecting to
127.0.0.1 and naming the loket in the Host header, as nginx does in production.
"""

from __future__ import annotations

import json
import re
import time

import pytest

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
