"""The cross-loket matrix: a role counts only in its own loket, whatever host or URL is used."""

import pytest

from opvangloket.auditor_db import AUDITOR_ALIAS

pytestmark = pytest.mark.django_db

LOKETS = ("alpha", "beta", "gamma")


@pytest.mark.parametrize("home", LOKETS)
@pytest.mark.parametrize("visited", LOKETS)
@pytest.mark.parametrize("role", ["staff", "provider"])
def test_staff_area_opens_only_in_the_users_own_loket(client_for, home, visited, role):
    client = client_for(visited, user=f"{role}_{home}")
    response = client.get("/beheer/")
    if home == visited:
        assert response.status_code == 200
        assert f"{role.title()}_{home.title()}" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("user", ["parent", "coordinator", "auditor", "operator"])
def test_users_without_a_role_in_the_loket_are_refused_its_staff_area(client_for, user):
    assert client_for("alpha", user=user).get("/beheer/").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client_for):
    response = client_for("alpha").get("/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_staff_area_lists_only_the_team_of_its_own_loket(client_for):
    page = client_for("alpha", user="staff_alpha").get("/beheer/").content.decode()
    assert "staff_alpha@test.test" in page
    assert "provider_alpha@test.test" in page
    assert "staff_beta@test.test" not in page
    assert "provider_gamma@test.test" not in page


@pytest.mark.parametrize(
    ("user", "status"),
    [("staff_alpha", 200), ("provider_alpha", 403), ("staff_beta", 403), ("parent", 403)],
)
def test_only_loket_staff_of_the_loket_may_edit_its_contact_details(client_for, user, status):
    assert client_for("alpha", user=user).get("/beheer/gegevens/").status_code == status


def test_staff_of_another_loket_cannot_change_contact_details_by_posting(client_for, world):
    response = client_for("alpha", user="staff_beta").post(
        "/beheer/gegevens/", {"phone": "0000", "address": "hacked"}
    )
    assert response.status_code == 403
    world.lokets["alpha"].refresh_from_db()
    assert world.lokets["alpha"].address != "hacked"


@pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])  # the auditor's start page
def test_auditor_tenant_is_not_writable_by_loket_staff(client_for):
    assert client_for("audit", user="staff_alpha").get("/beheer/").status_code == 403
    assert client_for("audit", user="auditor").get("/beheer/").status_code == 200


def test_the_staff_link_shows_only_to_people_with_a_role_in_this_loket(client_for):
    assert 'href="/beheer/"' in client_for("alpha", user="staff_alpha").get("/").content.decode()
    assert 'href="/beheer/"' not in client_for("alpha", user="parent").get("/").content.decode()
    assert 'href="/beheer/"' not in client_for("alpha", user="staff_beta").get("/").content.decode()
