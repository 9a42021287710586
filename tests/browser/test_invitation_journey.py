"""Loket staff invite a colleague on the team page; the colleague opens the link from the
e-mail, creates an account with the invited address, accepts, sets up a second factor
straight away and lands in the staff area with the role; the link then no longer works."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.accounts.models import Invitation, Membership, User
from tenants.audit.models import AuditEvent
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.fixtures import ARTIFACTS
from tests.support.second_factor import code_now
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser

INVITEE = "nieuwe.collega@journey.test"
# The served site's mails land in its log (console e-mail backend).
SERVER_LOG = ARTIFACTS / "gunicorn.log"


def link_from_the_mail(email: str) -> str:
    """The invitation link of the last mail to ``email`` in the server's log."""
    text = SERVER_LOG.read_text(errors="replace")
    mail = text[text.rindex(f"To: {email}") :]
    found = re.search(r"https?://\S+/uitnodiging/[^/\s]+/", mail)
    assert found, mail[:2000]
    return found.group(0)


@pytest.fixture(scope="module")
def inviter(django_db_setup, django_db_blocker):
    """staff_alpha, able to log in on the served site; afterwards the invitee's account,
    invitation and audit events are removed (the server committed them)."""
    from tests.conftest import _world

    started = timezone.now()
    staff = _world.users["staff_alpha"]
    with django_db_blocker.unblock():
        with passwords_for_the_server([staff]):
            yield staff
        connection.set_schema_to_public()
        Invitation.objects.filter(email=INVITEE).delete()
        # In alpha's schema: deleting the account also reaches its object grants there.
        with tenant_context(_world.lokets["alpha"]):
            User.objects.filter(email=INVITEE).delete()
            AuditEvent.objects.filter(object_type="membership", at__gte=started).delete()
        connection.set_schema_to_public()


def test_staff_invite_a_colleague_who_signs_up_and_lands_in_the_staff_area(
    page: Page, browser, served_site, inviter
):
    alpha = served_site.url("alpha.localhost")
    log_in(page, alpha, inviter.email, "/beheer/")
    page.locator("#manage-team").click()
    expect(page).to_have_url(f"{alpha}/beheer/team/")
    form = page.locator("#invite-form")
    form.locator("#id_email").fill(INVITEE)
    form.locator("#id_role").select_option("loket_staff")
    form.locator("#id_language").select_option("nl")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{alpha}/beheer/team/")
    expect(page.locator(f'#team-invitations tr[data-email="{INVITEE}"]')).to_have_count(1)

    # The mail links to the loket's own host (the served site's public scheme and port are
    # production's, so the path is opened on the test server's origin).
    mailed = urlsplit(link_from_the_mail(INVITEE))
    assert mailed.hostname == "alpha.localhost" and mailed.path.startswith("/uitnodiging/")
    link = f"{alpha}{mailed.path}"

    # The colleague, in a browser of their own.
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(10_000)
    invitee = context.new_page()
    try:
        invitee.goto(link)
        invitee.locator("#invitation-signup").click()
        # The invited address comes filled in.
        expect(invitee.locator("#id_email")).to_have_value(INVITEE)
        invitee.locator("#id_password1").fill(PASSWORD)
        invitee.locator("#id_password2").fill(PASSWORD)
        invitee.locator("#id_password2").press("Enter")
        # No confirmation mail needed: back on the invitation, logged in.
        invitee.wait_for_url(link)
        invitee.locator("#invitation-accept").click()
        # Staff now: a second factor before any staff page, without logging in again.
        invitee.wait_for_url(f"{alpha}/account/2fa/setup/")
        invitee.locator("#setup-authenticator-app").click()
        invitee.wait_for_url(f"{alpha}/account/2fa/totp/activate/")
        secret = invitee.locator("#totp-secret").inner_text().strip()
        invitee.locator("#id_code").fill(code_now(secret))
        invitee.locator("#id_code").press("Enter")
        invitee.wait_for_url(f"{alpha}/account/2fa/recovery-codes/")
        invitee.locator("#second-factor-continue").click()
        invitee.wait_for_url(f"{alpha}/beheer/")
        # Loket staff's own pages open for them now.
        response = invitee.goto(f"{alpha}/beheer/aanvragen/")
        assert response is not None and response.status == 200

        # The link works once.
        response = invitee.goto(link)
        assert response is not None and response.status == 410
        expect(invitee.locator("#invitation-state")).to_have_attribute("data-state", "used")
    finally:
        context.close()

    membership = Membership.objects.get(user__email=INVITEE)
    assert membership.role == "loket_staff" and membership.loket.slug == "alpha"
    # The inviter sees the new colleague in the team, no longer among the invitations.
    page.reload()
    expect(page.locator(f'#team-members tr[data-email="{INVITEE}"]')).to_have_count(1)
    expect(page.locator(f'#team-invitations tr[data-email="{INVITEE}"]')).to_have_count(0)
