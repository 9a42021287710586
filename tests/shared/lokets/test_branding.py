"""A loket's own face: colour, logo, favicon and footer text, with the region's and the
platform's as fallback; who may change it, and what every page then shows."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django_tenants.utils import tenant_context

from shared.lokets.branding import MAX_IMAGE_BYTES, PLATFORM_COLOUR, branding_for, branding_update
from shared.lokets.colours import colour_contrast
from shared.lokets.models import BrandImage, Loket, Region
from tenants.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
ICO = b"\x00\x00\x01\x00\x01\x00" + b"\x10" * 30
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
DARK_GREEN = "#1d6b2f"  # 6.6:1 on white
LIGHT_YELLOW = "#ffd500"  # 1.4:1 on white


def loket(slug: str) -> Loket:
    return Loket.objects.get(slug=slug)


def region() -> Region:
    return Region.objects.get(slug="testregio")


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- The checks ------------------------------------------------------------------------


def test_contrast_is_computed_as_wcag_says():
    assert colour_contrast("#000000").with_white_text == 21.0
    assert colour_contrast(PLATFORM_COLOUR).passes
    assert not colour_contrast(LIGHT_YELLOW).passes


def test_a_dark_colour_is_accepted_and_stored_lower_case(world, client_for):
    branding_update(owner=loket("alpha"), actor=None, brand_colour=DARK_GREEN.upper())
    assert loket("alpha").brand_colour == DARK_GREEN


@pytest.mark.parametrize("colour", [LIGHT_YELLOW, "#777777", "#0b5394ff", "red", "#12345g"])
def test_a_light_or_malformed_colour_is_refused_with_a_field_message(world, colour):
    with pytest.raises(ValidationError) as refused:
        branding_update(owner=loket("alpha"), actor=None, brand_colour=colour)
    assert set(refused.value.message_dict) == {"brand_colour"}
    assert loket("alpha").brand_colour == ""


def test_a_colour_readable_on_white_but_not_on_the_grey_background_is_refused(world):
    # #757575 is 4.6:1 on white but 4.2:1 on #f3f5f8, where the site also puts links.
    contrast = colour_contrast("#757575")
    assert contrast.with_white_text >= 4.5
    assert not contrast.passes
    with pytest.raises(ValidationError):
        branding_update(owner=loket("alpha"), actor=None, brand_colour="#757575")


def test_a_colour_just_below_the_minimum_is_refused_however_close_it_rounds(world):
    """WCAG's 4.5:1 is a threshold, not a rounded figure: #007b96 is 4.499:1 as link text
    on the grey background (#f3f5f8), so it fails, on every way to set it (the service,
    and the model field the admin checks)."""
    contrast = colour_contrast("#007b96")
    assert 4.49 < contrast.lowest < 4.5
    assert not contrast.passes
    with pytest.raises(ValidationError) as refused:
        branding_update(owner=loket("alpha"), actor=None, brand_colour="#007b96")
    # The message never shows a failing contrast as the minimum itself.
    assert "4,4:1" in " ".join(refused.value.messages)  # Dutch, the default language
    alpha = loket("alpha")
    alpha.brand_colour = "#007b96"
    with pytest.raises(ValidationError):
        alpha.full_clean(validate_unique=False)
    assert loket("alpha").brand_colour == ""


def test_the_contrast_message_is_in_the_users_language(client_for):
    client = client_for("alpha", "staff_alpha")
    response = client.post("/beheer/huisstijl/", {"brand_colour": LIGHT_YELLOW, "footer_text": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_brand_colour_error"' in page
    assert "Kies een donkerdere kleur" in page
    assert loket("alpha").brand_colour == ""
    english = client.post(
        "/beheer/huisstijl/",
        {"brand_colour": LIGHT_YELLOW},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Choose a darker colour" in english.content.decode()


def test_a_fake_png_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        branding_update(owner=loket("alpha"), actor=None, logo=SVG)
    assert set(refused.value.message_dict) == {"logo"}
    assert not BrandImage.objects.filter(loket__slug="alpha").exists()


def test_a_fake_png_is_refused_on_the_page(client_for):
    client = client_for("alpha", "staff_alpha")
    response = client.post("/beheer/huisstijl/", {"logo": upload("logo.png", SVG)})
    assert response.status_code == 200
    assert 'id="id_logo_error"' in response.content.decode()
    assert not BrandImage.objects.filter(loket__slug="alpha").exists()


def test_an_oversized_image_is_refused(client_for):
    big = PNG + b"\x00" * MAX_IMAGE_BYTES
    client = client_for("alpha", "staff_alpha")
    response = client.post("/beheer/huisstijl/", {"favicon": upload("icon.png", big)})
    assert response.status_code == 200
    assert 'id="id_favicon_error"' in response.content.decode()
    refused = client.patch(
        "/api/v1/branding/",
        data=encode_multipart(BOUNDARY, {"logo": upload("logo.png", big)}),
        content_type=MULTIPART_CONTENT,
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["logo"]
    assert not BrandImage.objects.filter(loket__slug="alpha").exists()


def test_the_preview_shows_the_contrast_without_saving(client_for):
    client = client_for("alpha", "staff_alpha")
    response = client.post("/beheer/huisstijl/", {"brand_colour": DARK_GREEN, "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert DARK_GREEN in page
    assert "data:image/svg+xml," in page
    assert loket("alpha").brand_colour == ""


# --- One check for every way in: the staff page, the API and the Django admin -----------


def _field_data(form) -> dict:
    """What a browser would post back for ``form`` unchanged (admin change forms)."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [getattr(item, "pk", item) for item in value]
        else:
            data[key] = getattr(value, "pk", value)
    return data


