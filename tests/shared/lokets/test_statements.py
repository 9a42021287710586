"""The privacy and accessibility statements on every host, and the privacy facts as JSON.

A loket's host names that loket as the controller, with its contact and its retention
period; a region's portal names every loket of the region (one registration goes to
several); the auditor's host and the platform's root name none.
"""

from __future__ import annotations

import pytest

from shared.lokets.services import loket_update_retention

pytestmark = pytest.mark.django_db


def test_a_lokets_privacy_statement_names_it_its_contact_and_its_retention(client_for, world):
    loket_update_retention(loket=world.lokets["alpha"], personal_data_retention_months=36)
    page = client_for("alpha").get("/privacy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Privacyverklaring" in text
    assert "Loket Alpha" in text and "alpha@loket.test" in text and "Herent" in text
    assert "Loket Beta" not in text
    assert "36 maanden" in text
    english = client_for("alpha")
    english.cookies["django_language"] = "en"
    page = english.get("/privacy/").content.decode()
    # Signals about a location follow the same setting (``tenants.signals.retention``).
    assert "A signal at Loket Alpha" in page and "36 months after it was recorded" in page
    # Where a parent exercises their rights.
    assert 'href="/mijn-aanvragen/mijn-gegevens/"' in text
    assert "Vlaamse Toezichtcommissie" in text


def test_a_regions_portal_names_every_loket_of_the_region(client_for, world):
    text = client_for(world.region.domain).get("/privacy/").content.decode()
    for name in ("Loket Alpha", "Loket Beta", "Loket Gamma"):
        assert name in text
    assert "Audit" not in text.split("<main", 1)[1]


@pytest.mark.parametrize("host", ["audit", "localhost"])
def test_hosts_without_requests_name_no_controller(client_for, host):
    page = client_for(host).get("/privacy/")
    assert page.status_code == 200
    assert "Loket Alpha" not in page.content.decode()


def test_the_accessibility_statement_says_what_is_not_accessible_and_whom_to_tell(client_for):
    page = client_for("alpha").get("/toegankelijkheid/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Toegankelijkheidsverklaring" in text
    assert "WCAG" in text and "alpha@loket.test" in text
    assert "Vlaamse Ombudsdienst" in text
    assert "02/12/2026" in text


def test_the_statements_speak_french_and_english(client_for):
    client = client_for("alpha")
    client.cookies["django_language"] = "fr"
    assert "Déclaration de confidentialité" in client.get("/privacy/").content.decode()
    assert "Déclaration d'accessibilité" in client.get("/toegankelijkheid/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Privacy statement" in client.get("/privacy/").content.decode()


def test_the_privacy_facts_as_json(client_for):
    answer = client_for("alpha").get("/api/v1/privacy/")
    assert answer.status_code == 200
    (controller,) = answer.json()["controllers"]
    assert controller["name"] == "Loket Alpha"
    assert controller["retention_months"] == 24
    assert controller["municipalities"] == ["Herent"]


def test_the_statements_do_not_accept_writes(client_for):
    assert client_for("alpha").post("/privacy/").status_code == 405


@pytest.mark.parametrize("host", ["alpha", "testregio.localhost", "localhost", "audit"])
def test_the_privacy_statement_links_only_to_pages_of_the_host_in_use(client_for, world, host):
    import re

    text = client_for(host).get("/privacy/").content.decode()
    main = text.split("<main", 1)[1]
    parent = client_for(host, user="parent")
    for path in set(re.findall(r'href="(/[^"#?]*)', main)):
        assert parent.get(path).status_code in (200, 302), (host, path)
    if host == "audit":
        assert "/mijn-aanvragen/mijn-gegevens/" not in main


@pytest.mark.parametrize("host", ["localhost", "testregio.localhost", "audit"])
def test_the_accessibility_statement_gives_no_address_made_from_the_host(
    client_for, settings, host
):
    text = client_for(host).get("/toegankelijkheid/").content.decode()
    assert "@localhost" not in text and "privacy@" not in text
    settings.OPVANGLOKET_PLATFORM_CONTACT = "toegankelijkheid@opvangloket.example"
    text = client_for(host).get("/toegankelijkheid/").content.decode()
    assert 'href="mailto:toegankelijkheid@opvangloket.example"' in text
