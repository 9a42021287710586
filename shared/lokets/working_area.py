"""A loket's name, host and organiser: renaming a loket and changing who runs it.

Both are operator actions (``manage.py change_loket``, the admin) after a municipal
merger or a change of the intermunicipal body that runs a loket. What stays:

- the schema (its name is fixed at creation; nothing is copied), the reference prefix
  and every reference already given: a rename never changes a reference;
- the old host: a new slug gives the loket a new primary domain
  (``<slug>.<base domain>``), and the old domain answers a 301 to the same path on the
  new one (``Domain.redirects_to_primary``, as for a merged loket), so links in e-mails
  and bookmarks keep working.

Each change is written to the loket's own audit trail (who, old and new value).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.lokets.models import Domain, Loket
from shared.lokets.services import loket_domain_name
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record


def _audit(loket: Loket, *, field: str, old: str, new: str, by: str, now: datetime) -> None:
    with tenant_context(loket):
        audit_record(
            actor=None,
            action=AuditEvent.Action.CHANGED,
            object_type=AuditEvent.ObjectType.LOKET,
            details={"event": f"loket_{field}_changed", "old": old, "new": new, "by": by},
            at=now,
        )
    connection.set_schema_to_public()


def _check_changeable(loket: Loket) -> None:
    if loket.is_auditor:
        raise ValidationError(_("The auditor's loket cannot be renamed."))
    if not loket.is_active:
        raise ValidationError(
            _("%(loket)s is not active (merged?): it cannot be changed.") % {"loket": loket.name}
        )


@transaction.atomic
def loket_rename(
    *,
    loket: Loket,
    name: str,
    slug: str | None = None,
    by: str = "",
    now: datetime | None = None,
) -> Loket:
    """Give ``loket`` a new name and, with ``slug``, a new host (the old one redirects)."""
    now = now or timezone.now()
    _check_changeable(loket)
    loket = Loket.objects.select_for_update().get(pk=loket.pk)
    old_name, old_slug = loket.name, loket.slug
    loket.name = name.strip()
    slug = (slug or loket.slug).strip().lower()
    new_domain = None
    if slug != old_slug:
        loket.slug = slug
        new_domain = loket_domain_name(slug)
        if Domain.objects.filter(domain=new_domain).exclude(tenant=loket).exists():
            raise ValidationError(
                {"slug": _("The address %(domain)s is in use already.") % {"domain": new_domain}}
            )
    loket.full_clean(exclude=["municipalities", "reference_prefix", "schema_name"])
    loket.save(update_fields=["name", "slug"], verbosity=0)
    if new_domain is not None:
        Domain.objects.filter(tenant=loket, is_primary=True).update(
            is_primary=False, redirects_to_primary=True
        )
        domain, _created = Domain.objects.get_or_create(
            domain=new_domain, defaults={"tenant": loket}
        )
        domain.is_primary, domain.redirects_to_primary = True, False
        domain.save(update_fields=["is_primary", "redirects_to_primary"])
        _audit(loket, field="slug", old=old_slug, new=slug, by=by, now=now)
    if loket.name != old_name:
        _audit(loket, field="name", old=old_name, new=loket.name, by=by, now=now)
    return loket


@transaction.atomic
def loket_organiser_change(
    *, loket: Loket, organiser_name: str, by: str = "", now: datetime | None = None
) -> Loket:
    """Record who runs ``loket`` from now on (shown as the controller in its statements)."""
    _check_changeable(loket)
    loket = Loket.objects.select_for_update().get(pk=loket.pk)
    old = loket.organiser_name
    loket.organiser_name = organiser_name.strip()
    loket.full_clean(exclude=["municipalities", "reference_prefix", "schema_name"])
    loket.save(update_fields=["organiser_name"], verbosity=0)
    if loket.organiser_name != old:
        _audit(
            loket,
            field="organiser",
            old=old,
            new=loket.organiser_name,
            by=by,
            now=now or timezone.now(),
        )
    return loket
