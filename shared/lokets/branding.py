"""A loket's own face: its logo, colour, favicon and footer text, or its region's.

Each part falls back on its own: the loket's, else its region's, else the platform's
(``PLATFORM_COLOUR``, the static favicon, no logo, no footer text). The auditor tenant's
host always shows the platform's face. A colour must keep white text on it and links on
the page readable (WCAG AA, ``MIN_CONTRAST``); an image must be a PNG, JPEG, WebP or ICO
(read from its first bytes, never from its name or the browser's word) of at most
``MAX_IMAGE_BYTES``. SVG is refused: it can carry script.

Images are served at ``/huisstijl/<kind>``, the colour as ``/huisstijl/kleuren.css``
(``branding_views``): the CSP forbids inline style.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.lokets.colours import colour_check, colour_normalise
from shared.lokets.models import BrandImage, Loket, Region
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record

PLATFORM_COLOUR = "#0b5394"
PLATFORM_COLOUR_DARK = "#073763"
MAX_IMAGE_BYTES = 256 * 1024
FOOTER_TEXT_MAX = 300
IMAGE_KINDS = tuple(BrandImage.Kind.values)
UNSET: Any = object()


# --- Colours (checked in shared.lokets.colours) -------------------------------------


def colour_darker(colour: str, *, factor: float = 0.7) -> str:
    """The hover shade (``--brand-dark``): each channel scaled towards black."""
    return "#" + "".join(f"{round(int(colour[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


# --- Images ----------------------------------------------------------------------------


def image_content_type(data: bytes) -> str | None:
    """The type of an image from its first bytes, for the formats accepted; else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\x00\x00\x01\x00") and len(data) > 6:
        return "image/x-icon"
    return None


def image_check(data: bytes) -> str:
    """The content type of ``data``, or ValidationError: too big, or not an accepted format."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)s KB; at most %(maximum)s KB is accepted.")
            % {"size": -(-len(data) // 1024), "maximum": MAX_IMAGE_BYTES // 1024},
            code="too_big",
        )
    content_type = image_content_type(data)
    if content_type is None:
        raise ValidationError(
            _("This is not a PNG, JPEG, WebP or ICO image (SVG is not accepted)."),
            code="image_type",
        )
    return content_type


# --- The face --------------------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """What a page or an e-mail shows of its loket or region."""

    name: str
    colour: str
    colour_dark: str
    footer_text: str
    logo_version: str  # empty: no logo
    favicon_version: str  # empty: the platform's icon
    is_platform_colour: bool

    @property
    def logo_url(self) -> str:
        if not self.logo_version:
            return ""
        return f"{reverse('brand_image', kwargs={'kind': 'logo'})}?v={self.logo_version}"

    @property
    def favicon_url(self) -> str:
        if not self.favicon_version:
            return ""
        return f"{reverse('brand_image', kwargs={'kind': 'favicon'})}?v={self.favicon_version}"

    @property
    def colours_url(self) -> str:
        """The stylesheet that sets the colour; empty for the platform's (site.css has it)."""
        if self.is_platform_colour:
            return ""
        return f"{reverse('brand_colours')}?v={self.colour[1:]}"


def _owners(*, loket: Loket | None, region: Region | None) -> list[Loket | Region]:
    """Whose face counts on this host, first first: the loket, its region; none for the
    auditor tenant (the platform's face)."""
    if loket is not None and loket.is_auditor:
        return []
    region = region if region is not None else (loket.region if loket is not None else None)
    return [owner for owner in (loket, region) if owner is not None]


def _images(owners: list[Loket | Region]) -> list[BrandImage]:
    """The images of ``owners`` (without their bytes), in the owners' order."""
    loket = next((owner for owner in owners if isinstance(owner, Loket)), None)
    region = next((owner for owner in owners if isinstance(owner, Region)), None)
    if loket is None and region is None:
        return []
    query = BrandImage.objects.none()
    if loket is not None:
        query = query | BrandImage.objects.filter(loket=loket)
    if region is not None:
        query = query | BrandImage.objects.filter(region=region)
    images = list(query.only("loket_id", "region_id", "kind", "digest", "content_type"))
    return sorted(images, key=lambda image: 0 if image.loket_id else 1)


def branding_image(*, loket: Loket | None, region: Region | None, kind: str) -> BrandImage | None:
    """The image of ``kind`` shown on this host (with its bytes), or None."""
    for image in _images(_owners(loket=loket, region=region)):
        if image.kind == kind:
            return BrandImage.objects.get(pk=image.pk)
    return None


