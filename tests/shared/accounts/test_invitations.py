"""Staff that a loket manages itself: invite by e-mail, accept once, end a role, grant
locations, each change in the audit trail; the ``staff_invite`` command for operators."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.accounts import invitations
from shared.accounts.models import Invitation, Membership, User
from shared.accounts.services import membership_grant, user_ensure
from tenants.audit.models import AuditEvent
from tenants.providers.services import location_delete
from tests.support.providers import api, make_location
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://([^/\s]+)(/uitnodiging/([^/\s]+)/)")


def invite_on_page(
    client, email: str, role: str = "loket_staff", language: str = "nl", follow=False, **extra
):
    return client.post(
        "/beheer/team/",
        {"email": email, "role": role, "language": language, **extra},
        follow=follow,
    )


def link_of(mail) -> tuple[str, str, str]:
    """(host, path, token) of the invitation link in ``mail``."""
    found = LINK.search(mail.body)
    assert found, mail.body
    return found.group(1), found.group(2), found.group(3)


def audit_events(loket, **filters) -> list[dict]:
    with tenant_context(loket):
        return list(
            AuditEvent.objects.filter(**filters)
            .order_by("id")
            .values("actor_id", "action", "object_type", "object_id", "details")
        )


@pytest.fixture
def invite(world, client_for, mailoutbox, django_capture_on_commit_callbacks):
    """Loket staff of alpha invite ``email`` on the team page; returns the mail's link."""

    def make(email: str, role: str = "loket_staff", language: str = "nl", **extra):
        staff = client_for("alpha", user="staff_alpha")
        with django_capture_on_commit_callbacks(execute=True):
            response = invite_on_page(staff, email, role, language, **extra)
        assert response.status_code == 302, response.content.decode()[:2000]
        return link_of(mailoutbox[-1])

    return make


def test_an_invitation_mails_a_link_whose_token_is_kept_only_as_a_hash(world, invite, mailoutbox):
    host, _path, token = invite("Nieuw.Collega@Example.test", language="nl")
    mail = mailoutbox[-1]
    assert mail.to == ["nieuw.collega@example.test"]
    assert host.startswith("alpha.localhost")
    # Dutch with "je", never "u".
    assert " je " in mail.body and " u " not in mail.body and "Loket Alpha" in mail.body
    invitation = Invitation.objects.get(email="nieuw.collega@example.test")
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert invitation.invited_by == world.users["staff_alpha"]
    assert audit_events(world.lokets["alpha"], object_id=invitation.pk, details__event="invited")


def test_the_invitation_is_written_in_the_language_the_inviter_chose(invite, mailoutbox):
    invite("francais@example.test", language="fr")
    assert "vous invite" in mailoutbox[-1].body
    assert "Invitation" in mailoutbox[-1].subject
    # The HTML part in the same language as the text, whatever the inviter's page spoke.
    ((html, _type),) = mailoutbox[-1].alternatives
    assert '<html lang="fr">' in html
    assert "Ouvrir la page" in html and "Open de pagina" not in html


def test_accepting_gives_the_role_once_and_records_it(world, invite, client_for):
    _host, path, _token = invite("accept@example.test", role="provider_staff")
    invitee = user_ensure(email="accept@example.test", password=PASSWORD)
    client = client_for("alpha", user=invitee)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/"
    membership = Membership.objects.get(user=invitee, loket=world.lokets["alpha"])
    assert membership.role == "provider_staff"
    assert client.get("/beheer/").status_code == 200
    events = audit_events(world.lokets["alpha"], details__event="invitation_accepted")
    assert events[-1]["actor_id"] == invitee.pk and events[-1]["object_id"] == membership.pk
    # Used: the same link now says so, and gives nothing twice.
    again = client.post(path)
    assert again.status_code == 410
    assert 'data-state="used"' in again.content.decode()
    assert Membership.objects.filter(user=invitee).count() == 1


def test_expired_cancelled_and_unknown_links_are_refused_with_a_clear_page(
    world, invite, client_for
):
    invitee = user_ensure(email="late@example.test", password=PASSWORD)
    client = client_for("alpha", user=invitee)
    _host, path, _token = invite("late@example.test")
    Invitation.objects.filter(email="late@example.test").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 410
        assert 'data-state="expired"' in response.content.decode()
    _host, path, _token = invite("cancelled@example.test")
    staff = client_for("alpha", user="staff_alpha")
    invitation = Invitation.objects.get(email="cancelled@example.test")
    assert staff.post(f"/beheer/team/uitnodigingen/{invitation.pk}/annuleren/").status_code == 302
    response = client.get(path)
    assert response.status_code == 410 and 'data-state="cancelled"' in response.content.decode()
    response = client.get("/uitnodiging/not-a-token/")
    assert response.status_code == 404 and 'data-state="unknown"' in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    world, invite, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    _host, old_path, _token = invite("resend@example.test")
    invitation = Invitation.objects.get(email="resend@example.test")
    staff = client_for("alpha", user="staff_alpha")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/beheer/team/uitnodigingen/{invitation.pk}/opnieuw/")
    assert response.status_code == 302
    _host, new_path, _token = link_of(mailoutbox[-1])
    assert new_path != old_path
    invitee = client_for("alpha", user=user_ensure(email="resend@example.test", password=PASSWORD))
    assert invitee.get(old_path).status_code == 404
    assert invitee.post(new_path).status_code == 302
    assert audit_events(world.lokets["alpha"], details__event="invitation_resent")


