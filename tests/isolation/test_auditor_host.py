"""The auditor host shows only what auditors use: no parents' pages, no writes, no empty parts.

Opgroeien's auditors read every loket from the auditor tenant's host. Parents do not
register or follow requests there, so the wizard, "Mijn aanvragen" and the parents' API
are not there (404 for pages, a refusal from the API, never a 500), the header does
not offer them, and the auditors' pages are read-only: a write method is not allowed.
"""

from __future__ import annotations

import re

import pytest

from opvangloket.auditor_db import AUDITOR_ALIAS

pytestmark = pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])

PARENT_PAGES = ["/mijn-aanvragen/", "/aanvraag/nieuw/", "/aanvraag/ingediend/"]
PARENT_API = ["/api/v1/my/requests/", "/api/v1/my/children/"]
AUDITOR_PAGES = ["/controle/", "/controle/alpha/aanvragen/", "/controle/alpha/audit/"]


@pytest.mark.parametrize("user", ["auditor", "parent", None])
@pytest.mark.parametrize("path", PARENT_PAGES)
def test_parents_pages_are_not_there_on_the_auditor_host(client_for, user, path):
    assert client_for("audit", user=user).get(path).status_code == 404


@pytest.mark.parametrize("user", ["auditor", "parent"])
@pytest.mark.parametrize("path", PARENT_API)
def test_the_parents_api_refuses_on_the_auditor_host(client_for, user, path):
    client = client_for("audit", user=user)
    assert client.get(path).status_code == 403
    assert client.post(path, {}, content_type="application/json").status_code in (403, 405)


def test_the_parents_pages_stay_on_a_lokets_host(client_for):
    assert client_for("alpha", user="parent").get("/mijn-aanvragen/").status_code == 200
    assert client_for("alpha", user="parent").get("/api/v1/my/requests/").status_code == 200


@pytest.mark.parametrize("user", ["auditor", None])
def test_the_auditor_hosts_header_offers_no_parents_pages_nor_an_account(client_for, user):
    page = client_for("audit", user=user).get("/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    for path in ("/mijn-aanvragen/", "/aanvraag/nieuw/", "/account/signup/"):
        assert f'href="{path}"' not in page, path
    if user == "auditor":
        assert 'href="/controle/"' in header


def test_a_lokets_header_still_offers_them(client_for):
    page = client_for("alpha").get("/").content.decode()
    assert 'href="/account/signup/"' in page
    assert 'href="/aanvraag/nieuw/"' in page


def _empty_sections(page: str) -> list[str]:
    """Headings of sections whose content, tags stripped, is empty."""
    empty = []
    for section in re.findall(r"<section[^>]*>(.*?)</section>", page, re.S):
        heading = re.search(r"<h[1-6][^>]*>(.*?)</h[1-6]>", section, re.S)
        rest = section[heading.end() :] if heading else section
        if not re.sub(r"<[^>]+>", "", rest).strip():
            empty.append(heading.group(1) if heading else section)
    return empty


@pytest.mark.parametrize("user", ["auditor", None])
def test_the_auditor_home_has_no_empty_heading(client_for, world, user):
    audit = world.lokets["audit"]
    audit.address = audit.phone = audit.email = audit.website = audit.opening_hours = ""
    audit.save()
    page = client_for("audit", user=user).get("/").content.decode()
    assert _empty_sections(page) == []
    assert ">Contact<" not in page


@pytest.mark.parametrize("path", AUDITOR_PAGES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_auditor_pages_do_not_allow_writing_methods(client_for, world, path, method):
    response = getattr(client_for("audit", user="auditor"), method)(path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


# Every page an auditor reaches on the auditor host, read through the minimal role.
AUDITOR_HOST_PAGES = [
    "/",
    "/beheer/",
    *AUDITOR_PAGES,
    "/controle/gamma/audit/?reference=GAM-2026-00001&actor=staff&day_from=2026-01-01",
    "/controle/beta/aanvragen/?status=in_review",
    "/opvang/",
    "/api/v1/me/",
    "/api/v1/loket/",
    "/account/email/",
    "/account/password/change/",
]


@pytest.mark.parametrize("path", AUDITOR_HOST_PAGES)
def test_every_page_an_auditor_opens_works_with_the_minimal_role(client_for, path):
    response = client_for("audit", user="auditor").get(path)
    assert response.status_code == 200, path


@pytest.mark.parametrize("path", ["/", "/beheer/"])
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_auditor_hosts_home_and_staff_home_are_read_only_too(client_for, path, method):
    response = getattr(client_for("audit", user="auditor"), method)(path)
    assert response.status_code == 405


def test_no_one_signs_up_on_the_auditor_host(client_for):
    client = client_for("audit", user=None)
    closed = client.get("/account/signup/")
    assert closed.status_code == 200
    assert 'name="password1"' not in closed.content.decode()
    client.post(
        "/account/signup/",
        {
            "email": "nieuw@example.be",
            "password1": "Lang-genoeg-2026!",
            "password2": "Lang-genoeg-2026!",
        },
    )
    from shared.accounts.models import User

    assert not User.objects.filter(email="nieuw@example.be").exists()
    # On a loket's host the form is there.
    assert (
        'name="password1"'
        in client_for("alpha", user=None).get("/account/signup/").content.decode()
    )
