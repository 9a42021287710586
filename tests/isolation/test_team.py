"""Cross-loket matrix for the team pages and API: who may see a team, invite, resend,
cancel, end a role or grant locations, on which host; attacks leave everything as it was.

Loket staff manage their own loket's team on its own host only; provider staff, parents,
another loket's staff and coordinators are refused; a region's coordinators manage its
coordinators on its portal only.
"""

from __future__ import annotations

import pytest

from shared.accounts import invitations
from shared.accounts.models import Invitation, Membership
from shared.accounts.services import membership_grant, user_ensure
from tests.support.providers import api
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/beheer/team/"
API = "/api/v1/team/"
INVITE_API = "/api/v1/team/invitations/"


def answer_of(response) -> str:
    if response.status_code in (301, 302) and "/account/login/" in response.headers["Location"]:
        return "login"
    return str(response.status_code)


# (user, host) -> what the team page and the team API answer.
MATRIX = [
    (None, "alpha", "login", "403"),
    ("parent", "alpha", "403", "403"),
    ("provider_alpha", "alpha", "403", "403"),
    ("staff_beta", "alpha", "403", "403"),
    ("coordinator", "alpha", "403", "403"),
    ("auditor", "alpha", "403", "403"),
    ("staff_alpha", "alpha", "200", "200"),
    ("staff_alpha", "beta", "403", "403"),
    # The auditor tenant has no team pages (its auditors are made by operators).
    ("auditor", "audit", "404", "403"),
    ("staff_alpha", "audit", "404", "403"),
]


@pytest.mark.parametrize(("user", "host", "page", "api_answer"), MATRIX)
def test_who_sees_a_loket_team(world, client_for, user, host, page, api_answer):
    client = client_for(host, user=user)
    assert answer_of(client.get(PAGE)) == page
    assert answer_of(client.get(API)) == api_answer
    assert answer_of(client.get(INVITE_API)) == api_answer


@pytest.mark.parametrize(
    ("user", "host"),
    [
        (None, "alpha"),
        ("parent", "alpha"),
        ("provider_alpha", "alpha"),
        ("staff_beta", "alpha"),
        ("staff_alpha", "beta"),
        ("coordinator", "alpha"),
    ],
)
def test_nobody_but_the_lokets_own_staff_invites_into_it(world, client_for, user, host):
    client = client_for(host, user=user)
    page = client.post(
        PAGE, {"email": "intruder@example.test", "role": "loket_staff", "language": "nl"}
    )
    assert answer_of(page) in {"login", "403"}
    answer = api(
        client, "post", INVITE_API, {"email": "intruder@example.test", "role": "loket_staff"}
    )
    assert answer.status_code in (401, 403)
    assert not Invitation.objects.filter(email="intruder@example.test").exists()


@pytest.fixture
def beta_team(world):
    """An open invitation and a provider staff member of beta."""
    beta = world.lokets["beta"]
    invitation, _link = invitations.invitation_create(
        inviter=world.users["staff_beta"],
        email="beta.invited@example.test",
        role="loket_staff",
        loket=beta,
    )
    person = user_ensure(email="beta.provider@example.test", password=PASSWORD)
    membership = membership_grant(user=person, role="provider_staff", loket=beta)
    return {"invitation": invitation, "membership": membership}


def test_alphas_staff_cannot_touch_betas_invitations_or_people_by_id(world, client_for, beta_team):
    staff = client_for("alpha", user="staff_alpha")
    invitation, membership = beta_team["invitation"], beta_team["membership"]
    answers = [
        staff.post(f"/beheer/team/uitnodigingen/{invitation.pk}/opnieuw/"),
        staff.post(f"/beheer/team/uitnodigingen/{invitation.pk}/annuleren/"),
        staff.post(f"/beheer/team/{membership.pk}/beeindigen/"),
        staff.get(f"/beheer/team/{membership.pk}/locaties/"),
        staff.post(f"/beheer/team/{membership.pk}/locaties/", {"locations": []}),
        api(staff, "get", f"{INVITE_API}{invitation.pk}/"),
        api(staff, "post", f"{INVITE_API}{invitation.pk}/resend/"),
        api(staff, "delete", f"{INVITE_API}{invitation.pk}/"),
        api(staff, "get", f"{API}{membership.pk}/"),
        api(staff, "delete", f"{API}{membership.pk}/"),
        api(staff, "put", f"{API}{membership.pk}/locations/", {"locations": []}),
    ]
    assert [response.status_code for response in answers] == [404] * len(answers)
    fresh = Invitation.objects.get(pk=invitation.pk)
    assert fresh.cancelled_at is None and fresh.token_hash == invitation.token_hash
    assert Membership.objects.filter(pk=membership.pk).exists()
    page = staff.get(PAGE).content.decode()
    assert "beta.invited@example.test" not in page and "beta.provider@example.test" not in page
    listed = api(staff, "get", API).json()
    assert "beta.provider@example.test" not in {row["email"] for row in listed}
    assert api(staff, "get", INVITE_API).json() == []


def test_betas_staff_on_betas_host_can(world, client_for, beta_team):
    staff = client_for("beta", user="staff_beta")
    invitation = beta_team["invitation"]
    assert api(staff, "get", f"{INVITE_API}{invitation.pk}/").status_code == 200
    assert api(staff, "delete", f"{INVITE_API}{invitation.pk}/").status_code == 204


def test_provider_staff_cannot_change_their_own_or_anyones_locations(world, client_for):
    provider = world.users["provider_alpha"]
    own = Membership.objects.get(user=provider, loket=world.lokets["alpha"])
    client = client_for("alpha", user=provider)
    assert client.get(f"/beheer/team/{own.pk}/locaties/").status_code == 403
    assert api(client, "put", f"{API}{own.pk}/locations/", {"locations": [1]}).status_code == 403
    assert api(client, "delete", f"{API}{own.pk}/").status_code == 403
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize(
    ("user", "host", "page"),
    [
        ("coordinator", "portal", "200"),
        (None, "portal", "login"),
        ("staff_alpha", "portal", "403"),
        ("parent", "portal", "403"),
        ("coordinator", "localhost", "403"),
    ],
)
def test_who_manages_a_regions_coordinators(world, client_for, user, host, page):
    domain = world.region.domain if host == "portal" else host
    client = client_for(domain, user=user)
    assert answer_of(client.get("/coordinatie/team/")) == page
    client.post(
        "/coordinatie/team/",
        {"email": "coord.intruder@example.test", "role": "region_coordinator", "language": "nl"},
    )
    created = Invitation.objects.filter(email="coord.intruder@example.test").exists()
    assert created == (page == "200")


def test_a_coordinator_cannot_invite_loket_staff_on_the_portal(world, client_for):
    client = client_for(world.region.domain, user="coordinator")
    answer = api(
        client, "post", INVITE_API, {"email": "sneaky@example.test", "role": "loket_staff"}
    )
    assert answer.status_code == 400
    assert not Invitation.objects.filter(email="sneaky@example.test").exists()
