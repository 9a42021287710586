"""One login per region (issue 12): log in on the portal, logged in on every loket of it.

A ``Browser`` here keeps one cookie jar per host, as a browser does (session cookies are
never shared between hosts), and follows redirects from host to host.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from shared.accounts.models import LoginHandoff, Membership, User
from shared.accounts.services import membership_grant
from shared.lokets.models import Loket, Region
from tests.support.second_factor import authenticator_app_for, fresh_code

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
ALPHA = "alpha.localhost"
BETA = "beta.localhost"
HTML = "text/html,application/xhtml+xml"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0;url=([^"]+)">')


class Browser:
    """Per-host cookie jars; absolute and relative redirects followed across hosts."""

    def __init__(self) -> None:
        self.jars: dict[str, Client] = {}
        self.visited: list[str] = []

    def on(self, host: str) -> Client:
        if host not in self.jars:
            self.jars[host] = Client(HTTP_HOST=host)
        return self.jars[host]

    def get(self, url: str, *, follow: bool = True, **headers):
        parts = urlsplit(url)
        host = parts.hostname
        response = None
        for _hop in range(10):
            path = parts.path + ("?" + parts.query if parts.query else "")
            self.visited.append(f"{host}{path}")
            response = self.on(host).get(
                path, headers={"accept": HTML, "accept-language": "en", **headers}
            )
            refresh = (
                REFRESH.search(response.content.decode()) if response.status_code == 200 else None
            )
            if not follow or (response.status_code not in (301, 302) and refresh is None):
                return response
            location = urlsplit(html.unescape(refresh[1]) if refresh else response["Location"])
            host = location.hostname or host
            parts = location
        raise AssertionError(f"too many redirects: {self.visited}")

    def post(self, host: str, path: str, data: dict):
        return self.on(host).post(path, data)

    def user_on(self, host: str) -> int | None:
        user_id = self.on(host).session.get("_auth_user_id")
        return int(user_id) if user_id else None


def portal_login(browser: Browser, user: User, password: str, next_url: str = "") -> None:
    answer = browser.post(
        PORTAL,
        "/account/login/" + (f"?{urlencode({'next': next_url})}" if next_url else ""),
        {"login": user.email, "password": password},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]


@pytest.fixture
def parent(world) -> User:
    return world.users["parent"]


@pytest.fixture
def browser() -> Browser:
    return Browser()


def test_a_portal_login_logs_the_parent_in_on_every_loket_of_the_region(browser, parent, password):
    portal_login(browser, parent, password)
    assert browser.user_on(PORTAL) == parent.pk
    assert browser.user_on(ALPHA) is None

    # "Log in" on a loket: through the portal, no password typed again.
    page = browser.get(f"http://{ALPHA}/aanmelden/?next=/opvang/")
    assert browser.visited[-1] == f"{ALPHA}/opvang/", browser.visited
    assert page.status_code in (200, 302)
    assert browser.user_on(ALPHA) == parent.pk

    browser.get(f"http://{BETA}/aanmelden/?next=/")
    assert browser.user_on(BETA) == parent.pk
    # Each host has its own session: nothing was shared.
    keys = {browser.on(host).cookies[settings.SESSION_COOKIE_NAME].value for host in browser.jars}
    assert len(keys) == len(browser.jars)


def test_the_loket_login_asks_for_the_password_at_the_portal_then_comes_back(
    browser, parent, password
):
    answer = browser.get(f"http://{ALPHA}/aanmelden/?next=/opvang/", follow=False)
    assert answer["Location"].startswith(f"http://{PORTAL}/aanmelden/?next=")
    at_portal = browser.get(answer["Location"], follow=False)
    assert at_portal["Location"].startswith("/account/login/?next=")
    back = parse_qs(urlsplit(at_portal["Location"]).query)["next"][0]

    portal_login(browser, parent, password, next_url=back)
    browser.get(f"http://{PORTAL}{back}")
    assert browser.visited[-1] == f"{ALPHA}/opvang/"
    assert browser.user_on(ALPHA) == parent.pk


def test_the_login_link_on_a_loket_page_goes_to_the_portal(browser):
    page = browser.get(f"http://{ALPHA}/opvang/").content.decode()
    assert 'href="/aanmelden/?next=/opvang/"' in page


@pytest.mark.parametrize(
    "next_url",
    [
        "http://elders.localhost/",  # another region's loket (below)
        "http://audit.localhost/",  # a loket of no region
        "http://evil.example/",
        "https://alpha.localhost/",  # another scheme than the portal's
        "http://alpha.localhost:8443/",  # another port
        "http://user:pw@alpha.localhost/",
        "/opvang/",
        "",
    ],
)
def test_a_page_outside_the_region_is_refused_as_next(browser, parent, password, next_url):
    other = Region.objects.create(slug="elders", name="Elders", domain="elders-portal.localhost")
    Loket.objects.filter(slug="gamma").update(region=other)
    gamma = Loket.objects.get(slug="gamma")
    gamma.domains.create(domain="elders.localhost", is_primary=False)
    portal_login(browser, parent, password)

    for path in ("/aanmelden/", "/aanmelden/controle/"):
        answer = browser.get(f"http://{PORTAL}{path}?{urlencode({'next': next_url})}")
        assert answer.status_code == 400
        assert "not a loket of this region" in answer.content.decode()
    assert not LoginHandoff.objects.exists()


def test_a_loket_of_another_region_is_not_logged_in(browser, parent, password):
    other = Region.objects.create(slug="elders", name="Elders", domain="elders-portal.localhost")
    Loket.objects.filter(slug="gamma").update(region=other)
    portal_login(browser, parent, password)
    with override_settings(REGION_LOGIN_CHECK=True):
        browser.get("http://gamma.localhost/opvang/")
    assert browser.user_on("gamma.localhost") is None
    assert "testregio.localhost" not in " ".join(browser.visited)
    assert browser.visited[-1] == "gamma.localhost/opvang/", browser.visited


def hand_off_to(browser: Browser, host: str) -> str:
    """The hand-off URL the portal gives for ``host`` (not followed), as "Log in" there."""
    to_portal = browser.get(f"http://{host}/aanmelden/?next=/", follow=False)["Location"]
    assert to_portal.startswith(f"http://{PORTAL}/aanmelden/?")
    answer = browser.get(to_portal, follow=False)
    url = html.unescape(REFRESH.search(answer.content.decode())[1])
    assert url.startswith(f"http://{host}/aanmelden/overdracht/?token=")
    return url


def test_a_hand_off_works_once(browser, parent, password):
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA)
    browser.get(url)
    assert browser.user_on(ALPHA) == parent.pk

    assert browser.post(ALPHA, "/account/logout/", {}).status_code == 302
    portal_login(browser, parent, password)
    answer = browser.get(url)  # the same link again, in the same browser
    assert answer.status_code == 400
    assert "already been used" in answer.content.decode()
    assert browser.user_on(ALPHA) is None


def test_a_hand_off_is_only_taken_by_the_browser_that_started_it(browser, parent, password):
    """Someone's own hand-off link, sent to another person, does not log that person in
    with the sender's account (login CSRF)."""
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA)
    victim = Browser()
    victim.get(f"http://{ALPHA}/aanmelden/?next=/", follow=False)  # a state of their own
    answer = victim.get(url)
    assert answer.status_code == 400
    assert "not started in this browser" in answer.content.decode()
    assert victim.user_on(ALPHA) is None
    browser.get(url)  # still good for its own browser
    assert browser.user_on(ALPHA) == parent.pk