def admin_change_data(response, **changes) -> dict:
    """The admin change form of ``response`` as posted back, with ``changes``."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    data.update(changes)
    return data


def admin_url(owner: Loket | Region) -> str:
    return f"/admin/lokets/{owner._meta.model_name}/{owner.pk}/change/"


@pytest.mark.parametrize("which", ["loket", "region"])
def test_the_admin_refuses_a_colour_too_light_with_the_contrast_message(world, client_for, which):
    owner = loket("alpha") if which == "loket" else region()
    operator = client_for("localhost", user="operator")
    form = operator.get(admin_url(owner), HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200
    response = operator.post(
        admin_url(owner),
        admin_change_data(form, brand_colour=LIGHT_YELLOW),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["brand_colour"]
    assert "Choose a darker colour" in errors["brand_colour"][0]
    assert "Choose a darker colour" in response.content.decode()
    owner.refresh_from_db()
    assert owner.brand_colour == ""


def test_the_admin_saves_a_dark_colour_into_the_audit_trail(world, client_for):
    operator = client_for("localhost", user="operator")
    alpha = loket("alpha")
    form = operator.get(admin_url(alpha))
    # Typed in capitals, as the staff page and the API take it too: stored in lower case.
    response = operator.post(
        admin_url(alpha), admin_change_data(form, brand_colour=DARK_GREEN.upper())
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert loket("alpha").brand_colour == DARK_GREEN
    with tenant_context(alpha):
        event = AuditEvent.objects.get(object_type=AuditEvent.ObjectType.BRANDING)
    assert event.actor == world.users["operator"]
    assert event.details["changed"] == ["brand_colour"]


def test_the_staff_page_the_api_and_the_admin_refuse_a_light_colour_alike(world, client_for):
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    staff = client_for("alpha", "staff_alpha")
    page = staff.post("/beheer/huisstijl/", {"brand_colour": LIGHT_YELLOW}, **english)
    page_message = page.context["form"].errors["brand_colour"][0]
    api = staff.patch(
        "/api/v1/branding/",
        data=json.dumps({"brand_colour": LIGHT_YELLOW.upper()}),
        content_type="application/json",
        **english,
    )
    assert api.status_code == 400
    operator = client_for("localhost", user="operator")
    alpha = loket("alpha")
    form = operator.get(admin_url(alpha), **english)
    admin = operator.post(
        admin_url(alpha), admin_change_data(form, brand_colour=LIGHT_YELLOW), **english
    )
    admin_message = admin.context["adminform"].form.errors["brand_colour"][0]
    assert "contrast of 1.4:1" in page_message
    assert page_message == api.json()["brand_colour"][0] == admin_message
    assert loket("alpha").brand_colour == ""


# --- Who may change it -----------------------------------------------------------------


def test_loket_staff_change_their_face_on_the_page_and_it_is_audited(world, client_for):
    client = client_for("alpha", "staff_alpha")
    assert client.get("/beheer/huisstijl/").status_code == 200
    response = client.post(
        "/beheer/huisstijl/",
        {
            "brand_colour": DARK_GREEN,
            "footer_text": "Een dienst van de gemeente Alpha",
            "logo": upload("logo.png", PNG),
            "favicon": upload("favicon.ico", ICO, "image/x-icon"),
        },
    )
    assert response.status_code == 302
    alpha = loket("alpha")
    assert alpha.brand_colour == DARK_GREEN
    assert alpha.footer_text == "Een dienst van de gemeente Alpha"
    assert set(alpha.brand_images.values_list("kind", "content_type")) == {
        ("logo", "image/png"),
        ("favicon", "image/x-icon"),
    }
    with tenant_context(alpha):
        event = AuditEvent.objects.get(object_type=AuditEvent.ObjectType.BRANDING)
    assert event.actor == world.users["staff_alpha"]
    assert event.details["changed"] == ["brand_colour", "favicon", "footer_text", "logo"]
    with tenant_context(world.lokets["beta"]):
        assert not AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.BRANDING)


def test_loket_staff_change_their_face_by_the_api(client_for):
    client = client_for("alpha", "staff_alpha")
    assert client.get("/api/v1/branding/").json()["owner"] == "loket"
    response = client.patch(
        "/api/v1/branding/",
        data=json.dumps({"brand_colour": DARK_GREEN}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["shown_colour"] == DARK_GREEN
    refused = client.patch(
        "/api/v1/branding/",
        data=json.dumps({"brand_colour": LIGHT_YELLOW}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["brand_colour"]
    with_logo = client.patch(
        "/api/v1/branding/",
        data=encode_multipart(BOUNDARY, {"logo": upload("logo.png", PNG)}),
        content_type=MULTIPART_CONTENT,
    )
    assert with_logo.status_code == 200, with_logo.content
    assert with_logo.json()["has_logo"] is True
    assert loket("alpha").brand_colour == DARK_GREEN


@pytest.mark.parametrize(
    ("host", "user"),
    [
        ("alpha", "staff_beta"),  # another loket's staff on alpha's host
        ("alpha", "provider_alpha"),
        ("alpha", "parent"),
        ("alpha", "coordinator"),  # a region coordinator counts on the portal only
        ("alpha", "auditor"),
        ("audit", "auditor"),
        (PORTAL, "staff_alpha"),  # loket staff change their loket, never the region
        (PORTAL, "parent"),
        ("localhost", "coordinator"),  # the platform's own host has no region
    ],
)
def test_others_cannot_change_the_face(world, client_for, host, user):
    client = client_for(host, user)
    page = client.post("/beheer/huisstijl/", {"brand_colour": "#000000", "footer_text": "x"})
    assert page.status_code in (403, 404)
    api = client.patch(
        "/api/v1/branding/",
        data=json.dumps({"brand_colour": "#000000", "footer_text": "x"}),
        content_type="application/json",
    )
    assert api.status_code in (401, 403)
    assert not Loket.objects.exclude(brand_colour="").exists()
    assert not Region.objects.exclude(brand_colour="").exists()
    assert not Loket.objects.exclude(footer_text="").exists()


def test_staff_of_beta_change_beta_whatever_host_header_they_add(world, client_for):
    """The host decides the loket: beta's staff on alpha's host are refused, and on
    their own host they change beta only."""
    client = client_for("beta", "staff_beta")
    response = client.patch(
        "/api/v1/branding/",
        data=json.dumps({"brand_colour": "#000000"}),
        content_type="application/json",
        HTTP_X_FORWARDED_HOST="alpha.localhost",
    )
    assert response.status_code == 200
    assert loket("beta").brand_colour == "#000000"
    assert loket("alpha").brand_colour == ""
    forged = client_for("beta", "staff_beta")
    forged.defaults["HTTP_HOST"] = "alpha.localhost"
    assert (
        forged.patch(
            "/api/v1/branding/",
            data=json.dumps({"brand_colour": "#111111"}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert loket("alpha").brand_colour == ""


def test_the_region_coordinator_changes_the_region_on_the_portal(world, client_for):
    client = client_for(PORTAL, "coordinator")
    home = client.get("/").content.decode()
    assert 'href="/beheer/huisstijl/"' in home
    response = client.post(
        "/beheer/huisstijl/", {"brand_colour": DARK_GREEN, "footer_text": "Testregio"}
    )
    assert response.status_code == 302
    assert region().brand_colour == DARK_GREEN
    assert loket("alpha").brand_colour == ""
    # Every loket of the region shows it: each trail says so.
    for slug in ("alpha", "beta", "gamma"):
        with tenant_context(world.lokets[slug]):
            event = AuditEvent.objects.get(object_type=AuditEvent.ObjectType.BRANDING)
            assert event.details["of"] == "region"


def test_the_staff_home_links_the_page(client_for):
    page = client_for("alpha", "staff_alpha").get("/beheer/").content.decode()
    assert 'href="/beheer/huisstijl/"' in page


# --- What the pages show ---------------------------------------------------------------


def test_the_loket_host_shows_its_own_face(world, client_for):
    branding_update(
        owner=loket("alpha"),
        actor=None,
        brand_colour=DARK_GREEN,
        footer_text="Een dienst van Alpha",
        logo=PNG,
        favicon=ICO,
    )
    client = client_for("alpha")
    page = client.get("/").content.decode()
    assert 'alt="Loket Alpha"' in page
    assert 'src="/huisstijl/logo?v=' in page
    assert '<link rel="icon" href="/huisstijl/favicon?v=' in page
    assert "Een dienst van Alpha" in page
    assert f'href="/huisstijl/kleuren.css?v={DARK_GREEN[1:]}"' in page
    css = client.get("/huisstijl/kleuren.css")
    assert css["Content-Type"].startswith("text/css")
    assert f"--brand: {DARK_GREEN};" in css.content.decode()
    logo = client.get("/huisstijl/logo")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo.content == PNG
    assert "max-age" in logo["Cache-Control"]
    again = client.get("/huisstijl/logo", HTTP_IF_NONE_MATCH=logo["ETag"])
    assert again.status_code == 304
    # The same for everyone: cacheable for a logged-in parent too (pages are not).
    logged_in = client_for("alpha", "parent")
    assert "no-store" not in logged_in.get("/huisstijl/kleuren.css")["Cache-Control"]
    assert "no-store" in logged_in.get("/")["Cache-Control"]
    # Beta has none of it: the platform's face.
    beta = client_for("beta").get("/").content.decode()
    assert "kleuren.css" not in beta and "/huisstijl/logo" not in beta
    assert client_for("beta").get("/huisstijl/logo").status_code == 404


def test_a_loket_without_its_own_face_shows_its_regions(world, client_for):
    branding_update(
        owner=region(), actor=None, brand_colour=DARK_GREEN, footer_text="Testregio", logo=PNG
    )
    branding_update(owner=loket("gamma"), actor=None, brand_colour="#000000")
    beta = client_for("beta").get("/").content.decode()
    assert f"kleuren.css?v={DARK_GREEN[1:]}" in beta
    assert 'alt="Loket Beta"' in beta
    assert "Testregio" in beta
    assert client_for("beta").get("/huisstijl/logo").content == PNG
    # Gamma's own colour wins; the rest comes from the region.
    gamma = branding_for(loket=loket("gamma"))
    assert gamma.colour == "#000000"
    assert gamma.footer_text == "Testregio"
    assert gamma.logo_version
    portal = client_for(PORTAL).get("/").content.decode()
    assert f"kleuren.css?v={DARK_GREEN[1:]}" in portal


def test_the_auditor_host_keeps_the_platform_face(world, client_for):
    branding_update(owner=region(), actor=None, brand_colour=DARK_GREEN, logo=PNG)
    audit = loket("audit")
    audit.brand_colour = DARK_GREEN  # even set by hand, the auditor host ignores it
    audit.save(update_fields=["brand_colour"], verbosity=0)
    page = client_for("audit").get("/account/login/").content.decode()
    assert "kleuren.css" not in page
    assert "/huisstijl/logo" not in page
    assert "opvangloket/favicon" in page
    assert (
        client_for("audit").get("/huisstijl/kleuren.css").content.decode().find(PLATFORM_COLOUR)
        >= 0
    )


def test_the_contrast_figures_of_the_refusal_are_written_as_the_language_writes_them(
    world, client_for
):
    staff = client_for("alpha", "staff_alpha")
    for language in ("nl", "fr"):
        page = staff.post(
            "/beheer/huisstijl/", {"brand_colour": LIGHT_YELLOW}, HTTP_ACCEPT_LANGUAGE=language
        )
        message = page.context["form"].errors["brand_colour"][0]
        assert "1,4:1" in message and "4,5:1" in message, message
        assert "4.5:1" not in message and "1.4:1" not in message
    english = staff.post(
        "/beheer/huisstijl/", {"brand_colour": LIGHT_YELLOW}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "4.5:1" in english.context["form"].errors["brand_colour"][0]
