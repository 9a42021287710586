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
from shared.registry.duplicates import open_duplicate_of_request
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.child_changes import UPDATABLE_STATUSES, request_update_child_by_staff
from tenants.requests.confirmation import request_reopen
from tenants.requests.forms import ChildUpdateForm, NoteForm, RequestFilterForm
from tenants.requests.history import describe_event
from tenants.requests.models import ChildcareRequest, RequestEvent
from tenants.requests.notes import request_note_add
from tenants.requests.selectors import (
    care_plan_grid,
    current_reference,
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


def _child_form(childcare_request: ChildcareRequest) -> ChildUpdateForm:
    """The form to fill in the child, with what the request holds once the child is born."""
    if childcare_request.is_expected_birth:
        return ChildUpdateForm(initial={"first_name": childcare_request.child_first_name})
    return ChildUpdateForm(
        initial={
            "first_name": childcare_request.child_first_name,
            "birth_date": childcare_request.child_birth_date,
        }
    )


def _render_detail(
    request: HttpRequest,
    reference: str,
    note_form: NoteForm,
    status: int = 200,
    child_form: ChildUpdateForm | None = None,
) -> HttpResponse:
    childcare_request = request_detail(reference=reference)
    if childcare_request is None:
        raise Http404
    for event in childcare_request.events.all():
        # What changed, in words (the same sentences as the parent reads).
        event.description = (
            describe_event(kind=event.kind, details=event.details)
            if event.kind == RequestEvent.Kind.CHANGED
            else ""
        )
    return render(
        request,
        "requests/request_detail.html",
        {
            # A form's answer is sent from its own address, which takes only POST: Back to
            # it is the request's page (base.html), with the form's #anchor.
            "page_url": reverse("requests:request_detail", kwargs={"reference": reference}),
            "childcare_request": childcare_request,
            "national_number": masked_national_number(request=childcare_request),
            "care_plan": care_plan_grid(request=childcare_request),
            "weekdays": [label for _value, label in Weekday.choices[:5]],
            "priorities": priority_labels(request=childcare_request),
            "language": dict(LANGUAGES).get(childcare_request.language, childcare_request.language),
            "linked_lokets": linked_lokets(request=childcare_request, loket=request.loket),
            "open_duplicate": open_duplicate_of_request(
                loket=request.loket, request_id=childcare_request.pk
            ),
            "note_form": note_form,
            "child_form": child_form or _child_form(childcare_request),
            "child_updatable": childcare_request.status in UPDATABLE_STATUSES,
        },
        status=status,
    )


@role_required(Access.LOKET_STAFF)
def request_detail_page(request: HttpRequest, reference: str) -> HttpResponse:
    # A reference from a loket merged into this one: the request under its reference here.
    current = current_reference(reference=reference)
    if current is not None:
        return redirect("requests:request_detail", reference=current, permanent=True)
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
def request_child_update_page(request: HttpRequest, reference: str) -> HttpResponse:
    """Fill in the child after birth for the family (at the desk), in every loket of it."""
    childcare_request = get_object_or_404(ChildcareRequest, reference=reference)
    form = ChildUpdateForm(request.POST)
    if form.is_valid():
        try:
            request_update_child_by_staff(
                request=childcare_request,
                actor=request.user,
                now=timezone.now(),
                **form.service_arguments(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The child's details have been updated."))
            return redirect(
                reverse("requests:request_detail", kwargs={"reference": reference}) + "#child"
            )
    return _render_detail(request, reference, NoteForm(), status=400, child_form=form)


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
