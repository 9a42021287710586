"""Which host shows what: platform root, region portal, loket home, unknown host."""

import pytest

pytestmark = pytest.mark.django_db


def test_loket_home_shows_its_name_municipalities_contact_and_hours(client_for):
    response = client_for("alpha").get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Loket Alpha" in page
    assert "Herent" in page
    assert "016 00 00 00" in page
    assert "Maandag 9:00-12:00" in page


def test_intermunicipal_loket_lists_its_three_municipalities(client_for):
    page = client_for("gamma").get("/").content.decode()
    for name in ("Glabbeek", "Kortenaken", "Linter"):
        assert name in page


def test_portal_shows_the_region_with_its_lokets_and_links(client_for, world):
    response = client_for(world.region.domain).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Testregio" in page
    for name in ("Loket Alpha", "Loket Beta", "Loket Gamma"):
        assert name in page
    assert 'href="http://alpha.localhost/"' in page
    # The auditor tenant is not a loket for parents.
    assert "Audit" not in page.split("<main", 1)[1]


def test_platform_root_lists_regions(client_for):
    response = client_for("localhost").get("/")
    assert response.status_code == 200
    assert "Testregio" in response.content.decode()
    assert 'href="http://testregio.localhost/"' in response.content.decode()


def test_unknown_host_answers_a_clear_404_page(client_for):
    response = client_for("nope.localhost").get("/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "nope.localhost" in page
    assert 'lang="nl"' in page


def test_unknown_host_404_also_for_api_paths(client_for):
    assert client_for("nope.localhost").get("/api/v1/loket/").status_code == 404


def test_host_outside_allowed_hosts_is_refused(client_for):
    response = client_for("evil.example.com").get("/")
    assert response.status_code in (400, 404)


def test_healthz_checks_the_database_on_any_host(client_for):
    for host in ("alpha", "localhost", "nope.localhost"):
        response = client_for(host).get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
