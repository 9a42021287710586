"""Staff's second factor (issues 12 and 15): set up before any staff page, asked at every login.

Logins go through the real login form here (``client.post("/account/login/")``): only
those sessions carry allauth's record of how they were authenticated, which is what the
check reads (``shared.accounts.second_factor``).
"""

from __future__ import annotations

import json
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings

from shared.accounts import login_throttle
from shared.accounts.models import Membership, User
from shared.accounts.services import membership_grant
from tests.support.second_factor import (
    SoftKey,
    authenticator_app_for,
    code_now,
    fresh_code,
    webauthn_options,
)

pytestmark = pytest.mark.django_db

SETUP = "/account/2fa/setup/"
APP_SETUP = "/account/2fa/totp/activate/"
KEY_SETUP = "/account/2fa/webauthn/add/"
CODE_STEP = "/account/2fa/authenticate/"
STAFF_API = "/api/v1/requests/"


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The throttle's clock (the TOTP codes keep the real one)."""
    clock = Clock()
    monkeypatch.setattr(login_throttle, "now", clock)
    return clock


def login(client, email, password, address="203.0.113.60"):
    return client.post(
        "/account/login/", {"login": email, "password": password}, HTTP_X_FORWARDED_FOR=address
    )


def enter_code(client, code, address="203.0.113.60"):
    return client.post(CODE_STEP, {"code": code}, HTTP_X_FORWARDED_FOR=address)


