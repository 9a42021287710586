"""Auditors' pages on the auditor tenant's host: lokets → a loket's requests or audit trail.

Read-only: GET and HEAD only (any other method: 405), no forms that change anything,
every query through the read-only ``auditor`` database alias (``auditor_selectors``).
Requests show what and when, never who: no names, national register numbers or contact data.

What an auditor looks at in a loket (its requests, its trail) is written to that
loket's own audit trail (``services.auditor_view_record``): the one insert on the
auditor host, through the default connection, before anything is read through the
read-only alias. So "who looked at what" in a loket includes Opgroeien.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shared.accounts.permissions import Access, role_required
from shared.registry.models import RequestStatus
from tenants.audit.auditor_selectors import (
    audited_loket,
    audited_lokets,
    audited_requests,
    audited_trail,
)
from tenants.audit.forms import AuditFilterForm
from tenants.audit.models import AuditEvent
from tenants.audit.services import auditor_view_record


def _loket_or_404(slug: str):
    loket = audited_loket(slug=slug)
    if loket is None:
        raise Http404
    return loket


@require_safe
@role_required(Access.AUDITOR)
def loket_list(request: HttpRequest) -> HttpResponse:
    return render(request, "audit/auditor_lokets.html", {"lokets": audited_lokets()})


@require_safe
@role_required(Access.AUDITOR)
def loket_requests(request: HttpRequest, slug: str) -> HttpResponse:
    loket = _loket_or_404(slug)
    status = request.GET.get("status") or None
    if status not in (None, *RequestStatus.values):
        status = None
    auditor_view_record(
        auditor=request.user,
        loket=loket,
        object_type=AuditEvent.ObjectType.REQUEST_LIST,
        details={"status": status} if status else None,
    )
    return render(
        request,
        "audit/auditor_requests.html",
        {
            "audited": loket,
            "requests": audited_requests(loket=loket, status=status),
            "statuses": RequestStatus.choices,
            "status": status or "",
        },
    )


@require_safe
@role_required(Access.AUDITOR)
def loket_trail(request: HttpRequest, slug: str) -> HttpResponse:
    loket = _loket_or_404(slug)
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.filters() if valid else {}
    # The reference looked up is kept; an actor filter may be an address: only its use.
    auditor_view_record(
        auditor=request.user,
        loket=loket,
        object_type=AuditEvent.ObjectType.AUDIT_TRAIL,
        reference=filters.get("reference") or "",
        details={"filters": sorted(name for name, value in filters.items() if value)},
    )
    events = audited_trail(loket=loket, **filters) if valid else None
    return render(
        request,
        "audit/auditor_trail.html",
        {"audited": loket, "form": form, "events": events},
    )
