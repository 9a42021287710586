"""Production headers on every page: a Content-Security-Policy that the pages keep to,
a Permissions-Policy, and ``Cache-Control: no-store`` where a page holds personal data."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize(
    ("host", "path"),
    [("alpha", "/"), ("testregio.localhost", "/"), ("localhost", "/admin/login/")],
)
def test_pages_carry_a_content_security_policy_without_inline_code(client_for, host, path):
    policy = directives(client_for(host).get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    # A form injected into a page cannot send what is typed to another site.
    assert policy["form-action"] == ["'self'"]


def test_pages_deny_powerful_browser_features(client_for):
    header = client_for("alpha").get("/").headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header


def test_security_keys_are_allowed_on_our_own_pages_only(client_for):
    """Staff's second factor (WebAuthn): our pages may ask for a key, no frame of another
    site may."""
    header = client_for("alpha").get("/account/login/").headers.get("Permissions-Policy", "")
    features = dict(part.strip().split("=", 1) for part in header.split(","))
    assert features["publickey-credentials-create"] == "(self)"
    assert features["publickey-credentials-get"] == "(self)"


INLINE_STYLE = re.compile(r"<[^>]+\sstyle=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>")


@pytest.mark.parametrize(
    ("host", "user", "path"),
    [
        ("alpha", None, "/"),
        ("alpha", "staff_alpha", "/beheer/"),
        ("alpha", "staff_alpha", "/beheer/cijfers/overzicht/"),
        ("testregio.localhost", "coordinator", "/cijfers/"),
        ("testregio.localhost", "parent", "/mijn-aanvragen/"),
        ("alpha", "staff_alpha", "/account/2fa/setup/"),
        # Not the admin: django-tenants' app list (on every admin page) sets
        # style="width: 100%" on its tables; the policy ignores it and nothing else breaks.
    ],
)
def test_pages_hold_no_inline_style_or_script_the_policy_would_block(client_for, host, user, path):
    page = client_for(host, user=user).get(path).content.decode()
    assert not INLINE_STYLE.search(page), INLINE_STYLE.search(page)
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page)


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("host", "user", "path"),
    [
        ("alpha", "parent", "/"),  # any page for a logged-in person
        ("alpha", "staff_alpha", "/beheer/"),
        ("alpha", "staff_alpha", "/beheer/aanvragen/"),
        ("alpha", "staff_alpha", "/beheer/cijfers/export.csv"),
        ("alpha", "staff_alpha", "/api/v1/requests/"),
        ("alpha", None, "/api/v1/me/"),
        ("testregio.localhost", "parent", "/mijn-aanvragen/"),
        ("testregio.localhost", "parent", "/api/v1/my/requests/"),
        ("localhost", "operator", "/admin/"),
    ],
)
def test_pages_with_personal_data_are_never_stored(client_for, host, user, path):
    response = client_for(host, user=user).get(path)
    assert response.status_code in (200, 302, 403), response.status_code
    assert no_store(response), response.headers.get("Cache-Control")


def test_the_public_catalogue_may_still_be_cached_by_the_browser(client_for):
    assert not no_store(client_for("alpha").get("/"))
