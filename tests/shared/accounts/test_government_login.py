"""Government login (OpenID Connect, as ACM/IDM) against a real provider on localhost.

The provider is panva's certified oidc-provider (tests/oidc/provider.js); Opvangloket runs
in gunicorn (``government_login_site``) or, for other client settings, in the test
process. The provider's pages are walked over HTTP as a browser would: its login form,
its redirects with the code back to our callback.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import override_settings

from shared.accounts.government_login.claims import guardian_key
from shared.accounts.models import User
from shared.registry.identity import child_keys, family_key
from tests.support.oidc import AN, AN_AGAIN, ARTIFACTS, BART, CARLA, DIRK, EVA, KAREL
from tests.support.world import PASSWORD

PROVIDER_CLASS = "shared.accounts.government_login.provider.GovernmentLoginProvider"
BUTTON = 'id="government-login"'
LOGIN_FORM_ACTION = re.compile(r'<form method="post" action="(/account/oidc/acmidm/login/[^"]*)"')
PROVIDER_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def through_provider(session: requests.Session, url: str, issuer: str, person: dict) -> str:
    """Follow the provider's redirects and fill its login form; return the URL it sends the
    browser to outside the provider (our callback with code and state)."""
    for _step in range(10):
        if not url.startswith(issuer):
            return url
        answer = session.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            continue
        assert answer.status_code == 200, answer.text[:500]
        action = PROVIDER_FORM_ACTION.search(answer.text)
        assert action, f"no login form at the provider: {answer.text[:500]}"
        posted = session.post(
            urljoin(url, action.group(1)),
            data={"prompt": "login", "login": person["login"], "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        assert posted.status_code in (302, 303), posted.text[:500]
        url = urljoin(url, posted.headers["Location"])
    pytest.fail("the provider kept redirecting")


def start_login(session: requests.Session, base: str) -> str:
    """Open our login page, press 'Log in with eID or itsme'; return the provider's URL."""
    page = session.get(f"{base}/account/login/", timeout=10)
    assert BUTTON in page.text
    action = LOGIN_FORM_ACTION.search(page.text).group(1)
    answer = session.post(
        base + action,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def government_login(site, oidc_provider, person: dict, session=None) -> requests.Session:
    session = session or requests.Session()
    base = site.url("localhost")
    authorize = start_login(session, base)
    callback = through_provider(session, authorize, oidc_provider.issuer, person)
    assert urlsplit(callback).path == "/account/oidc/acmidm/login/callback/"
    session.last_page = session.get(callback, timeout=15)
    return session


@pytest.fixture(scope="module")
def password_accounts(django_db_setup, django_db_blocker) -> dict[str, User]:
    """Accounts with a password, committed so that the server sees them (a test's own
    writes stay in its transaction; its reads see what the server committed)."""
    hasher = PBKDF2PasswordHasher()
    accounts = {}
    with django_db_blocker.unblock():
        for email in ("dirk.staff@test.test", EVA["email"]):
            user, _new = User.objects.get_or_create(
                email=email, defaults={"password": hasher.encode(PASSWORD, hasher.salt())}
            )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            accounts[email] = user
    return accounts


def logged_in_as(session: requests.Session, site) -> str | None:
    answer = session.get(site.url("localhost") + "/api/v1/me/", timeout=10)
    return answer.json()["email"] if answer.status_code == 200 else None


def test_discovery_names_code_flow_with_pkce(oidc_provider):
    config = oidc_provider.discovery()
    assert config["issuer"] == oidc_provider.issuer
    assert "code" in config["response_types_supported"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert "private_key_jwt" in config["token_endpoint_auth_methods_supported"]


def test_authorisation_request_asks_code_with_pkce_and_the_rrn_scope(
    government_login_site, oidc_provider
):
    authorize = start_login(requests.Session(), government_login_site.url("localhost"))
    assert authorize.startswith(f"{oidc_provider.issuer}/auth?")
    query = dict(part.split("=", 1) for part in urlsplit(authorize).query.split("&"))
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) >= 43
    assert set(query["scope"].replace("+", " ").replace("%20", " ").split()) == {
        "openid",
        "profile",
        "email",
        "rrn",
    }


def test_a_parent_logs_in_and_the_claims_land_without_the_number(
    government_login_site, oidc_provider
):
    session = government_login(government_login_site, oidc_provider, AN)

    assert logged_in_as(session, government_login_site) == AN["email"]
    parent = User.objects.get(email=AN["email"])
    assert parent.full_name == AN["name"]
    assert parent.guardian_key == guardian_key(AN["rrn"])
    assert parent.has_usable_password() is False
    assert EmailAddress.objects.get(user=parent, email=AN["email"]).verified
    # The number itself is nowhere: not in the stored claims, not in the server's log.
    stored = json.dumps(SocialAccount.objects.get(user=parent).extra_data)
    assert AN["rrn"] not in stored
    assert "rrn" not in SocialAccount.objects.get(user=parent).extra_data["userinfo"]
    assert AN["rrn"] not in (ARTIFACTS / "gunicorn-oidc.log").read_text()


def test_logout_ends_the_session_and_the_next_login_is_the_same_account(
    government_login_site, oidc_provider
):
    session = government_login(government_login_site, oidc_provider, AN)
    first = User.objects.get(email=AN["email"])
    base = government_login_site.url("localhost")

    answer = session.post(
        f"{base}/account/logout/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert logged_in_as(session, government_login_site) is None

    government_login(government_login_site, oidc_provider, AN, session=session)
    assert logged_in_as(session, government_login_site) == AN["email"]
    assert User.objects.filter(email=AN["email"]).get().pk == first.pk


def test_two_parents_with_their_own_number_are_two_accounts_and_two_families(
    government_login_site, oidc_provider
):
    government_login(government_login_site, oidc_provider, AN)
    bart_session = government_login(government_login_site, oidc_provider, BART)

    assert logged_in_as(bart_session, government_login_site) == BART["email"]
    an, bart = User.objects.get(email=AN["email"]), User.objects.get(email=BART["email"])
    assert an.pk != bart.pk
    assert an.guardian_key != bart.guardian_key
    assert family_key(parent_id=an.pk) != family_key(parent_id=bart.pk)


def test_another_government_identity_with_the_same_number_reaches_the_same_account(
    government_login_site, oidc_provider
):
    government_login(government_login_site, oidc_provider, AN)
    session = government_login(government_login_site, oidc_provider, AN_AGAIN)

    # The number proves the person: An's account, not a new one with the other address.
    assert logged_in_as(session, government_login_site) == AN["email"]
    assert not User.objects.filter(email=AN_AGAIN["email"]).exists()
    an = User.objects.get(email=AN["email"])
    assert SocialAccount.objects.filter(user=an).count() == 2


def password_login(session: requests.Session, base: str, email: str) -> None:
    session.get(f"{base}/account/login/", timeout=10)
    answer = session.post(
        f"{base}/account/login/",
        data={
            "login": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]


def test_staff_with_a_password_connect_the_government_login_to_their_account(
    government_login_site, oidc_provider, password_accounts
):
    staff = password_accounts["dirk.staff@test.test"]
    session = requests.Session()
    base = government_login_site.url("localhost")
    password_login(session, base, staff.email)

    connections = session.get(f"{base}/account/3rdparty/", timeout=10)
    assert "/account/oidc/acmidm/login/?process=connect" in connections.text
    answer = session.post(
        f"{base}/account/oidc/acmidm/login/?process=connect",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    callback = through_provider(session, answer.headers["Location"], oidc_provider.issuer, DIRK)
    session.get(callback, timeout=15)

    staff.refresh_from_db()
    assert staff.guardian_key == guardian_key(DIRK["rrn"])
    assert SocialAccount.objects.filter(user=staff).count() == 1
    assert not User.objects.filter(email=DIRK["email"]).exists()
    # From now on the government login alone reaches the staff account.
    later = government_login(government_login_site, oidc_provider, DIRK)
    assert logged_in_as(later, government_login_site) == staff.email


def test_an_e_mail_address_alone_never_opens_an_existing_account(
    government_login_site, oidc_provider, password_accounts
):
    existing = password_accounts[EVA["email"]]
    session = government_login(government_login_site, oidc_provider, EVA)

    assert logged_in_as(session, government_login_site) is None
    assert not SocialAccount.objects.filter(user=existing).exists()
    existing.refresh_from_db()
    assert existing.guardian_key == ""


@pytest.mark.parametrize("mode", ["tamper", "expire"])
def test_a_tampered_or_expired_id_token_is_refused(government_login_site, oidc_provider, mode):
    oidc_provider.set_mode(mode)
    try:
        session = government_login(government_login_site, oidc_provider, CARLA)
    finally:
        oidc_provider.set_mode("normal")

    assert logged_in_as(session, government_login_site) is None
    assert not User.objects.filter(email=CARLA["email"]).exists()
    # A page that says so, in Dutch, with the way back to the password login.
    assert 'id="government-login-failed"' in session.last_page.text
    assert "Aanmelden via de overheid is niet gelukt" in session.last_page.text
    assert "/account/login/" in session.last_page.text


def test_a_child_national_number_is_not_a_guardian_key():
    number = AN["rrn"]
    child = child_keys(
        first_name="Lena", last_name="Peeters", birth_date=_date(), national_number=number
    )
    assert guardian_key(number) != child.national_number_key
    assert guardian_key(number) == guardian_key("85.07.30-033.28")
    assert number not in guardian_key(number)


def _date():
    from datetime import date

    return date(2026, 2, 25)


# --- In the test process: the login page, and the signed-JWT client ---------------------


def apps(oidc_provider, **client) -> dict:
    app = {
        "provider_id": "acmidm",
        "name": "ACM/IDM",
        "client_id": "opvangloket",
        "secret": oidc_provider.client_secret,
        "settings": {"server_url": oidc_provider.issuer, "oauth_pkce_enabled": True},
    }
    app.update(client)
    return {
        "openid_connect": {
            "provider_class": PROVIDER_CLASS,
            "APPS": [app],
        }
    }


@pytest.mark.django_db
def test_the_login_page_has_no_government_button_when_it_is_not_configured(client_for):
    page = client_for("alpha").get("/account/login/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    assert BUTTON not in page.content.decode()
    assert client_for("alpha").get("/account/oidc/acmidm/login/").status_code == 404


@pytest.mark.django_db
def test_the_login_page_offers_the_government_login_in_every_language(client_for, oidc_provider):
    with override_settings(SOCIALACCOUNT_PROVIDERS=apps(oidc_provider)):
        for language, text in (
            ("nl", "Aanmelden met eID of itsme"),
            ("fr", "Se connecter avec l’eID ou itsme"),
            ("en", "Log in with eID or itsme"),
        ):
            page = client_for("alpha").get("/account/login/", HTTP_ACCEPT_LANGUAGE=language)
            html = page.content.decode()
            assert BUTTON in html
            assert text in html, language
        # The e-mail and password login stays.
        assert 'name="password"' in html


@pytest.mark.django_db
def test_a_signed_jwt_client_logs_in_without_a_secret(client_for, oidc_provider):
    key = oidc_provider.client_key
    settings = {
        "server_url": oidc_provider.issuer,
        "oauth_pkce_enabled": True,
        "private_key": key.pem,
        "key_id": key.kid,
    }
    with override_settings(
        SOCIALACCOUNT_PROVIDERS=apps(
            oidc_provider, client_id="opvangloket-jwt", secret="", settings=settings
        )
    ):
        client = client_for("localhost")
        answer = client.post("/account/oidc/acmidm/login/")
        assert answer.status_code == 302
        callback = through_provider(
            requests.Session(), answer["Location"], oidc_provider.issuer, BART
        )
        parts = urlsplit(callback)
        assert parts.netloc == "localhost"
        done = client.get(f"{parts.path}?{parts.query}")

    assert done.status_code == 302, done.content.decode()[:500]
    bart = User.objects.get(email=BART["email"])
    assert bart.guardian_key == guardian_key(BART["rrn"])
    assert client.get("/api/v1/me/").json()["email"] == BART["email"]


@pytest.mark.django_db
def test_erasing_the_account_forgets_the_number_and_the_government_identity(world):
    from datetime import UTC, datetime

    from shared.portal.own_data import account_erase

    parent = User.objects.create_user(
        "te.wissen@ouders.example", guardian_key=guardian_key(AN["rrn"])
    )
    SocialAccount.objects.create(
        user=parent, provider="acmidm", uid="te-wissen", extra_data={"userinfo": {"name": "X"}}
    )

    account_erase(user=parent, now=datetime(2026, 12, 2, tzinfo=UTC))

    parent.refresh_from_db()
    assert parent.guardian_key == ""
    assert not SocialAccount.objects.filter(user=parent).exists()


def test_a_civil_servants_role_claim_becomes_the_membership_it_names(
    government_login_site, oidc_provider, world
):
    """``loket_staff:alpha`` makes Karel loket staff of alpha; a claim naming no known loket
    (``provider_staff:nergensdorp``) or no known role (``chef:alpha``) grants nothing."""
    from django_tenants.utils import tenant_context

    from shared.accounts.models import Membership
    from tenants.audit.models import AuditEvent

    session = government_login(government_login_site, oidc_provider, KAREL)
    assert logged_in_as(session, government_login_site) == KAREL["email"]
    karel = User.objects.get(email=KAREL["email"])
    roles = set(Membership.objects.filter(user=karel).values_list("role", "loket__slug"))
    assert roles == {("loket_staff", "alpha")}
    assert Membership.objects.get(user=karel).granted_by_claim
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(
            object_type=AuditEvent.ObjectType.MEMBERSHIP,
            details__event="role_granted",
            details__source="government_login",
        ).exists()


def test_a_role_no_longer_claimed_is_withdrawn_and_roles_given_by_people_stay(world):
    from shared.accounts.government_login.staff_claims import staff_claims_apply
    from shared.accounts.models import Membership
    from shared.accounts.services import membership_grant

    user = User.objects.create(email="claims.only@overheid.example")
    membership_grant(user=user, role=Membership.Role.PROVIDER_STAFF, loket=world.lokets["beta"])
    assert staff_claims_apply(
        user=user,
        claims={"opvangloket_roles": ["loket_staff:alpha", "region_coordinator:testregio"]},
    ) == (2, 0)
    assert staff_claims_apply(user=user, claims={"opvangloket_roles": []}) == (0, 2)
    left = set(Membership.objects.filter(user=user).values_list("role", "loket__slug"))
    assert left == {("provider_staff", "beta")}
