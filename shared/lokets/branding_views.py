"""The face of a loket or region: its images and colour stylesheet on every host, and the
staff page that changes it (loket staff on the loket's host, region coordinators on the
portal)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shared.accounts.permissions import Access, role_required
from shared.lokets.branding import IMAGE_KINDS, branding_for, branding_image, branding_update
from shared.lokets.colours import (
    MIN_CONTRAST,
    colour_check,
    colour_contrast,
    colour_normalise,
    ratio_shown,
)
from shared.lokets.forms import BrandingForm
from shared.lokets.models import Loket, Region, colour_validator

# Versioned URLs (``?v=``) change with the content; the plain URL is revalidated by ETag.
CACHE_CONTROL = "public, max-age=3600"
BRANDING_ACCESS = (Access.PROVIDERS_LOKET_STAFF, Access.REGION_COORDINATOR)


def _host_face(request: HttpRequest):
    return branding_for(loket=getattr(request, "loket", None), region=request.region)


def _cached(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
    quoted = f'"{etag}"'
    if quoted in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    response["ETag"] = quoted
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Host"
    return response


@require_safe
def brand_image(request: HttpRequest, kind: str) -> HttpResponse:
    """The logo or favicon shown on this host (the loket's, else its region's); 404 if none."""
    if kind not in IMAGE_KINDS:
        raise Http404
    image = branding_image(loket=getattr(request, "loket", None), region=request.region, kind=kind)
    if image is None:
        raise Http404
    response = HttpResponse(bytes(image.content), content_type=image.content_type)
    response["Content-Disposition"] = "inline"
    return _cached(request, response, image.digest)


@require_safe
def brand_colours(request: HttpRequest) -> HttpResponse:
    """The colours of this host's face as custom properties over site.css's."""
    face = _host_face(request)
    css = f":root {{ --brand: {face.colour}; --brand-dark: {face.colour_dark}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    return _cached(request, response, f"{face.colour[1:]}{face.colour_dark[1:]}")


def branding_owner(request: HttpRequest) -> Loket | Region:
    """Whose face the staff page changes: the loket of this host, or the portal's region."""
    return request.loket if getattr(request, "loket", None) is not None else request.region


def swatch_uri(colour: str) -> str:
    """A small SVG of the colour with white text, as a data URI (the CSP allows data:
    images, not inline style); ``colour`` is checked #rrggbb."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48">'
        f'<rect width="240" height="48" fill="{colour}"/>'
        '<text x="12" y="30" fill="#ffffff" font-family="sans-serif" font-size="16">'
        "Aa Opvangloket</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg)


@role_required(*BRANDING_ACCESS)
def branding_edit(request: HttpRequest) -> HttpResponse:
    """Logo, colour, favicon and footer text; "Check" shows the contrast without saving."""
    owner = branding_owner(request)
    initial = {"brand_colour": owner.brand_colour, "footer_text": owner.footer_text}
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    checked = None
    if request.method == "POST" and form.is_valid():
        colour = form.cleaned_data["brand_colour"]
        if "preview" in request.POST:
            if colour:
                checked = _contrast_of(colour)
                try:
                    colour_check(colour)
                except ValidationError as error:
                    form.add_error("brand_colour", error)
        else:
            try:
                branding_update(
                    owner=owner,
                    actor=request.user,
                    brand_colour=colour,
                    footer_text=form.cleaned_data["footer_text"],
                    logo=form.image("logo"),
                    favicon=form.image("favicon"),
                )
            except ValidationError as error:
                form.add_error(None, error)
                if colour:
                    checked = _contrast_of(colour)
            else:
                messages.success(request, _("The face has been saved."))
                return redirect("branding_edit")
    face = _host_face(request)
    return render(
        request,
        "lokets/branding_form.html",
        {
            "form": form,
            "owner": owner,
            "is_region": isinstance(owner, Region),
            "face": face,
            "current": _contrast_of(face.colour),
            "checked": checked,
            "minimum": MIN_CONTRAST,
            "has_logo": owner.brand_images.filter(kind="logo").exists(),
            "has_favicon": owner.brand_images.filter(kind="favicon").exists(),
        },
    )


def _contrast_of(colour: str) -> dict | None:
    """The contrast figures of a colour for the page; None unless it is #rrggbb."""
    colour = colour_normalise(colour)
    try:
        colour_validator(colour)
    except ValidationError:
        return None
    contrast = colour_contrast(colour)
    return {
        "colour": contrast.colour,
        "white": ratio_shown(contrast.with_white_text),
        "backgrounds": [
            (background, ratio_shown(ratio)) for background, ratio in contrast.with_backgrounds
        ],
        "passes": contrast.passes,
        "swatch": swatch_uri(contrast.colour),
    }
