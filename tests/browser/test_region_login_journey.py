"""One login per region in Chromium: log in once on the portal, logged in on its lokets.

The parent chooses French and logs in on the region's portal, then opens two lokets of the
region: each shows them logged in, in French, without a password typed again (the silent
check at the portal, once per browser session). Logging out on one loket logs them out on
the portal and on the other loket too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import passwords_for_the_server
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "parent@test.test"


@pytest.fixture(scope="module")
def parent_with_password(django_db_setup, django_db_blocker):
    from tests.conftest import _world

    with django_db_blocker.unblock(), passwords_for_the_server([_world.users["parent"]]):
        yield


def test_one_login_on_the_portal_serves_every_loket_of_the_region(
    page: Page, served_site, parent_with_password
):
    portal = served_site.url("testregio.localhost")
    alpha = served_site.url("alpha.localhost")
    beta = served_site.url("beta.localhost")

    page.goto(f"{portal}/")
    page.locator("#language-select").select_option("fr")
    with page.expect_navigation():
        page.locator(".language-switch button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # On a loket, not logged in yet: "Log in" is the portal's login, and back.
    page.goto(f"{alpha}/")
    expect(page.locator(".who")).to_have_count(0)
    with page.expect_navigation():
        page.locator("header a[href='/aanmelden/?next=/']").click()
    page.wait_for_url(f"{portal}/account/login/**")
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{alpha}/")
    expect(page.locator(".who")).to_have_text(EMAIL)
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # The portal and the region's other loket: logged in, nothing typed.
    for origin, name in ((portal, None), (beta, "Loket Beta")):
        page.goto(f"{origin}/")
        page.wait_for_url(f"{origin}/")
        if name:
            expect(page.locator("h1")).to_have_text(name)
        expect(page.locator(".who")).to_have_text(EMAIL)
        expect(page.locator("html")).to_have_attribute("lang", "fr")

    # Logging out on one loket ends the login everywhere.
    with page.expect_navigation():
        page.locator("form[action='/account/logout/'] button").click()
    for origin in (portal, alpha):
        page.goto(f"{origin}/")
        expect(page.locator(".who")).to_have_count(0)
        expect(page.locator("a[href^='/aanmelden/'], a[href^='/account/login/']")).to_have_count(1)