def test_an_expired_hand_off_is_refused(browser, parent, password):
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA)
    LoginHandoff.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = browser.get(url)
    assert answer.status_code == 400
    assert "expired" in answer.content.decode()
    assert browser.user_on(ALPHA) is None


def test_a_hand_off_for_another_host_is_refused(browser, parent, password):
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA).replace(ALPHA, BETA)
    state = browser.on(ALPHA).cookies["region_login_state"].value
    browser.on(BETA).cookies["region_login_state"] = state  # even with the right state
    answer = browser.get(url)
    assert answer.status_code == 400
    assert "another address" in answer.content.decode()
    assert browser.user_on(BETA) is None
    # Used up by the attempt: not usable on its own host afterwards either.
    assert "already been used" in browser.get(url.replace(BETA, ALPHA)).content.decode()


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_an_unknown_hand_off_is_refused(browser, token):
    browser.get(f"http://{ALPHA}/aanmelden/?next=/", follow=False)
    state = browser.on(ALPHA).cookies["region_login_state"].value
    query = urlencode({"token": token, "state": state})
    answer = browser.get(f"http://{ALPHA}/aanmelden/overdracht/?{query}")
    assert answer.status_code == 400
    assert "not valid" in answer.content.decode()


def test_a_hand_off_never_sends_the_browser_to_another_site(browser, parent, password):
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA).split("&next=")[0] + "&next=//evil.example/"
    answer = browser.get(url, follow=False)
    assert answer["Location"] == "/"
    assert browser.user_on(ALPHA) == parent.pk


