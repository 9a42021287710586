"""The privacy statement and the accessibility statement of a host, as facts to show.

On a loket's host the loket is the controller of what the family registers there. A
region's portal registers one request with the lokets of the region: each loket is the
controller of its own part, so the portal's statement lists them all. The platform's root
names no controller of requests (nothing is registered there).

The facts come from the loket (its contact, its retention period) and from the platform's
settings (who runs the platform, when accessibility was last evaluated); the texts are
in the templates, translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from shared.lokets.models import Loket, Region
from shared.lokets.selectors import public_lokets
from shared.portal.jobs import DRAFT_KEPT_FOR
from tenants.requests.retention import audit_trail_kept_months


@dataclass(frozen=True)
class Controller:
    """A loket as the controller of the requests registered with it."""

    name: str
    kind: str
    # Who runs the loket (a municipality, an intermunicipal body); empty when not recorded.
    organiser: str
    address: str
    email: str
    phone: str
    municipalities: list[str]
    retention_months: int


@dataclass(frozen=True)
class PrivacyStatement:
    controllers: list[Controller]
    platform_operator: str
    platform_contact: str
    draft_retention_days: int
    audit_retention_months: int
    is_auditor_host: bool = False


@dataclass(frozen=True)
class AccessibilityStatement:
    organisation: str
    contact_email: str
    contact_phone: str
    evaluated_on: date
    known_problems: list[str] = field(default_factory=list)


def _controller(loket: Loket) -> Controller:
    return Controller(
        name=loket.name,
        kind=loket.get_kind_display(),
        organiser=loket.organiser_name,
        address=loket.address,
        email=loket.email,
        phone=loket.phone,
        municipalities=[municipality.name for municipality in loket.municipalities.all()],
        retention_months=loket.personal_data_retention_months,
    )


def privacy_statement(*, loket: Loket | None, region: Region | None) -> PrivacyStatement:
    """The statement of the host: its loket, its region's lokets, or the platform's."""
    if loket is not None and loket.is_auditor:
        lokets: list[Loket] = []
    elif loket is not None:
        lokets = [loket]
    elif region is not None:
        lokets = list(public_lokets(region=region))
    else:
        lokets = []
    return PrivacyStatement(
        controllers=[_controller(item) for item in lokets],
        platform_operator=settings.OPVANGLOKET_PLATFORM_OPERATOR,
        platform_contact=settings.OPVANGLOKET_PLATFORM_CONTACT,
        draft_retention_days=DRAFT_KEPT_FOR.days,
        audit_retention_months=audit_trail_kept_months(),
        is_auditor_host=loket is not None and loket.is_auditor,
    )


def accessibility_statement(
    *, loket: Loket | None, region: Region | None
) -> AccessibilityStatement:
    """Who answers for the accessibility of this host, and how to reach them."""
    if loket is not None and not loket.is_auditor:
        organisation, email, phone = loket.name, loket.email, loket.phone
    elif region is not None:
        organisation, email, phone = region.name, settings.OPVANGLOKET_PLATFORM_CONTACT, ""
    else:
        organisation = settings.OPVANGLOKET_PLATFORM_OPERATOR
        email, phone = settings.OPVANGLOKET_PLATFORM_CONTACT, ""
    return AccessibilityStatement(
        organisation=organisation,
        contact_email=email,
        contact_phone=phone,
        evaluated_on=date.fromisoformat(settings.OPVANGLOKET_ACCESSIBILITY_EVALUATED_ON),
    )