def set_up_authenticator_app(client) -> str:
    """Walk the setup page as a person does: read the key, type the app's code."""
    page = client.get(APP_SETUP)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # the key to type in is on the page
    answer = client.post(APP_SETUP, {"code": code_now(secret)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return secret


def add_security_key(
    client, key: SoftKey, host: str = "alpha.localhost", name: str = "YubiKey bureau"
):
    """Walk the key's setup page as a browser does: read the options, let the key answer."""
    page = client.get(KEY_SETUP)
    assert page.status_code == 200
    answer = key.create(webauthn_options(page.content.decode()), origin=f"http://{host}")
    return client.post(KEY_SETUP, {"name": name, "credential": json.dumps(answer)})


def use_security_key(client, key: SoftKey, host: str = "alpha.localhost", address="203.0.113.60"):
    """The login's second step with the key: the page's options, the key's signed answer."""
    page = client.get(CODE_STEP)
    assert page.status_code == 200
    answer = key.get(webauthn_options(page.content.decode()), origin=f"http://{host}")
    return client.post(CODE_STEP, {"credential": json.dumps(answer)}, HTTP_X_FORWARDED_FOR=address)


def logged_in_user(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


# --- Before the setup -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "key", "path"),
    [
        ("alpha", "staff_alpha", "/beheer/"),
        ("alpha", "provider_alpha", "/beheer/"),
        ("audit", "auditor", "/controle/"),
        ("testregio.localhost", "coordinator", "/"),
        ("localhost", "operator", "/admin/"),
    ],
)
def test_staff_with_a_password_are_sent_to_the_setup_before_any_staff_page(
    client_for, password, host, key, path
):
    client = client_for(host)
    assert login(client, f"{key}@test.test", password).status_code == 302

    answer = client.get(path)
    assert answer.status_code == 302
    assert answer["Location"] == SETUP
    setup = client.get(SETUP)
    assert setup.status_code == 200
    page = setup.content.decode()
    assert 'id="second-factor-required"' in page
    # Either kind: an authenticator app or a security key (passkey).
    assert f'id="setup-authenticator-app" href="{APP_SETUP}"' in page
    assert f'id="setup-security-key" href="{KEY_SETUP}"' in page


def test_the_staff_api_refuses_with_a_message_before_the_setup(client_for, password):
    client = client_for("alpha")
    login(client, "staff_alpha@test.test", password)

    answer = client.get(STAFF_API)
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/json"
    detail = answer.json()["detail"]
    assert "Stel eerst een authenticator-app of een beveiligingssleutel in" in detail
    assert SETUP in detail


def test_after_the_setup_the_staff_page_opens_and_the_person_goes_on_where_they_were(
    client_for, world, password
):
    client = client_for("alpha")
    login(client, "staff_alpha@test.test", password)
    client.get("/beheer/aanvragen/")  # asked for, sent to the setup

    set_up_authenticator_app(client)

    user = world.users["staff_alpha"]
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it, shown once the app is set up, with the way back.
    codes_page = client.get("/account/2fa/recovery-codes/").content.decode()
    recovery_codes = Authenticator.objects.get(user=user, type="recovery_codes")
    assert RecoveryCodes(recovery_codes).get_unused_codes()[0] in codes_page
    assert 'id="second-factor-continue" href="/beheer/aanvragen/"' in codes_page
    assert client.get("/beheer/").status_code == 200
    assert client.get(STAFF_API).status_code == 200


def test_the_secret_is_stored_encrypted(client_for, world, password):
    client = client_for("alpha")
    login(client, "staff_alpha@test.test", password)
    secret = set_up_authenticator_app(client)
    stored = Authenticator.objects.get(user=world.users["staff_alpha"], type="totp")
    assert secret not in str(stored.data)


def test_a_membership_granted_later_asks_for_the_setup_on_the_next_page(
    client_for, world, password
):
    client = client_for("alpha")
    login(client, "parent@test.test", password)
    assert client.get("/mijn-aanvragen/").status_code == 200

    membership_grant(
        user=world.users["parent"], role=Membership.Role.LOKET_STAFF, loket=world.lokets["alpha"]
    )
    assert client.get("/beheer/")["Location"] == SETUP


# --- A security key or passkey instead of the app ---------------------------------------


def test_a_security_key_is_a_second_factor_and_the_next_login_asks_for_it(
    client_for, world, password
):
    user = world.users["staff_alpha"]
    key = SoftKey()
    client = client_for("alpha")
    login(client, user.email, password)
    client.get("/beheer/aanvragen/")  # asked for, sent to the setup

    setup = client.get(KEY_SETUP).content.decode()
    # allauth's scripts from our own static files, their data in blocks that never run.
    assert "/static/mfa/js/webauthn.js" in setup
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm" type="application/json"' in setup
    options = webauthn_options(setup)
    # The relying party is the host in use (no port), named after the loket.
    assert options["publicKey"]["rp"] == {
        "id": "alpha.localhost",
        "name": world.lokets["alpha"].name,
    }

    added = add_security_key(client, key)
    assert added.status_code == 302 and added["Location"] == "/account/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type="webauthn").exists()
    codes_page = client.get("/account/2fa/recovery-codes/").content.decode()
    assert 'id="second-factor-continue" href="/beheer/aanvragen/"' in codes_page
    assert client.get("/beheer/").status_code == 200
    # The overview and the list of keys show it.
    assert client.get("/account/2fa/").status_code == 200
    assert "YubiKey bureau" in client.get("/account/2fa/webauthn/").content.decode()

    client.post("/account/logout/")
    assert login(client, user.email, password)["Location"] == CODE_STEP
    page = client.get(CODE_STEP).content.decode()
    assert 'id="mfa_webauthn_authenticate"' in page
    assert use_security_key(client, key).status_code == 302
    assert logged_in_user(client) == user.pk
    assert client.get("/beheer/").status_code == 200


def test_a_key_of_another_host_or_a_forged_answer_does_not_log_in(client_for, world, password):
    user = world.users["staff_alpha"]
    key = SoftKey()
    client = client_for("alpha")
    login(client, user.email, password)
    assert add_security_key(client, key).status_code == 302
    client.post("/account/logout/")

    login(client, user.email, password)
    # The answer the key gives for beta's host (its own relying party) is refused on alpha.
    page = client.get(CODE_STEP).content.decode()
    options = webauthn_options(page)
    options["publicKey"]["rpId"] = "beta.localhost"
    answer = key.get(options, origin="http://beta.localhost")
    refused = client.post(CODE_STEP, {"credential": json.dumps(answer)})
    assert refused.status_code == 200 and logged_in_user(client) is None
    # Another key (one the account never registered) is refused as well.
    assert use_security_key(client, SoftKey()).status_code == 200
    assert logged_in_user(client) is None
    # Garbage is a clear refusal, never a 500.
    assert client.post(CODE_STEP, {"credential": "{not json"}).status_code == 200
    assert client.post(CODE_STEP, {"credential": '{"id": 1}'}).status_code == 200
    assert logged_in_user(client) is None
    assert use_security_key(client, key).status_code == 302


def test_wrong_keys_wait_like_wrong_codes(client_for, world, password, clock):
    user = world.users["staff_alpha"]
    key = SoftKey()
    client = client_for("alpha")
    login(client, user.email, password)
    add_security_key(client, key)
    client.post("/account/logout/")
    login(client, user.email, password)
    for _ in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT):
        assert use_security_key(client, SoftKey()).status_code == 200
    refused = use_security_key(client, key)
    assert "Te veel foute codes. Wacht 2 seconden" in refused.content.decode()
    assert logged_in_user(client) is None
    clock.advance(2)
    assert use_security_key(client, key).status_code == 302


def test_a_key_added_on_the_setup_page_of_a_broken_answer_is_refused_clearly(
    client_for, world, password
):
    client = client_for("alpha")
    login(client, "staff_alpha@test.test", password)
    answer = client.post(KEY_SETUP, {"name": "x", "credential": '{"type": "public-key"}'})
    assert answer.status_code == 200
    assert 'role="alert"' in answer.content.decode()
    assert not Authenticator.objects.filter(user=world.users["staff_alpha"]).exists()


def test_staff_cannot_remove_their_only_security_key(client_for, world, password):
    user = world.users["staff_alpha"]
    key = SoftKey()
    client = client_for("alpha")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login(client, user.email, password)
    add_security_key(client, key)
    webauthn = Authenticator.objects.get(user=user, type="webauthn")
    refused = client.post(f"/account/2fa/webauthn/keys/{webauthn.pk}/remove/", follow=True)
    assert Authenticator.objects.filter(pk=webauthn.pk).exists()
    assert "only second factor" in refused.content.decode()
    # With the app beside it, the key may go.
    authenticator_app_for(user)
    client.post(f"/account/2fa/webauthn/keys/{webauthn.pk}/remove/")
    assert not Authenticator.objects.filter(pk=webauthn.pk).exists()


# --- Who is not asked -------------------------------------------------------------------


@pytest.mark.parametrize("host", ["alpha", "testregio.localhost", "localhost"])
def test_parents_are_never_asked(client_for, password, host):
    client = client_for(host)
    assert login(client, "parent@test.test", password)["Location"] != CODE_STEP
    assert client.get("/mijn-aanvragen/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def government_session(client, user: User, method: str) -> None:
    """The session allauth leaves after a login by ``method`` (the records it keeps)."""
    client.login_as(user)
    session = client.session
    record = {"method": method, "at": time.time()}
    if method == "socialaccount":
        record.update(provider="acmidm", uid="gov-sub-1")
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [record]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def test_staff_who_logged_in_with_the_government_login_are_not_asked(client_for, world):
    client = client_for("alpha")
    government_session(client, world.users["staff_alpha"], "socialaccount")
    assert client.get("/beheer/").status_code == 200
    assert client.get(STAFF_API).status_code == 200
    # The same session from a password login is held back.
    government_session(client, world.users["staff_alpha"], "password")
    assert client.get("/beheer/")["Location"] == SETUP


def test_a_government_login_is_not_asked_for_the_code_either(rf, world):
    from allauth.account.models import Login
    from django.contrib.sessions.backends.db import SessionStore

    from shared.accounts.second_factor import AuthenticateStage

    user = world.users["staff_alpha"]
    authenticator_app_for(user)
    request = rf.get("/")
    request.session = SessionStore()
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "socialaccount", "at": time.time(), "provider": "acmidm", "uid": "x"}
    ]
    request.session["account_authentication_methods_user"] = str(user.pk)
    login_state = Login(user=user)
    stage = AuthenticateStage(None, request, login_state)
    assert stage._should_handle(request) is False
    request.session[AUTHENTICATION_METHODS_SESSION_KEY].append(
        {"method": "password", "at": time.time()}
    )
    assert stage._should_handle(request) is True