def branding_for(*, loket: Loket | None, region: Region | None = None) -> Face:
    """The face of a host: ``loket``'s (a loket's host), or ``region``'s (its portal), each
    part from the first that has it, else the platform's. One query for the images."""
    owners = _owners(loket=loket, region=region)
    images = _images(owners)

    def first(attribute: str) -> str:
        return next((getattr(o, attribute) for o in owners if getattr(o, attribute)), "")

    def version(kind: str) -> str:
        return next((image.digest[:16] for image in images if image.kind == kind), "")

    colour = first("brand_colour")
    if loket is not None and not loket.is_auditor:
        name = loket.name
    elif loket is None and owners:
        name = owners[0].name
    else:
        name = "Opvangloket"
    return Face(
        name=name,
        colour=colour or PLATFORM_COLOUR,
        colour_dark=colour_darker(colour) if colour else PLATFORM_COLOUR_DARK,
        footer_text=first("footer_text"),
        logo_version=version(BrandImage.Kind.LOGO),
        favicon_version=version(BrandImage.Kind.FAVICON),
        is_platform_colour=not colour,
    )


def branding_of_loket(loket: Loket | None) -> Face:
    """The face of ``loket`` (its own host's), for e-mails; the platform's for None.

    Read again: a job's loket (and its region) may have been loaded long before."""
    if loket is None:
        return branding_for(loket=None)
    fresh = Loket.objects.select_related("region").filter(pk=loket.pk).first() or loket
    return branding_for(loket=fresh, region=fresh.region)


def branding_of_lokets(lokets: Iterable[Loket]) -> Face:
    """The face of an e-mail about several lokets: the loket's if one, their region's if
    they share one, else the platform's."""
    lokets = list({loket.pk: loket for loket in lokets}.values())
    if len(lokets) == 1:
        return branding_of_loket(lokets[0])
    regions = {loket.region_id for loket in lokets}
    if len(regions) == 1 and None not in regions:
        return branding_for(loket=None, region=Region.objects.get(pk=regions.pop()))
    return branding_for(loket=None, region=None)


def _audit_lokets(owner: Loket | Region) -> list[Loket]:
    if isinstance(owner, Loket):
        return [owner]
    return list(Loket.objects.filter(region=owner, is_active=True).exclude(kind=Loket.Kind.AUDITOR))


@transaction.atomic
def branding_update(
    *,
    owner: Loket | Region,
    actor,
    brand_colour: str = UNSET,
    footer_text: str = UNSET,
    logo: bytes | None = UNSET,
    favicon: bytes | None = UNSET,
) -> Loket | Region:
    """Change the face of a loket or region; an image None removes it, an empty colour or
    footer text falls back to the region's or platform's.

    Raises ValidationError keyed by field (``brand_colour``, ``footer_text``, ``logo``,
    ``favicon``) and changes nothing then. Recorded in the audit trail of the loket, or
    of each loket of the region (which shows the region's face where it has none).
    """
    errors: dict[str, list[ValidationError]] = {}
    changed: list[str] = []
    fields: dict[str, str] = {}
    if brand_colour is not UNSET:
        value = colour_normalise(brand_colour or "")
        try:
            fields["brand_colour"] = colour_check(value) if value else ""
        except ValidationError as error:
            errors["brand_colour"] = error.error_list
    if footer_text is not UNSET:
        text = " ".join((footer_text or "").split())
        if len(text) > FOOTER_TEXT_MAX:
            errors["footer_text"] = [
                ValidationError(
                    _("At most %(maximum)s characters.") % {"maximum": FOOTER_TEXT_MAX},
                    code="max_length",
                )
            ]
        else:
            fields["footer_text"] = text
    images: dict[str, tuple[bytes, str] | None] = {}
    for kind, data in ((BrandImage.Kind.LOGO, logo), (BrandImage.Kind.FAVICON, favicon)):
        if data is UNSET:
            continue
        if data is None:
            images[kind] = None
            continue
        try:
            images[kind] = (data, image_check(data))
        except ValidationError as error:
            errors[kind] = error.error_list
    if errors:
        raise ValidationError(errors)

    for field, value in fields.items():
        if getattr(owner, field) != value:
            setattr(owner, field, value)
            changed.append(field)
    if changed:
        if isinstance(owner, Loket):
            owner.save(update_fields=changed, verbosity=0)
        else:
            owner.save(update_fields=changed)
    owned = {"loket": owner} if isinstance(owner, Loket) else {"region": owner}
    now = timezone.now()
    for kind, image in images.items():
        existing = BrandImage.objects.filter(kind=kind, **owned)
        if image is None:
            if existing.delete()[0]:
                changed.append(kind)
            continue
        data, content_type = image
        digest = hashlib.sha256(data).hexdigest()
        if existing.filter(digest=digest).exists():
            continue
        BrandImage.objects.update_or_create(
            kind=kind,
            **owned,
            defaults={
                "content": data,
                "content_type": content_type,
                "digest": digest,
                "updated_at": now,
            },
        )
        changed.append(kind)

    if changed:
        _audit(owner=owner, actor=actor, changed=changed)
    return owner


def _audit(*, owner: Loket | Region, actor, changed: list[str]) -> None:
    details = {
        "changed": sorted(changed),
        "of": "loket" if isinstance(owner, Loket) else "region",
    }
    for loket in _audit_lokets(owner):
        with tenant_context(loket):
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CHANGED,
                object_type=AuditEvent.ObjectType.BRANDING,
                object_id=owner.pk,
                details=details,
            )
