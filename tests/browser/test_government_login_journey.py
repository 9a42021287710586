"""A parent logs in on a loket's host with the government login, in Chromium, and out again.

The provider is a real one on localhost (tests/oidc/provider.js, see tests/support/oidc.py):
its own login page, its redirects, its tokens. A tampered ID token ends on our page that
says the login did not work, and nobody is logged in.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import TIMEOUT_MS
from tests.support.oidc import AN, CARLA

pytestmark = pytest.mark.browser

HOST = "alpha.localhost"


@pytest.fixture
def page(browser, government_login_site) -> Page:
    """A fresh context on the government login site; what our CSP blocks is a failure."""
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    ours = government_login_site.url(HOST)
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text and page.url.startswith(ours)
            else None
        ),
    )
    yield page
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


def log_in_at_the_provider(page: Page, site, person: dict) -> None:
    page.goto(site.url(HOST) + "/account/login/")
    # The password login stays beside it.
    expect(page.locator("input[name=password]")).to_be_visible()
    page.get_by_role("button", name="Aanmelden met eID of itsme").click()
    # The provider's own login page.
    page.locator("input[name=login]").fill(person["login"])
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()


def test_parent_logs_in_with_the_government_login_and_out_again(page, government_login_site):
    log_in_at_the_provider(page, government_login_site, AN)

    expect(page.locator(".who")).to_have_text(AN["email"])
    assert page.url.startswith(government_login_site.url(HOST))
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    page.locator("form[action='/account/logout/'] button").click()
    expect(page.locator(".who")).to_have_count(0)
    # A loket's "Log in" is the region's portal login (shared.accounts.region_login).
    expect(page.locator("a[href='/aanmelden/?next=/']").first).to_be_visible()


def test_a_tampered_id_token_ends_on_a_page_that_says_so(
    page, government_login_site, oidc_provider
):
    oidc_provider.set_mode("tamper")
    try:
        log_in_at_the_provider(page, government_login_site, CARLA)
        expect(page.locator("#government-login-failed")).to_have_text(
            "Aanmelden via de overheid is niet gelukt"
        )
    finally:
        oidc_provider.set_mode("normal")
    expect(page.locator(".who")).to_have_count(0)