def test_only_a_hash_of_the_token_is_kept(browser, parent, password):
    portal_login(browser, parent, password)
    token = parse_qs(urlsplit(hand_off_to(browser, ALPHA)).query)["token"][0]
    stored = LoginHandoff.objects.get()
    assert token not in stored.token_hash
    assert stored.host == ALPHA and stored.user == parent


def test_logging_out_on_one_host_logs_out_everywhere(browser, parent, password):
    portal_login(browser, parent, password)
    browser.get(f"http://{ALPHA}/aanmelden/?next=/")
    browser.get(f"http://{BETA}/aanmelden/?next=/")
    assert browser.user_on(ALPHA) == browser.user_on(BETA) == parent.pk

    assert browser.post(ALPHA, "/account/logout/", {}).status_code == 302
    assert browser.user_on(ALPHA) is None
    me_on = {host: browser.on(host).get("/api/v1/me/") for host in (PORTAL, BETA)}
    for host, answer in me_on.items():
        assert answer.status_code in (401, 403), (host, answer.content)
        assert browser.user_on(host) is None

    # A new login starts a new generation: it works, on the loket too.
    portal_login(browser, parent, password)
    browser.get(f"http://{BETA}/aanmelden/?next=/")
    assert browser.user_on(BETA) == parent.pk
    assert browser.on(BETA).get("/api/v1/me/").status_code == 200


def test_a_hand_off_issued_before_a_logout_is_refused(browser, parent, password):
    portal_login(browser, parent, password)
    url = hand_off_to(browser, ALPHA)
    browser.post(PORTAL, "/account/logout/", {})
    answer = browser.get(url)
    assert answer.status_code == 400
    assert browser.user_on(ALPHA) is None


def test_the_language_follows(browser, parent, password):
    browser.post(PORTAL, "/i18n/setlang/", {"language": "fr", "next": "/"})
    portal_login(browser, parent, password)
    browser.get(f"http://{ALPHA}/aanmelden/?next=/opvang/")
    alpha = browser.on(ALPHA)
    assert alpha.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = alpha.get("/opvang/", headers={"accept-language": "nl"})
    assert page.headers["Content-Language"] == "fr"


def test_the_silent_check_logs_in_on_the_first_page_of_a_loket(browser, parent, password):
    portal_login(browser, parent, password)
    with override_settings(REGION_LOGIN_CHECK=True):
        page = browser.get(f"http://{ALPHA}/opvang/?q=x")
        assert page.status_code == 200
        assert browser.visited[-1] == f"{ALPHA}/opvang/?q=x"
        assert any(step.startswith(f"{PORTAL}/aanmelden/controle/") for step in browser.visited)
        assert browser.user_on(ALPHA) == parent.pk


def test_the_silent_check_happens_once_and_not_for_the_api(browser):
    with override_settings(REGION_LOGIN_CHECK=True):
        browser.get(f"http://{ALPHA}/opvang/")
        assert browser.visited[-1] == f"{ALPHA}/opvang/"
        assert len(browser.visited) == 3  # the page, the portal's check, the page
        browser.visited.clear()
        browser.get(f"http://{ALPHA}/")
        assert browser.visited == [f"{ALPHA}/"]

        fresh = Browser()
        assert fresh.get(f"http://{ALPHA}/api/v1/loket/", follow=False).status_code == 200
        assert fresh.on(ALPHA).get("/opvang/").status_code == 200  # no Accept: text/html
        assert fresh.on(ALPHA).post("/opvang/").status_code != 302
    assert browser.user_on(ALPHA) is None


