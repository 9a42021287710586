"""Loket staff give their loket its own face (/beheer/huisstijl/) from the keyboard: a
colour too light for white text is refused in Dutch and stays typed in the form; a logo
and a readable colour are then shown on the loket's public pages, and not on another's."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.lokets.branding import PLATFORM_COLOUR, branding_update
from shared.lokets.models import BrandImage
from tenants.audit.models import AuditEvent
from tests.browser.test_every_page import assert_page_is_fine, tab_to
from tests.support.browser import log_in, passwords_for_the_server

pytestmark = pytest.mark.browser

LOKET = "alpha.localhost"
OTHER_LOKET = "beta.localhost"
LIGHT_YELLOW = "#ffd500"  # white text on it: 1.4:1
DARK_GREEN = "#1d6b2f"  # white text on it: 6.6:1
FOOTER = "Een dienst van de gemeente Alpha"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour (8-bit RGB, no filter), as an image program writes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def alpha_staff(django_db_setup, django_db_blocker, tmp_path_factory):
    """Alpha's loket staff, and alpha's face back to none (and its audit lines gone) after."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        started = timezone.now()
        alpha, staff = _world.lokets["alpha"], _world.users["staff_alpha"]
        logo = tmp_path_factory.mktemp("face") / "logo-alpha.png"
        logo.write_bytes(png(120, 40, (29, 107, 47)))
        connection.set_schema_to_public()
        with passwords_for_the_server([staff]):
            yield {"staff": staff, "logo": logo}
        branding_update(owner=alpha, actor=None, brand_colour="", footer_text="", logo=None)
        BrandImage.objects.filter(loket=alpha).delete()
        with tenant_context(alpha):
            AuditEvent.objects.filter(
                object_type=AuditEvent.ObjectType.BRANDING, at__gte=started
            ).delete()
        connection.set_schema_to_public()


def brand_colour(page: Page) -> str:
    return page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )


def test_loket_staff_set_a_logo_and_a_readable_colour_that_only_their_pages_show(
    page: Page, served_site, alpha_staff
):
    origin = served_site.url(LOKET)
    log_in(page, origin, alpha_staff["staff"].email, "/beheer/huisstijl/")
    expect(page.locator("h1")).to_have_text("Huisstijl van het loket")  # walked as it is
    colour = page.get_by_label("Huisstijlkleur")
    footer = page.get_by_label("Tekst onderaan")
    logo = page.get_by_label("Logo", exact=True)
    for field in (colour, footer, logo, page.get_by_label("Favicon", exact=True)):
        expect(field).to_be_visible()

    # From the keyboard: a colour too light for white text on it.
    tab_to(page, "#id_brand_colour")
    page.keyboard.type(LIGHT_YELLOW)
    tab_to(page, "#id_footer_text")
    page.keyboard.type(FOOTER)
    tab_to(page, "#id_logo")  # the file picker is the browser's own dialog
    logo.set_input_files(alpha_staff["logo"])
    tab_to(page, "form button[name=preview]")  # "Check the contrast", then "Save"
    tab_to(page, "form button[type=submit]:not([name=preview])")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    error = page.locator("#id_brand_colour_error")
    expect(error).to_contain_text("Deze kleur is te licht")
    expect(error).to_contain_text("Kies een donkerdere kleur")
    expect(colour).to_have_value(LIGHT_YELLOW)
    expect(colour).to_have_attribute("aria-invalid", "true")
    expect(footer).to_have_value(FOOTER)
    assert_page_is_fine(page, "the face page with its refusal")
    # Nothing was saved: not the colour, not the logo that came with it.
    page.goto(f"{origin}/")
    expect(page.locator("img.brand-logo")).to_have_count(0)
    assert brand_colour(page) == PLATFORM_COLOUR

    page.goto(f"{origin}/beheer/huisstijl/")
    colour.fill(DARK_GREEN)
    footer.fill(FOOTER)
    logo.set_input_files(alpha_staff["logo"])
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".messages")).to_contain_text("De huisstijl is bewaard.")
    expect(colour).to_have_value(DARK_GREEN)

    # The loket's public pages: its logo (a picture the browser could draw) and colour.
    for path in ("/", "/opvang/"):
        page.goto(f"{origin}{path}")
        shown = page.locator("header img.brand-logo")
        expect(shown).to_have_attribute("alt", "Loket Alpha")
        assert page.evaluate("(img) => img.complete && img.naturalWidth", shown.element_handle())
        assert brand_colour(page) == DARK_GREEN
        header = page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert header == "rgb(29, 107, 47)"
        expect(page.locator("footer")).to_contain_text(FOOTER)
    assert_page_is_fine(page, "the loket's search in its own colour")

    # Another loket of the region keeps its own (the platform's) face.
    other = served_site.url(OTHER_LOKET)
    for path in ("/", "/opvang/"):
        page.goto(f"{other}{path}")
        expect(page.locator("img.brand-logo")).to_have_count(0)
        assert brand_colour(page) == PLATFORM_COLOUR
        expect(page.locator("footer")).not_to_contain_text(FOOTER)
