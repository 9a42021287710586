"""Browser harness: Playwright (sync API) driving Debian's headless Chromium against gunicorn.

Tests get ``page`` (a fresh browser context per test, Belgian Dutch locale) and
``served_site`` (gunicorn on the test database); ``served_site.url("alpha.localhost")``
is the loket's origin, since Chromium resolves ``*.localhost`` to 127.0.0.1.

No browser is ever downloaded (never run ``playwright install``): without
/usr/bin/chromium the browser tests are skipped, or fail when ``CI=true``.
On failure a screenshot is saved in test-artifacts/screenshots/<test>.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Short enough that a broken page fails fast, long enough for a loaded machine.
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (browser tests are required when CI=true)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item (``item.rep_setup``, ``rep_call``) for fixtures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# Playwright's sync API keeps an asyncio loop "running" in the main thread while it is
# started. Django then takes the thread for async code: it needs DJANGO_ALLOW_ASYNC_UNSAFE
# (tests/conftest.py), and it keeps a second, context-local database connection
# (asgiref's thread-critical Local). So Playwright lives only while tests/browser runs
# (package scope, not session), and that second connection is closed before the loop
# goes: left open, it would keep the test database busy and the final DROP DATABASE fails.
@pytest.fixture(scope="package")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        connections.close_all()
        manager.stop()


@pytest.fixture(scope="package")
def browser(playwright_instance):
    """One headless Chromium for all browser tests; each test gets its own context."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser, served_site, request) -> Iterator:
    """A page in a fresh context: no cookies, no language choice, locale nl-BE."""
    context = browser.new_context(locale="nl-BE")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # Whatever the Content-Security-Policy blocks (an inline style or script, a foreign
    # source) is a broken page: Chromium reports each on the console.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
        assert not blocked, f"the Content-Security-Policy blocked: {blocked}"
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            try:
                page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
            except Exception as error:  # a screenshot must never hide the real failure
                request.node.warn(pytest.PytestWarning(f"no screenshot: {error!r}"))
        context.close()
