"""Reading lokets, regions and their domains."""

from __future__ import annotations

from django.db import connection
from django.db.models import Prefetch, QuerySet

from shared.geography.models import Municipality
from shared.lokets.models import Domain, Loket, Region


def region_for_host(*, host: str) -> Region | None:
    return Region.objects.filter(domain=host.lower()).first()


def public_lokets(*, region: Region | None = None) -> QuerySet[Loket]:
    """Active lokets that serve parents (not the auditor tenant), with what their cards show."""
    lokets = (
        Loket.objects.filter(is_active=True)
        .exclude(kind=Loket.Kind.AUDITOR)
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name_nl")),
            Prefetch("domains", queryset=Domain.objects.filter(is_primary=True)),
        )
        .order_by("name")
    )
    if region is not None:
        lokets = lokets.filter(region=region)
    return lokets


def regions_with_lokets() -> QuerySet[Region]:
    return Region.objects.prefetch_related(
        Prefetch("lokets", queryset=public_lokets()),
    ).order_by("name")


def lokets_without_region() -> QuerySet[Loket]:
    return public_lokets().filter(region__isnull=True)


def primary_host(*, loket: Loket) -> str:
    """The primary host name of a loket (uses prefetched domains when present)."""
    domains = [domain for domain in loket.domains.all() if domain.is_primary]
    return domains[0].domain if domains else ""


def current_loket() -> Loket:
    """The loket whose schema the database connection is in (raises in the public schema)."""
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, Loket):
        raise RuntimeError("No loket schema is active on this connection.")
    return tenant


def municipalities_served(*, region: Region | None = None, loket: Loket | None = None):
    """Municipalities in the working areas of a region's lokets (or of a loket's region)."""
    if loket is not None:
        if loket.region_id is None:
            return loket.municipalities.all()
        region = loket.region
    if region is None:
        return Municipality.objects.filter(lokets__isnull=False).distinct()
    return Municipality.objects.filter(lokets__region=region).distinct()