def test_a_parents_own_authenticator_app_goes_with_the_erased_account(world):
    from django.utils import timezone

    from shared.portal.own_data import account_erase

    # A copy of its own: erasing changes the object (the world's users are shared).
    parent = type(world.users["other_parent"]).objects.get(pk=world.users["other_parent"].pk)
    authenticator_app_for(parent)
    account_erase(user=parent, now=timezone.now())
    assert not Authenticator.objects.filter(user=parent).exists()


def test_sessions_without_a_login_record_keep_working(client_for):
    """Made by code only (tests' force_login), never by a login page of the product."""
    assert client_for("alpha", user="staff_alpha").get("/beheer/").status_code == 200


# --- Logging in once it is set up -------------------------------------------------------


@pytest.fixture
def staff_with_app(world):
    user = world.users["staff_alpha"]
    return user, authenticator_app_for(user)


def test_the_next_login_asks_for_the_code(client_for, staff_with_app, password):
    user, secret = staff_with_app
    client = client_for("alpha")

    answer = login(client, user.email, password)
    assert answer["Location"] == CODE_STEP
    assert logged_in_user(client) is None
    assert client.get("/beheer/")["Location"].startswith("/account/login/")
    page = client.get(CODE_STEP).content.decode()
    assert "authenticator-app" in page  # "Code uit je authenticator-app"

    assert enter_code(client, fresh_code(secret)).status_code == 302
    assert logged_in_user(client) == user.pk
    assert client.get("/beheer/").status_code == 200


