"""Auditors' pages on the auditor tenant's host: lokets → a loket's requests or audit trail.

Read-only: GET and HEAD only (any other method: 405), no forms that change anything,
every query through the read-only ``auditor`` database alias (``auditor_selectors``).
Requests show what and when, never who: no names, national register numbers or contact data.

Auditors' own page views are not written to the audited loket's audit trail: their
connection cannot write by design, and a write path from the auditor host into a
loket's schema is exactly what the read-only role rules out. Every page view is in the
structured request log instead (user id, path with the loket's slug, time).
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
    events = audited_trail(loket=loket, **form.filters()) if form.is_valid() else None
    return render(
        request,
        "audit/auditor_trail.html",
        {"audited": loket, "form": form, "events": events},
    )
