"""Reading the audit trail of the current loket (its schema), newest first."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from tenants.audit.models import AuditEvent


def audit_events(
    *,
    reference: str | None = None,
    actor: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    using: str | None = None,
) -> QuerySet[AuditEvent]:
    """Events, filtered: ``reference`` exactly, ``actor`` in the e-mail address or name,
    ``day_from``/``day_to`` inclusive (local dates)."""
    events = AuditEvent.objects.using(using) if using else AuditEvent.objects.all()
    events = events.select_related("actor")
    if reference:
        events = events.filter(reference__iexact=reference.strip())
    if actor:
        term = actor.strip()
        events = events.filter(
            Q(actor__email__icontains=term) | Q(actor__full_name__icontains=term)
        )
    if day_from:
        events = events.filter(at__date__gte=day_from)
    if day_to:
        events = events.filter(at__date__lte=day_to)
    return events.order_by("-at", "-id")
