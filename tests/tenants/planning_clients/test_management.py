"""Loket staff register, list and revoke planning software, on the page and through the
API; no one else may, not provider staff, parents or another loket's staff."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from shared.accounts.models import Membership
from tenants.planning_clients.models import PlanningClient
from tests.support.providers import api, make_location

pytestmark = pytest.mark.django_db

REFUSED = ["provider_alpha", "parent", "staff_beta", "coordinator", "auditor"]


def clients_of(world, slug="alpha") -> list[PlanningClient]:
    with tenant_context(world.lokets[slug]):
        return list(PlanningClient.objects.order_by("id"))


def test_loket_staff_register_software_and_see_its_secret_once(client_for, world):
    location = make_location(world.lokets["alpha"], name="Kinderdagverblijf Koppeling")
    staff = client_for("alpha", "staff_alpha")
    assert staff.get("/beheer/koppelingen/").status_code == 200
    created = staff.post(
        "/beheer/koppelingen/",
        {
            "name": "Kidsplan",
            "kind": "provider",
            "scopes": ["read_waiting_lists", "answer_choices"],
            "locations": [location.pk],
        },
    )
    assert created.status_code == 201, created.content
    secret = created.context["secret"]
    assert secret and secret in created.content.decode()
    (client,) = clients_of(world)
    assert client.application.client_secret != secret  # kept hashed
    listed = staff.get("/beheer/koppelingen/").content.decode()
    assert "Kidsplan" in listed and client.client_id in listed and secret not in listed
    assert "Kinderdagverblijf Koppeling" in listed
    roles = set(Membership.objects.filter(user=client.user).values_list("loket__slug", "role"))
    assert roles == {("alpha", "provider_staff")}
    assert not client.user.has_usable_password()

    revoked = staff.post(f"/beheer/koppelingen/{client.pk}/intrekken/")
    assert revoked.status_code == 302
    (client,) = clients_of(world)
    assert client.is_revoked and client.application is None
    assert not Membership.objects.filter(user=client.user).exists()


def test_provider_software_needs_locations_and_no_figures(client_for, world):
    staff = client_for("alpha", "staff_alpha")
    refused = staff.post(
        "/beheer/koppelingen/",
        {"name": "Kidsplan", "kind": "provider", "scopes": ["read_figures"]},
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"scopes", "locations"}
    assert clients_of(world) == []


@pytest.mark.parametrize("user", REFUSED)
def test_no_one_else_opens_the_page(client_for, world, user):
    response = client_for("alpha", user).get("/beheer/koppelingen/")
    assert response.status_code == 403
    posted = client_for("alpha", user).post(
        "/beheer/koppelingen/",
        {"name": "X", "kind": "loket", "scopes": ["read_figures"]},
    )
    assert posted.status_code == 403
    assert clients_of(world) == []


def test_the_page_is_not_on_the_auditor_host_nor_public_hosts(client_for, world):
    assert client_for("audit", "auditor").get("/beheer/koppelingen/").status_code == 404
    assert client_for(world.region.domain).get("/beheer/koppelingen/").status_code == 404
    assert client_for("alpha").get("/beheer/koppelingen/").status_code == 302  # to login


def test_loket_staff_register_and_revoke_through_the_api(client_for, world):
    location = make_location(world.lokets["alpha"])
    staff = client_for("alpha", "staff_alpha")
    created = api(
        staff,
        "post",
        "/api/v1/planning-clients/",
        {
            "name": "Kidsplan API",
            "kind": "provider",
            "scopes": ["update_free_places"],
            "locations": [location.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["client_secret"] and body["locations"] == [location.pk]
    listed = staff.get("/api/v1/planning-clients/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "client_secret" not in listed[0]
    revoked = staff.post(f"/api/v1/planning-clients/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["is_revoked"] is True
    assert revoked.json()["locations"] == []


def test_the_api_refuses_unknown_locations(client_for, world):
    created = api(
        client_for("alpha", "staff_alpha"),
        "post",
        "/api/v1/planning-clients/",
        {"name": "K", "kind": "provider", "scopes": ["read_waiting_lists"], "locations": [10**9]},
    )
    assert created.status_code == 400 and "locations" in created.json()


@pytest.mark.parametrize("user", REFUSED)
def test_the_api_refuses_everyone_else(client_for, world, user):
    client = client_for("alpha", user)
    assert client.get("/api/v1/planning-clients/").status_code == 403
    created = api(
        client,
        "post",
        "/api/v1/planning-clients/",
        {"name": "K", "kind": "loket", "scopes": ["read_figures"]},
    )
    assert created.status_code == 403
    assert clients_of(world) == []


def test_another_lokets_staff_cannot_revoke_a_client(client_for, world):
    staff = client_for("alpha", "staff_alpha")
    body = api(
        staff,
        "post",
        "/api/v1/planning-clients/",
        {"name": "K", "kind": "loket", "scopes": ["read_figures"]},
    ).json()
    other = client_for("beta", "staff_beta")
    assert other.post(f"/api/v1/planning-clients/{body['id']}/revoke/").status_code in (403, 404)
    assert (
        client_for("alpha", "staff_beta")
        .post(f"/api/v1/planning-clients/{body['id']}/revoke/")
        .status_code
        == 403
    )
    assert not clients_of(world)[0].is_revoked


def test_the_team_lists_people_not_the_accounts_of_planning_software(client_for, world):
    staff = client_for("alpha", "staff_alpha")
    created = staff.post(
        "/beheer/koppelingen/", {"name": "Kidsplan", "kind": "loket", "scopes": ["read_figures"]}
    )
    assert created.status_code == 201, created.content
    (client,) = clients_of(world)
    membership = Membership.objects.get(user=client.user)
    for page in ("/beheer/team/", "/beheer/"):
        shown = staff.get(page).content.decode()
        assert "staff_alpha@test.test" in shown
        assert client.user.email not in shown, page
    listed = staff.get("/api/v1/team/").json()
    assert client.user.email not in str(listed)
    # Its role ends where it was given, by revoking the software, not from the team.
    assert staff.post(f"/beheer/team/{membership.pk}/beeindigen/").status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()
