"""The audit trail page of a loket, for its own loket staff: /beheer/audit/."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared.accounts.permissions import Access, role_required
from tenants.audit.forms import AuditFilterForm
from tenants.audit.selectors import audit_events

EVENTS_PER_PAGE = 50


@role_required(Access.LOKET_STAFF)
def audit_trail(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(audit_events(**form.filters()), EVENTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "audit/audit_trail.html",
        {"form": form, "page": page, "query_string": query_without_page.urlencode()},
    )