def test_staff_who_used_their_second_factor_on_the_portal_are_not_asked_again(
    browser, world, password
):
    staff = world.users["staff_alpha"]
    secret = authenticator_app_for(staff)
    answer = browser.post(PORTAL, "/account/login/", {"login": staff.email, "password": password})
    assert answer["Location"] == "/account/2fa/authenticate/"
    assert browser.post(PORTAL, "/account/2fa/authenticate/", {"code": fresh_code(secret)})[
        "Location"
    ]

    page = browser.get(f"http://{ALPHA}/aanmelden/?next=/beheer/")
    assert browser.visited[-1] == f"{ALPHA}/beheer/", browser.visited
    assert page.status_code == 200
    records = browser.on(ALPHA).session[AUTHENTICATION_METHODS_SESSION_KEY]
    assert any(record["method"] == "mfa" for record in records)


def test_staff_without_a_second_factor_still_have_to_set_one_up_on_the_loket(
    browser, world, password
):
    staff = world.users["staff_beta"]
    portal_login(browser, staff, password)
    browser.get(f"http://{BETA}/aanmelden/?next=/beheer/")
    # At the login host first; no hand-off to the loket before that.
    assert browser.visited[-1] == f"{PORTAL}/account/2fa/setup/", browser.visited
    assert browser.user_on(BETA) is None
    assert not LoginHandoff.objects.exists()


def test_an_account_that_becomes_staff_after_the_hand_off_sets_up_its_second_factor_there(
    browser, parent, world, password
):
    """The loket's session keeps how the portal's login was made (a password), so a role
    that comes later on the loket (an invitation accepted there) asks for the second
    factor before any staff page, on the loket as on the portal."""
    portal_login(browser, parent, password)
    browser.get(f"http://{BETA}/aanmelden/?next=/")
    assert browser.user_on(BETA) == parent.pk
    membership_grant(user=parent, role=Membership.Role.LOKET_STAFF, loket=world.lokets["beta"])

    for host, path in ((PORTAL, "/"), (BETA, "/beheer/")):
        answer = browser.get(f"http://{host}{path}", follow=False)
        assert (answer.status_code, answer.get("Location")) == (302, "/account/2fa/setup/"), host
    assert browser.on(BETA).get("/api/v1/requests/").status_code == 403


def test_the_silent_check_is_not_made_on_the_way_from_a_page_of_the_same_host(browser):
    """After a form of the loket (a logout), the browser keeps the redirects to the form's
    host (the Content-Security-Policy's form-action): no bounce to the portal then."""
    with override_settings(REGION_LOGIN_CHECK=True):
        answer = browser.get(f"http://{ALPHA}/", follow=False, sec_fetch_site="same-origin")
        assert answer.status_code == 200
        assert browser.get(f"http://{ALPHA}/", follow=False).status_code == 302


def test_the_hand_off_after_the_portal_login_form_is_a_page_not_a_redirect(
    browser, parent, password
):
    """The login form's redirects must stay on the portal (form-action 'self')."""
    back = f"/aanmelden/?{urlencode({'next': f'http://{ALPHA}/opvang/'})}"
    portal_login(browser, parent, password, next_url=back)
    page = browser.get(f"http://{PORTAL}{back}", follow=False)
    assert page.status_code == 200
    assert f'href="http://{ALPHA}/aanmelden/overdracht/?token=' in page.content.decode()


@override_settings(ALLOWED_HOSTS=[".localhost", "opvang-alpha.example"])
def test_a_custom_domain_of_a_loket_of_the_region_is_logged_in_too(
    browser, world, parent, password
):
    world.lokets["alpha"].domains.create(domain="opvang-alpha.example", is_primary=False)
    portal_login(browser, parent, password)
    browser.get("http://opvang-alpha.example/aanmelden/?next=/opvang/")
    assert browser.visited[-1] == "opvang-alpha.example/opvang/", browser.visited
    assert browser.user_on("opvang-alpha.example") == parent.pk
    assert browser.user_on(ALPHA) is None  # its other host keeps its own session