def test_wrong_codes_make_the_next_attempt_wait_like_wrong_passwords(
    client_for, staff_with_app, password, clock
):
    user, secret = staff_with_app
    client = client_for("alpha")
    login(client, user.email, password)
    for _ in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT):
        assert enter_code(client, "000000").status_code == 200
    # Even the right code waits now, with a message that says how long.
    refused = enter_code(client, fresh_code(secret))
    assert refused.status_code == 200
    assert "Te veel foute codes. Wacht 2 seconden" in refused.content.decode()
    assert logged_in_user(client) is None

    clock.advance(2)
    assert enter_code(client, fresh_code(secret)).status_code == 302
    assert logged_in_user(client) == user.pk


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(
    client_for, staff_with_app, password, clock
):
    user, secret = staff_with_app
    client = client_for("alpha")
    for _ in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT):
        login(client, user.email, password)
        enter_code(client, "000000")
    login(client, user.email, password)
    assert "Wacht 2 seconden" in enter_code(client, fresh_code(secret)).content.decode()


def test_codes_asked_again_before_a_change_are_throttled_too(
    client_for, staff_with_app, password, clock
):
    user, secret = staff_with_app
    client = client_for("alpha")
    login(client, user.email, password)
    enter_code(client, fresh_code(secret))
    for _ in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT):
        client.post("/account/2fa/reauthenticate/", {"code": "000000"})
    refused = client.post("/account/2fa/reauthenticate/", {"code": fresh_code(secret)})
    assert "Te veel foute codes. Wacht 2 seconden" in refused.content.decode()


def test_the_code_wait_message_is_in_the_users_language(
    client_for, staff_with_app, password, clock
):
    user, _secret = staff_with_app
    client = client_for("alpha")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    login(client, user.email, password)
    for _ in range(settings.OPVANGLOKET_LOGIN_FREE_FAILURES_PER_ACCOUNT):
        enter_code(client, "000000")
    answer = enter_code(client, "000000")
    assert "Attendez 2 secondes" in answer.content.decode()


