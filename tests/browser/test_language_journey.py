"""A parent on a loket's home page, by keyboard only: skip link, language switch.

Assertions use data (the loket's name, its municipality) and the ``lang`` attribute,
not translated interface text, so that they hold whatever the catalogues say.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Enough Tab presses to cross the header; a page needing more is a finding in itself.
MAX_TABS = 15


def open_home(page: Page, served_site) -> None:
    page.goto(served_site.url("alpha.localhost") + "/")
    expect(page.locator("h1")).to_have_text("Loket Alpha")


def focused(page: Page, attribute: str) -> str | None:
    return page.evaluate(
        "(name) => document.activeElement && document.activeElement.getAttribute(name)",
        attribute,
    )


def tab_to(page: Page, element_id: str) -> int:
    """Press Tab until the element with ``element_id`` has focus; return how many presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if focused(page, "id") == element_id:
            return presses
    pytest.fail(f"#{element_id} not reached with {MAX_TABS} Tab presses")


def choose_language(page: Page, code: str, first_letter: str) -> None:
    """Tab to the language select, type-ahead to a language, Tab to the button, Enter."""
    tab_to(page, "language-select")
    page.keyboard.press(first_letter)  # type-ahead on the closed select: no mouse, no popup
    expect(page.locator("#language-select")).to_have_value(code)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.form && document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_parent_switches_language_with_the_keyboard(page: Page, served_site):
    open_home(page, served_site)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("main")).to_contain_text("Herent")
    # The label belongs to the select, so screen readers announce it.
    expect(page.locator("label[for=language-select]")).to_have_count(1)

    # Options are named in their own language ("Français", "English").
    choose_language(page, "fr", "F")
    expect(html).to_have_attribute("lang", "fr")
    assert page.url == served_site.url("alpha.localhost") + "/"
    expect(page.locator("h1")).to_have_text("Loket Alpha")
    expect(page.locator("main")).to_contain_text("Herent")
    expect(page.locator("#language-select")).to_have_value("fr")

    choose_language(page, "en", "E")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Loket Alpha")
    expect(page.locator("#language-select")).to_have_value("en")

    # The choice sticks for the next page view.
    page.reload()
    expect(html).to_have_attribute("lang", "en")


def test_language_follows_the_browser_until_the_parent_chooses(page: Page, served_site, browser):
    open_home(page, served_site)
    choose_language(page, "fr", "F")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # Another parent, whose browser prefers French, gets French without choosing;
    # one whose browser prefers Dutch is not affected by the first parent's choice.
    for locale, lang in (("fr-BE", "fr"), ("nl-BE", "nl")):
        other = browser.new_context(locale=locale)
        try:
            other_page = other.new_page()
            other_page.goto(served_site.url("alpha.localhost") + "/")
            expect(other_page.locator("html")).to_have_attribute("lang", lang)
        finally:
            other.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, served_site):
    open_home(page, served_site)

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    assert focused(page, "href") == "#main"
    # Hidden off-screen until focused; a sighted keyboard user must see it then.
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/#main")

    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    in_main = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert in_main, "Tab after the skip link left the main content"
