"""The staff navigation shows each role its pages, and only those: every link opens."""

from __future__ import annotations

import re
from contextlib import suppress

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from opvangloket.auditor_db import AUDITOR_ALIAS
from opvangloket.staff_nav import STAFF_NAV

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
# Loket staff's own pages: a provider must never be shown one of them.
LOKET_STAFF_ONLY = {
    "/beheer/aanvragen/",
    "/beheer/aanvraag/nieuw/",
    "/beheer/kind-zoeken/",
    "/beheer/dubbels/",
    "/beheer/signalen/",
    "/beheer/opvang/organisatoren/",
    "/beheer/wachtlijst/achterstand/",
    "/beheer/rondes/",
    "/beheer/cijfers/",
    "/beheer/audit/",
    "/beheer/gegevens/",
    "/beheer/export/",
}


def nav_links(page: str) -> list[tuple[str, str]]:
    """(href, aria-current) of each link in the staff navigation of ``page``."""
    found = re.search(r'<nav class="staff-nav[^"]*".*?</nav>', page, re.S)
    if found is None:
        return []
    return re.findall(r'<a href="([^"]+)"(?: aria-current="(\w+)")?>', found.group(0))


def hrefs(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200
    return {href for href, _current in nav_links(response.content.decode())}


def test_every_item_is_a_page_that_says_what_it_asks_for():
    served = set()
    for urlconf in ("opvangloket.urls_tenant", "opvangloket.urls_public"):
        for group in STAFF_NAV:
            for item in group.items:
                with suppress(NoReverseMatch):  # not served on this kind of host
                    path = reverse(item.url_name, urlconf=urlconf)
                    assert resolve(path, urlconf=urlconf).func.required_access, item.url_name
                    served.add(item.url_name)
    assert served == {item.url_name for group in STAFF_NAV for item in group.items}


def test_loket_staff_see_the_loket_pages_and_each_opens(client_for):
    client = client_for("alpha", user="staff_alpha")
    links = hrefs(client, "/beheer/")
    assert {"/beheer/", "/beheer/aanvragen/", "/beheer/dubbels/", "/beheer/signalen/"} <= links
    assert {"/beheer/opvang/", "/beheer/wachtlijst/", "/beheer/plaatsingen/"} <= links
    assert {"/beheer/wachtlijst/achterstand/", "/beheer/cijfers/", "/beheer/audit/"} <= links
    assert "/controle/" not in links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_provider_staff_see_their_pages_only_and_each_opens(client_for):
    client = client_for("alpha", user="provider_alpha")
    links = hrefs(client, "/beheer/")
    assert links == {"/beheer/", "/beheer/opvang/", "/beheer/wachtlijst/", "/beheer/plaatsingen/"}
    assert not links & LOKET_STAFF_ONLY
    for href in links:
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])
def test_the_auditor_sees_the_audit_pages_on_the_auditor_host(client_for):
    client = client_for("audit", user="auditor")
    links = hrefs(client, "/beheer/")
    assert links == {"/beheer/", "/controle/"}
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_region_coordinator_finds_the_figures_on_the_portal(client_for):
    client = client_for(PORTAL, user="coordinator")
    links = hrefs(client, "/cijfers/")
    assert links == {"/cijfers/", "/coordinatie/team/", "/beheer/huisstijl/"}
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_current_page_is_marked_and_a_page_below_its_section(client_for):
    client = client_for("alpha", user="staff_alpha")
    current = dict(nav_links(client.get("/beheer/aanvragen/").content.decode()))
    assert current["/beheer/aanvragen/"] == "page"
    assert [href for href, mark in current.items() if mark] == ["/beheer/aanvragen/"]
    below = dict(nav_links(client.get("/beheer/cijfers/overzicht/").content.decode()))
    assert below["/beheer/cijfers/"] == "true"


@pytest.mark.parametrize(("host", "user"), [("alpha", "parent"), ("alpha", None), (PORTAL, None)])
def test_parents_pages_have_no_staff_navigation(client_for, host, user):
    client = client_for(host, user=user)
    assert nav_links(client.get("/").content.decode()) == []
    if user:
        assert nav_links(client.get("/mijn-aanvragen/").content.decode()) == []


@pytest.mark.parametrize(
    ("host", "user", "shown", "not_shown"),
    [
        ("alpha", "staff_alpha", "Huisstijl van het loket", "Huisstijl van het portaal"),
        (PORTAL, "coordinator", "Huisstijl van het portaal", "Huisstijl van het loket"),
    ],
)
def test_a_page_with_a_name_per_kind_of_host_is_named_once_for_this_host(
    client_for, host, user, shown, not_shown
):
    page = client_for(host, user=user).get("/beheer/huisstijl/").content.decode()
    nav = re.search(r'<nav class="staff-nav[^"]*".*?</nav>', page, re.S).group(0)
    assert nav.count(shown) == 1
    assert not_shown not in nav
