"""Creating lokets and regions and keeping their details up to date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from shared.geography.models import Municipality
from shared.lokets.auditor import auditor_schema_grant
from shared.lokets.models import Domain, Loket, LoketMerger, Region
from shared.lokets.platform_migrations import template_migrate
from shared.lokets.references import reference_prefix_choose

CONTACT_FIELDS = ("address", "phone", "email", "website", "opening_hours")
# How long closed requests keep personal data (tenants.requests.retention).
RETENTION_FIELDS = ("personal_data_retention_months",)
TRANSPARENCY_FIELDS = ("shows_waiting_position",)


def loket_domain_name(slug: str) -> str:
    """The default host of a loket: ``<slug>.<base domain>``."""
    return f"{slug}.{settings.BASE_DOMAIN}"


def template_schema_ensure(*, verbosity: int = 0) -> None:
    """Create or migrate the template schema, then store its DDL script for new lokets.

    Run after every deploy (``migrate_platform`` does), so that a loket created later
    gets every table at once from the script instead of replaying all migrations.
    """
    template_migrate(verbosity=verbosity)
    connection.set_schema_to_public()


def region_ensure(*, slug: str, name: str, domain: str, description: str = "") -> Region:
    region, _ = Region.objects.update_or_create(
        slug=slug, defaults={"name": name, "domain": domain.lower(), "description": description}
    )
    return region


def reference_prefixes_taken() -> set[str]:
    """Prefixes no new loket may get: every loket's, and every merged loket's (its
    references live on as former references, also after its row is dropped)."""
    return set(Loket.objects.values_list("reference_prefix", flat=True)) | set(
        LoketMerger.objects.values_list("source_reference_prefix", flat=True)
    )


def loket_create(
    *,
    slug: str,
    name: str,
    kind: str,
    region: Region | None = None,
    municipalities: Iterable[Municipality] = (),
    domain: str | None = None,
    **contact: str,
) -> Loket:
    """Create a loket with its schema (from the template's script) and its primary domain."""
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    loket = Loket(
        schema_name=slug.replace("-", "_"),
        slug=slug,
        name=name,
        kind=kind,
        region=region,
        reference_prefix=reference_prefix_choose(slug=slug, taken=reference_prefixes_taken()),
        **contact,
    )
    loket.full_clean(exclude=["municipalities"])
    # The schema is created in save(); CREATE SCHEMA is transactional in PostgreSQL,
    # so a failure below leaves neither a row nor a schema behind.
    with transaction.atomic():
        loket.save(verbosity=0)
        loket.municipalities.set(municipalities)
        Domain.objects.create(
            tenant=loket, domain=(domain or loket_domain_name(slug)).lower(), is_primary=True
        )
        # The auditor's role reads the new schema's audited tables at once (nothing else).
        auditor_schema_grant(schema=loket.schema_name)
    connection.set_schema_to_public()
    return loket


def loket_ensure(*, slug: str, **fields) -> Loket:
    """Create the loket if it does not exist, else bring its details in line (idempotent)."""
    existing = Loket.objects.filter(slug=slug).first()
    if existing is None:
        return loket_create(slug=slug, **fields)
    municipalities = fields.pop("municipalities", None)
    domain = fields.pop("domain", None)
    for field, value in fields.items():
        setattr(existing, field, value)
    existing.save(verbosity=0)
    if municipalities is not None:
        existing.municipalities.set(municipalities)
    if domain and not existing.domains.filter(domain=domain.lower()).exists():
        Domain.objects.create(tenant=existing, domain=domain.lower(), is_primary=False)
    return existing


@transaction.atomic
def loket_update_contact(*, loket: Loket, **contact: str) -> Loket:
    """Change a loket's contact details and opening hours, as its staff keep them."""
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    for field, value in contact.items():
        setattr(loket, field, value)
    loket.full_clean(exclude=["municipalities", "schema_name"])
    loket.save(update_fields=list(contact), verbosity=0)
    return loket


@transaction.atomic
def loket_update_settings(*, loket: Loket, **values: Any) -> Loket:
    """Set some of the loket's own settings, checked as the model says: how many months a
    closed request keeps its personal data (1-120), whether parents see their place on
    the waiting lists."""
    unknown = set(values) - {*RETENTION_FIELDS, *TRANSPARENCY_FIELDS}
    if unknown:
        raise ValueError(f"not a loket setting: {', '.join(sorted(unknown))}")
    for field, value in values.items():
        setattr(loket, field, value)
    loket.full_clean(exclude=["municipalities", "schema_name"])
    loket.save(update_fields=list(values), verbosity=0)
    return loket


def loket_update_retention(*, loket: Loket, personal_data_retention_months: int) -> Loket:
    """Set how many months a closed request of this loket keeps its personal data (1-120)."""
    return loket_update_settings(
        loket=loket, personal_data_retention_months=personal_data_retention_months
    )