def test_a_recovery_code_works_once(client_for, staff_with_app, password):
    user, _secret = staff_with_app
    client = client_for("alpha")
    login(client, user.email, password)
    # The setup page makes the recovery codes; here they are made as it does.
    codes = RecoveryCodes.activate(user).generate_codes()

    assert enter_code(client, codes[0]).status_code == 302
    assert logged_in_user(client) == user.pk
    assert client.get("/beheer/").status_code == 200

    client.post("/account/logout/")
    login(client, user.email, password)
    again = enter_code(client, codes[0])
    assert again.status_code == 200
    assert logged_in_user(client) is None
    assert enter_code(client, codes[1]).status_code == 302


def test_staff_cannot_switch_their_only_authenticator_app_off(client_for, staff_with_app, password):
    user, secret = staff_with_app
    client = client_for("alpha")
    login(client, user.email, password)
    enter_code(client, fresh_code(secret))

    client.post("/account/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=user, type="totp").exists()


# --- The Django admin -------------------------------------------------------------------


def test_the_admin_logs_in_through_the_login_with_the_second_factor(client_for, world, password):
    operator = world.users["operator"]
    secret = authenticator_app_for(operator)
    client = client_for("localhost")

    # The admin's own login form is gone: its address sends to ours, and back.
    to_login = client.get("/admin/login/?next=/admin/")
    assert to_login.status_code == 302
    assert to_login["Location"] == "/account/login/?next=%2Fadmin%2F"
    posted = client.post(
        "/admin/login/?next=/admin/", {"username": operator.email, "password": password}
    )
    assert posted.status_code == 302 and logged_in_user(client) is None

    assert login(client, operator.email, password)["Location"] == CODE_STEP
    assert client.get("/admin/").status_code == 302
    assert enter_code(client, fresh_code(secret)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_operator_without_a_second_factor_is_sent_to_the_setup(client_for, password):
    client = client_for("localhost")
    login(client, "operator@test.test", password)
    assert client.get("/admin/accounts/user/")["Location"] == SETUP


# --- In the audit trail ----------------------------------------------------------------


def second_factor_events(loket) -> list[tuple[str, str, str, int]]:
    from django_tenants.utils import tenant_context

    from tenants.audit.models import AuditEvent

    with tenant_context(loket):
        return [
            (event.actor.email, event.action, event.details["event"], event.details["kind"])
            for event in AuditEvent.objects.filter(object_type="second_factor").order_by("id")
        ]


def test_setting_up_and_removing_a_second_factor_is_in_the_trail_of_each_loket_of_the_person(
    client_for, world, password, django_capture_on_commit_callbacks
):
    user = world.users["provider_beta"]
    membership_grant(user=user, role=Membership.Role.PROVIDER_STAFF, loket=world.lokets["gamma"])
    client = client_for("beta")
    login(client, user.email, password)
    # allauth tells of a change once its transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        secret = set_up_authenticator_app(client)
    key = SoftKey()
    with django_capture_on_commit_callbacks(execute=True):
        assert add_security_key(client, key, host="beta.localhost").status_code == 302
    webauthn = Authenticator.objects.get(user=user, type="webauthn")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/account/2fa/webauthn/keys/{webauthn.pk}/remove/")
    assert not Authenticator.objects.filter(pk=webauthn.pk).exists()

    expected = [
        (user.email, "created", "second_factor_added", "totp"),
        (user.email, "created", "second_factor_added", "recovery_codes"),
        (user.email, "created", "second_factor_added", "webauthn"),
        (user.email, "changed", "second_factor_removed", "webauthn"),
    ]
    beta_events = second_factor_events(world.lokets["beta"])
    assert sorted(beta_events) == sorted(expected)
    assert second_factor_events(world.lokets["gamma"]) == beta_events  # both of their lokets
    assert second_factor_events(world.lokets["alpha"]) == []  # not a loket of theirs
    from django_tenants.utils import tenant_context

    from tenants.audit.models import AuditEvent

    with tenant_context(world.lokets["beta"]):
        details = str(list(AuditEvent.objects.filter(object_type="second_factor").values()))
    assert secret not in details and "YubiKey" not in details  # no secret, no key name
