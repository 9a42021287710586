"""A loket's staff member sets up a second factor in Chromium, then logs in with it.

The first login with the password sends them to the setup instead of the staff area,
which offers an authenticator app or a security key. With the app: they read the key from
the page (as they would type it into the app), fill in the app's code, see their recovery
codes and go on to the page they had asked for; the next login asks for the app's code.
With a security key: Chromium's virtual authenticator (over CDP) stands in for a key or a
phone's passkey, through allauth's own scripts under our Content-Security-Policy.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.support.browser import passwords_for_the_server
from tests.support.second_factor import code_now, fresh_code
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "staff_gamma@test.test"


def _without_a_second_factor(django_db_blocker, key: str):
    """The world's ``key`` user with a password the server knows and no second factor yet
    (as on their first login); what they set up in the test is removed afterwards."""
    from tests.conftest import _world

    user = _world.users[key]
    with django_db_blocker.unblock():
        Authenticator.objects.filter(user=user).delete()
        with passwords_for_the_server([user], second_factor=False):
            yield user
        Authenticator.objects.filter(user=user).delete()


@pytest.fixture(scope="module")
def staff_without_a_second_factor(django_db_setup, django_db_blocker):
    """gamma's staff member, who has no authenticator app yet."""
    yield from _without_a_second_factor(django_db_blocker, "staff_gamma")


def password_step(page: Page, origin: str, next_path: str, email: str = EMAIL) -> None:
    page.goto(f"{origin}/account/login/?next={next_path}")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


def test_staff_set_up_an_authenticator_app_and_log_in_with_its_code(
    page: Page, served_site, staff_without_a_second_factor
):
    origin = served_site.url("gamma.localhost")
    password_step(page, origin, "/beheer/aanvragen/")

    # Not the staff area: the setup first, with why; the app is one of two choices.
    page.wait_for_url(f"{origin}/account/2fa/setup/")
    expect(page.locator("#second-factor-required")).to_contain_text("tweede factor")
    page.locator("#setup-authenticator-app").click()
    page.wait_for_url(f"{origin}/account/2fa/totp/activate/")
    expect(page.locator("img.totp-qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert len(secret) == 32

    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Activeren").click()
    expect(page.locator(".error")).to_be_visible()  # a wrong code does not activate it

    page.locator("#id_code").fill(code_now(secret))
    page.get_by_role("button", name="Activeren").click()

    # The recovery codes, then on to the page first asked for.
    page.wait_for_url(f"{origin}/account/2fa/recovery-codes/")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#second-factor-continue").click()
    page.wait_for_url(f"{origin}/beheer/aanvragen/")
    expect(page.locator("h1")).to_be_visible()

    page.locator("form[action='/account/logout/'] button").click()
    expect(page.locator(".who")).to_have_count(0)

    # The next login asks for the app's code after the password.
    password_step(page, origin, "/beheer/")
    page.wait_for_url(f"{origin}/account/2fa/authenticate/")
    expect(page.locator("h1")).to_have_text("Code uit je authenticator-app")
    page.locator("#id_code").fill(fresh_code(secret))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(f"{origin}/beheer/")
    expect(page.locator(".who")).to_have_text(EMAIL)


KEY_EMAIL = "staff_beta@test.test"


@pytest.fixture(scope="module")
def staff_without_a_key(django_db_setup, django_db_blocker):
    """beta's staff member, with a password and no second factor yet."""
    yield from _without_a_second_factor(django_db_blocker, "staff_beta")


def virtual_authenticator(page: Page) -> tuple[object, str]:
    """A platform authenticator (a laptop's fingerprint reader, a phone's passkey) that
    always says yes: Chromium's WebAuthn testing API over CDP."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    answer = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, answer["authenticatorId"]


def test_staff_set_up_a_security_key_and_log_in_with_it(
    page: Page, served_site, staff_without_a_key
):
    cdp, authenticator_id = virtual_authenticator(page)
    origin = served_site.url("beta.localhost")
    password_step(page, origin, "/beheer/", email=KEY_EMAIL)

    page.wait_for_url(f"{origin}/account/2fa/setup/")
    expect(page.locator("#second-factor-required")).to_be_visible()
    page.locator("#setup-security-key").click()
    page.wait_for_url(f"{origin}/account/2fa/webauthn/add/")
    page.locator("#id_name").fill("Laptop")
    page.locator("#mfa_webauthn_add").click()

    # The browser made the key for this host; the recovery codes, then on to /beheer/.
    page.wait_for_url(f"{origin}/account/2fa/recovery-codes/")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["rpId"] for c in credentials["credentials"]] == ["beta.localhost"]
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#second-factor-continue").click()
    page.wait_for_url(f"{origin}/beheer/")
    expect(page.locator(".who")).to_have_text(KEY_EMAIL)

    page.locator("form[action='/account/logout/'] button").click()
    expect(page.locator(".who")).to_have_count(0)

    # The next login asks for the key after the password.
    password_step(page, origin, "/beheer/", email=KEY_EMAIL)
    page.wait_for_url(f"{origin}/account/2fa/authenticate/")
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(f"{origin}/beheer/")
    expect(page.locator(".who")).to_have_text(KEY_EMAIL)
    # The key signed the login (its counter went up).
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert credentials["credentials"][0]["signCount"] >= 1
