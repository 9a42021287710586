"""Recording the audit trail: one call from every place that views or changes a request."""

from __future__ import annotations

from datetime import datetime

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.audit.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    object_type: str,
    reference: str = "",
    object_id: int | None = None,
    details: dict | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Record one event in the current loket's schema (inside the caller's transaction).

    ``details`` must hold loket-level facts only (ids, kinds, statuses), never a name,
    a national register number or contact data. ``actor`` None: the system (a job).
    """
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        reference=reference,
        details=details or {},
        at=at or timezone.now(),
    )


def audit_record_each(
    *,
    actor,
    action: str,
    object_type: str,
    object_ids: list[int],
    details: dict | None = None,
    at: datetime | None = None,
) -> list[AuditEvent]:
    """The same event for each of ``object_ids`` (a job that changed many rows at once),
    in one INSERT; the rules of ``audit_record`` hold for ``details``."""
    at = at or timezone.now()
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details or {},
            at=at,
        )
        for object_id in object_ids
    )


def audit_request_change(
    *,
    request,
    actor,
    kind: str,
    details: dict,
    at: datetime,
    action: str = AuditEvent.Action.CHANGED,
) -> AuditEvent:
    """A change of ``request`` recorded in its history (``RequestEvent`` ``kind``).

    Only the event's kind and its numeric details (ids) are kept: its other details may
    hold free text (a reason) or a location's name.
    """
    return audit_record(
        actor=actor,
        action=action,
        object_type=AuditEvent.ObjectType.REQUEST,
        object_id=request.pk,
        reference=request.reference,
        details={
            "event": kind,
            **{
                key: value
                for key, value in details.items()
                if isinstance(value, int) and not isinstance(value, bool)
            },
        },
        at=at,
    )


def auditor_view_record(
    *, auditor, loket, object_type: str, reference: str = "", details: dict | None = None
) -> AuditEvent:
    """Record in ``loket``'s own audit trail that an auditor looked at its ``object_type``.

    On the auditor host every read goes through the read-only alias; this one write
    goes through the default connection, in the audited loket's schema, and only ever
    inserts one event: loket staff then see in their trail when Opgroeien looked, and
    at what (docs/architecture.md, "The auditor tenant").
    """
    with tenant_context(loket):
        return AuditEvent.objects.using(DEFAULT_DB_ALIAS).create(
            actor_id=auditor.pk,
            action=AuditEvent.Action.VIEWED,
            object_type=object_type,
            reference=reference,
            details=details or {},
            at=timezone.now(),
        )