def test_an_account_with_another_address_cannot_accept(world, invite, client_for):
    _host, path, _token = invite("invited@example.test")
    other = user_ensure(email="someone.else@example.test", password=PASSWORD)
    client = client_for("alpha", user=other)
    page = client.get(path)
    assert page.status_code == 200 and "invitation-accept" not in page.content.decode()
    assert client.post(path).status_code == 400
    assert not Membership.objects.filter(user=other).exists()
    assert Invitation.objects.get(email="invited@example.test").accepted_at is None


def test_signing_up_with_another_address_than_invited_is_refused(world, invite, client_for):
    _host, path, _token = invite("right@example.test")
    client = client_for("alpha")
    assert client.get(path).status_code == 200
    response = client.post(
        f"/account/signup/?next={path}",
        {"email": "wrong@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The sign-up on its way to the invitation says which address it must be, and makes
    # no account; the invitation stays open.
    assert response.status_code == 200
    assert "right@example.test" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="wrong@example.test").exists()
    assert Invitation.objects.get(email="right@example.test").accepted_at is None


def test_signing_up_with_the_invited_address_logs_in_and_accepts(world, invite, client_for):
    _host, path, _token = invite("signup@example.test")
    client = client_for("alpha")
    assert client.get(path).status_code == 200
    response = client.post(
        f"/account/signup/?next={path}",
        {"email": "signup@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The link proved the mailbox: no confirmation mail, straight back to the invitation.
    assert response.status_code == 302 and response.headers["Location"] == path
    assert client.post(path).headers["Location"] == "/beheer/"
    assert Membership.objects.filter(
        user__email="signup@example.test", role="loket_staff", loket=world.lokets["alpha"]
    ).exists()


def test_signing_up_from_an_invitation_sets_up_the_second_factor_before_any_staff_page(
    world, invite, client_for
):
    """The new account's session began with its password (the sign-up form), so the role
    it accepts asks for a second factor at once, not only at the next login."""
    _host, path, _token = invite("signup-mfa@example.test")
    client = client_for("alpha")
    client.get(path)  # the link opened from the mail
    signed_up = client.post(
        f"/account/signup/?next={path}",
        {"email": "signup-mfa@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signed_up.headers["Location"] == path
    assert client.post(path).headers["Location"] == "/beheer/"

    staff_page = client.get("/beheer/")
    assert staff_page.status_code == 302
    assert staff_page.headers["Location"] == "/account/2fa/setup/"
    assert client.get("/api/v1/requests/").status_code == 403
    # Right after the sign-up the setup does not ask for the password again.
    assert client.get("/account/2fa/totp/activate/").status_code == 200


def test_a_link_of_alpha_does_nothing_on_betas_host(world, invite, client_for):
    _host, path, _token = invite("hosted@example.test")
    invitee = user_ensure(email="hosted@example.test", password=PASSWORD)
    beta = client_for("beta", user=invitee)
    assert beta.get(path).status_code == 404
    assert beta.post(path).status_code == 404
    assert not Membership.objects.filter(user=invitee).exists()


def test_inviting_someone_who_already_has_the_role_or_an_open_invitation_is_refused(
    world, invite, client_for
):
    staff = client_for("alpha", user="staff_alpha")
    response = invite_on_page(staff, world.users["provider_alpha"].email, "provider_staff")
    assert response.status_code == 400
    invite("twice@example.test")
    assert invite_on_page(staff, "twice@example.test").status_code == 400
    assert Invitation.objects.filter(email="twice@example.test").count() == 1


def test_a_provider_staff_invitation_grants_its_locations_on_acceptance(world, invite, client_for):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Kinderdagverblijf Uitnodiging")
    _host, path, _token = invite(
        "provider.new@example.test", role="provider_staff", locations=[location.pk]
    )
    invitee = user_ensure(email="provider.new@example.test", password=PASSWORD)
    client = client_for("alpha", user=invitee)
    assert client.post(path).status_code == 302
    listed = api(client, "get", "/api/v1/providers/locations/").json()
    names = [row["name"] for row in listed.get("results", listed)]
    assert names == ["Kinderdagverblijf Uitnodiging"]
    assert audit_events(alpha, object_type="location", details__event="location_granted")


def test_granting_and_withdrawing_locations_changes_what_the_provider_sees(world, client_for):
    alpha = world.lokets["alpha"]
    one = make_location(alpha, name="Kinderdagverblijf Een")
    two = make_location(alpha, name="Kinderdagverblijf Twee")
    provider = user_ensure(email="grants@example.test", password=PASSWORD)
    membership = membership_grant(user=provider, role="provider_staff", loket=alpha)
    staff = client_for("alpha", user="staff_alpha")
    seen = client_for("alpha", user=provider)

    def visible() -> set[str]:
        listed = api(seen, "get", "/api/v1/providers/locations/").json()
        return {row["name"] for row in listed.get("results", listed)}

    assert visible() == set()
    page = staff.post(f"/beheer/team/{membership.pk}/locaties/", {"locations": [one.pk, two.pk]})
    assert page.status_code == 302
    assert visible() == {"Kinderdagverblijf Een", "Kinderdagverblijf Twee"}
    answer = api(staff, "put", f"/api/v1/team/{membership.pk}/locations/", {"locations": [two.pk]})
    assert answer.status_code == 200 and answer.json() == {"locations": [two.pk]}
    assert visible() == {"Kinderdagverblijf Twee"}
    assert seen.get(f"/beheer/opvang/locaties/{one.pk}/").status_code == 404
    withdrawn = audit_events(alpha, object_type="location", details__event="location_withdrawn")
    assert withdrawn[-1]["object_id"] == one.pk
    assert withdrawn[-1]["actor_id"] == world.users["staff_alpha"].pk
    assert withdrawn[-1]["details"]["user"] == provider.pk


def test_a_deactivated_person_reaches_no_staff_page_from_the_next_request(world, client_for):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Kinderdagverblijf Einde")
    person = user_ensure(email="leaving@example.test", password=PASSWORD)
    provider = membership_grant(user=person, role="provider_staff", loket=alpha)
    colleague = membership_grant(user=person, role="loket_staff", loket=alpha)
    staff = client_for("alpha", user="staff_alpha")
    staff.post(f"/beheer/team/{provider.pk}/locaties/", {"locations": [location.pk]})
    leaving = client_for("alpha", user=person)
    assert leaving.get("/beheer/aanvragen/").status_code == 200
    assert staff.post(f"/beheer/team/{colleague.pk}/beeindigen/").status_code == 302
    assert leaving.get("/beheer/aanvragen/").status_code == 403
    assert leaving.get("/beheer/").status_code == 200  # still provider staff
    assert api(staff, "delete", f"/api/v1/team/{provider.pk}/").status_code == 204
    assert leaving.get("/beheer/").status_code == 403
    assert leaving.get(f"/beheer/opvang/locaties/{location.pk}/").status_code == 403
    assert not Membership.objects.filter(user=person).exists()
    ended = audit_events(alpha, details__event="ended")
    assert {event["object_id"] for event in ended} >= {provider.pk, colleague.pk}
    # The grant went with the role: given the role again, the location is not back.
    membership_grant(user=person, role="provider_staff", loket=alpha)
    assert api(leaving, "get", "/api/v1/providers/locations/").json().get("results", []) == []


def test_nobody_ends_their_own_role(world, client_for):
    staff = client_for("alpha", user="staff_alpha")
    own = Membership.objects.get(user=world.users["staff_alpha"], loket=world.lokets["alpha"])
    assert staff.post(f"/beheer/team/{own.pk}/beeindigen/").status_code == 302
    assert api(staff, "delete", f"/api/v1/team/{own.pk}/").status_code == 400
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_team_page_shows_roles_and_pending_invitations(world, invite, client_for):
    invite("pending@example.test", role="provider_staff")
    page = client_for("alpha", user="staff_alpha").get("/beheer/team/").content.decode()
    assert world.users["provider_alpha"].email in page
    assert 'data-email="pending@example.test"' in page
    assert world.users["staff_beta"].email not in page


def test_api_invites_lists_resends_and_cancels(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    staff = client_for("alpha", user="staff_alpha")
    with django_capture_on_commit_callbacks(execute=True):
        created = api(
            staff,
            "post",
            "/api/v1/team/invitations/",
            {"email": "api@example.test", "role": "provider_staff", "language": "en"},
        )
    assert created.status_code == 201, created.content
    invitation_id = created.json()["id"]
    assert "invites you" in mailoutbox[-1].body or "You are invited" in mailoutbox[-1].body
    listed = api(staff, "get", "/api/v1/team/invitations/").json()
    assert [row["email"] for row in listed] == ["api@example.test"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = api(staff, "post", f"/api/v1/team/invitations/{invitation_id}/resend/")
    assert resent.status_code == 200 and len(mailoutbox) == 2
    assert api(staff, "delete", f"/api/v1/team/invitations/{invitation_id}/").status_code == 204
    assert api(staff, "get", "/api/v1/team/invitations/").json() == []
    refused = api(staff, "post", f"/api/v1/team/invitations/{invitation_id}/resend/")
    assert refused.status_code == 400 and "non_field_errors" in refused.json()
    bad_role = api(
        staff, "post", "/api/v1/team/invitations/", {"email": "x@example.test", "role": "auditor"}
    )
    assert bad_role.status_code == 400


def test_a_coordinator_invites_a_coordinator_on_the_portal(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    portal = client_for(world.region.domain, user="coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = portal.post(
            "/coordinatie/team/",
            {"email": "coord.new@example.test", "role": "region_coordinator", "language": "nl"},
        )
    assert response.status_code == 302
    host, path, _token = link_of(mailoutbox[-1])
    assert host.startswith(world.region.domain)
    invitee = user_ensure(email="coord.new@example.test", password=PASSWORD)
    client = client_for(world.region.domain, user=invitee)
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(
        user=invitee, role="region_coordinator", region=world.region
    ).exists()
    assert client.get("/cijfers/").status_code == 200
    # A loket's host does not accept a region's link.
    assert client_for("alpha", user=invitee).get(path).status_code == 404


def test_staff_invite_prints_a_link_or_grants_an_existing_account_at_once(world, mailoutbox):
    out = StringIO()
    call_command("staff_invite", "beta", "first@example.test", "--role", "loket_staff", stdout=out)
    host, _path, _token = LINK.search(out.getvalue()).groups()
    assert host.startswith("beta.localhost")
    assert Invitation.objects.get(email="first@example.test").loket == world.lokets["beta"]
    existing = user_ensure(email="existing@example.test", password=PASSWORD)
    out = StringIO()
    call_command(
        "staff_invite", "beta", "Existing@example.test", "--role", "provider_staff", stdout=out
    )
    assert "now has the role" in out.getvalue()
    assert Membership.objects.filter(
        user=existing, role="provider_staff", loket=world.lokets["beta"]
    ).exists()
    assert audit_events(
        world.lokets["beta"],
        details__event="granted",
        object_id=Membership.objects.get(user=existing).pk,
    )
    with pytest.raises(CommandError):
        call_command("staff_invite", "nowhere", "x@example.test")
    with pytest.raises(CommandError):
        call_command("staff_invite", "alpha", "y@example.test", "--role", "region_coordinator")


def test_invitation_services_refuse_a_role_that_does_not_fit(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invitations.invitation_create(
            inviter=None,
            email="z@example.test",
            role="region_coordinator",
            loket=world.lokets["alpha"],
        )
    with pytest.raises(ValidationError):
        invitations.invitation_create(
            inviter=None, email="z@example.test", role="loket_staff", region=world.region
        )


def test_a_location_deleted_since_the_invitation_does_not_block_accepting(
    world, invite, client_for
):
    alpha = world.lokets["alpha"]
    kept = make_location(alpha, name="Kinderdagverblijf Blijft")
    gone = make_location(alpha, name="Kinderdagverblijf Weg")
    _host, path, _token = invite(
        "deleted.location@example.test", role="provider_staff", locations=[kept.pk, gone.pk]
    )
    with tenant_context(alpha):
        location_delete(location=gone)
    invitee = user_ensure(email="deleted.location@example.test", password=PASSWORD)
    client = client_for("alpha", user=invitee)
    assert client.post(path).status_code == 302
    listed = api(client, "get", "/api/v1/providers/locations/").json()
    assert [row["name"] for row in listed.get("results", listed)] == ["Kinderdagverblijf Blijft"]


def test_inviting_provider_staff_without_locations_says_they_will_have_nothing_to_do(
    world, client_for
):
    staff = client_for("alpha", user="staff_alpha")
    staff.cookies["django_language"] = "en"
    answer = invite_on_page(staff, "no.locations@example.test", "provider_staff", follow=True)
    page = answer.content.decode()
    assert "An invitation has been sent to no.locations@example.test." in page
    assert "was invited without locations and will have nothing to keep up to date" in page
    # Loket staff need no locations: no such warning.
    answer = invite_on_page(staff, "colleague@example.test", "loket_staff", follow=True)
    assert "without locations" not in answer.content.decode()
