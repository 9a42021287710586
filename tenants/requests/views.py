"""Loket staff's pages for the requests of their loket, under /beheer/aanvragen/.

Only loket staff of the host's loket get in. Requests are looked up by reference in the
host's own schema, so a reference of another loket answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from shared.catalogue.vocabulary import LANGUAGES, Weekday
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.confirmation import request_reopen
from tenants.requests.forms import NoteForm, RequestFilterForm
from tenants.requests.models import ChildcareRequest
from tenants.requests.notes import request_note_add
from tenants.requests.selectors import (
    care_plan_grid,
    linked_lokets,
    loket_requests,
    masked_national_number,
    priority_labels,
    request_detail,
)

REQUESTS_PER_PAGE = 25


@role_required(Access.LOKET_STAFF)
def request_list(request: HttpRequest) -> HttpResponse:
    # Always bound: no filter at all is a valid list (every request of the loket).
    form = RequestFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(loket_requests(**form.filters()), REQUESTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "requests/request_list.html",
        {
            "form": form,
            "page": page,
            "is_filtered": form.is_valid() and any(form.filters().values()),
            "query_string": query_without_page.urlencode(),
        },
    )


def _render_detail(
    request: HttpRequest, reference: str, note_form: NoteForm, status: int = 200
) -> HttpResponse:
    childcare_request = request_detail(reference=reference)
    if childcare_request is None:
        raise Http404
    return render(
        request,
        "requests/request_detail.html",
        {
            "childcare_request": childcare_request,
            "national_number": masked_national_number(request=childcare_request),
            "care_plan": care_plan_grid(request=childcare_request),
            "weekdays": [label for _value, label in Weekday.choices[:5]],
            "priorities": priority_labels(request=childcare_request),
            "language": dict(LANGUAGES).get(childcare_request.language, childcare_request.language),
            "linked_lokets": linked_lokets(request=childcare_request, loket=request.loket),
            "note_form": note_form,
        },
        status=status,
    )


@role_required(Access.LOKET_STAFF)
def request_detail_page(request: HttpRequest, reference: str) -> HttpResponse:
    response = _render_detail(request, reference, NoteForm())
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        object_type=AuditEvent.ObjectType.REQUEST,
        reference=reference,
    )
    return response


@role_required(Access.LOKET_STAFF)
@require_POST
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    childcare_request = get_object_or_404(ChildcareRequest, reference=reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            request_note_add(
                request=childcare_request, author=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your note has been added."))
            return redirect(
                reverse("requests:request_detail", kwargs={"reference": reference}) + "#notes"
            )
    return _render_detail(request, reference, form, status=400)


@role_required(Access.LOKET_STAFF)
@require_POST
def request_reopen_page(request: HttpRequest, reference: str) -> HttpResponse:
    """A lapsed request back to open (the parent asked the loket, for instance)."""
    childcare_request = get_object_or_404(ChildcareRequest, reference=reference)
    try:
        request_reopen(request=childcare_request, actor=request.user, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The request is open again."))
    return redirect(reverse("requests:request_detail", kwargs={"reference": reference}))
