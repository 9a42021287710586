"""A request's history: every step is also written to the loket's audit trail.

One function writes both, so no change to a request can miss the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_request_change
from tenants.requests.models import ChildcareRequest, RequestEvent


def request_event_record(
    *,
    request: ChildcareRequest,
    kind: str,
    actor,
    at: datetime,
    details: dict | None = None,
) -> RequestEvent:
    """Record ``kind`` in the history of ``request`` and, as a change, in the audit trail."""
    details = details or {}
    action = (
        AuditEvent.Action.CREATED
        if kind == RequestEvent.Kind.SUBMITTED
        else AuditEvent.Action.CHANGED
    )
    audit_request_change(
        request=request, actor=actor, kind=kind, details=details, at=at, action=action
    )
    return RequestEvent.objects.create(
        request=request, kind=kind, actor=actor, details=details, at=at
    )
