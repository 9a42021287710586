"""The queue pages under /beheer/wachtlijst/: provider staff and loket staff answer choices.

Loket staff see every location of their loket; provider staff only the locations granted
to them. Every location is looked up through ``locations_manageable_by`` and every choice
within that location, so any other id answers 404; another loket's staff get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, has_access, role_required
from tenants.allocation import services
from tenants.allocation.forms import (
    NoPlaceForm,
    OfferForm,
    OtherDateForm,
    QueueFilterForm,
    WithdrawOfferForm,
)
from tenants.allocation.models import Offer
from tenants.allocation.selectors import (
    RECENT_ENDINGS_DAYS,
    exception_offers,
    location_queue,
    location_recent_endings,
    locations_with_new_choices,
    locations_with_overdue,
    locations_with_queue_counts,
    locations_with_recent_endings,
    queue_line_of,
    queue_lines,
    ranked_higher_without_offer,
)
from tenants.providers.models import Location
from tenants.providers.occupancy import month_occupancy
from tenants.providers.selectors import locations_manageable_by
from tenants.providers.views import MANAGERS
from tenants.requests.models import RequestChoice


def _location_or_404(request: HttpRequest, location_id: int) -> Location:
    return get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=location_id
    )


def _choice_or_404(location: Location, choice_id: int) -> RequestChoice:
    return get_object_or_404(
        RequestChoice.objects.select_related("request", "location"),
        pk=choice_id,
        location=location,
    )


def _back(location: Location) -> HttpResponse:
    return redirect("allocation:queue", location_id=location.pk)


def _since(request: HttpRequest) -> date | None:
    """``?since=YYYY-MM-DD`` (the start page's "new this week"); anything else: None."""
    try:
        since = parse_date(request.GET.get("since") or "")
    except ValueError:
        return None
    return since if since is not None and since.year > 1 else None


@role_required(*MANAGERS)
def queue_overview(request: HttpRequest) -> HttpResponse:
    locations = locations_with_recent_endings(
        locations_with_queue_counts(
            locations_manageable_by(user=request.user, loket=request.loket)
        ),
        now=timezone.now(),
    )
    since = _since(request)
    if since is not None:
        # With a day: how many choices came in since then, per location.
        locations = locations_with_new_choices(
            locations, since=timezone.make_aware(datetime.combine(since, time.min))
        )
    return render(
        request,
        "allocation/queue_overview.html",
        {
            "locations": locations,
            "since": since,
            "is_loket_staff": has_access(
                Access.LOKET_STAFF, user=request.user, loket=request.loket
            ),
            "recent_days": RECENT_ENDINGS_DAYS,
        },
    )


@role_required(*MANAGERS)
def queue(request: HttpRequest, location_id: int) -> HttpResponse:
    location = _location_or_404(request, location_id)
    form = QueueFilterForm(request.GET)
    lines = []
    if form.is_valid():
        lines = queue_lines(location_queue(location=location, **form.filters()), location=location)
    return render(
        request,
        "allocation/queue.html",
        {
            "location": location,
            "form": form,
            "lines": lines,
            "waiting_for_answer": [line for line in lines if line.open_offer],
            "endings": location_recent_endings(location=location, now=timezone.now())[:100],
            "recent_days": RECENT_ENDINGS_DAYS,
        },
    )


@role_required(*MANAGERS)
def offer_create(request: HttpRequest, location_id: int, choice_id: int) -> HttpResponse:
    location = _location_or_404(request, location_id)
    choice = _choice_or_404(location, choice_id)
    initial = {"start_date": choice.request.desired_start, "care_plan": choice.request.care_plan}
    form = OfferForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_make(
                choice=choice, actor=request.user, now=timezone.now(), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("A place has been offered (reference %(reference)s).")
                % {"reference": choice.request.reference},
            )
            return _back(location)
    passed_over = ranked_higher_without_offer(
        choice=choice, start_date=choice.request.desired_start
    ).count()
    return render(
        request,
        "allocation/offer_form.html",
        {
            "location": location,
            "choice": choice,
            "line": queue_line_of(choice=choice),
            "form": form,
            "passed_over": passed_over,
            "start_month": month_occupancy(location=location, month=choice.request.desired_start),
        },
        status=400 if form.errors else 200,
    )


def _answer(
    request: HttpRequest,
    location_id: int,
    choice_id: int,
    *,
    form_class: type[forms.Form],
    service: Callable[..., object],
    success: str,
    template: str,
) -> HttpResponse:
    """A location's answer without an offer (no place, another start date): a form whose
    values go to ``service``; its errors stay on the form with what was typed."""
    location = _location_or_404(request, location_id)
    choice = _choice_or_404(location, choice_id)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(choice=choice, actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success % {"reference": choice.request.reference})
            return _back(location)
    return render(
        request,
        template,
        {"location": location, "choice": choice, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def no_place(request: HttpRequest, location_id: int, choice_id: int) -> HttpResponse:
    return _answer(
        request,
        location_id,
        choice_id,
        form_class=NoPlaceForm,
        service=services.choice_answer_no_place,
        success=_("Answered: no place (reference %(reference)s)."),
        template="allocation/no_place_form.html",
    )


@role_required(*MANAGERS)
def other_date(request: HttpRequest, location_id: int, choice_id: int) -> HttpResponse:
    return _answer(
        request,
        location_id,
        choice_id,
        form_class=OtherDateForm,
        service=services.choice_propose_other_date,
        success=_("Another start date has been proposed (reference %(reference)s)."),
        template="allocation/other_date_form.html",
    )


@role_required(*MANAGERS)
def offer_withdraw(request: HttpRequest, location_id: int, choice_id: int) -> HttpResponse:
    """The location withdraws its open offer for this choice, with a reason for the parent."""
    location = _location_or_404(request, location_id)
    choice = _choice_or_404(location, choice_id)
    offer = get_object_or_404(Offer, choice=choice, status=Offer.Status.OPEN)
    form = WithdrawOfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_withdraw(
                offer=offer,
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The offer has been withdrawn and the parent told (reference %(reference)s).")
                % {"reference": choice.request.reference},
            )
            return _back(location)
    return render(
        request,
        "allocation/offer_withdraw.html",
        {"location": location, "choice": choice, "offer": offer, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
def exceptions(request: HttpRequest) -> HttpResponse:
    """Offers made while passing over children ranked higher, or on a toeleider's advice."""
    return render(request, "allocation/exceptions.html", {"offers": exception_offers()[:200]})


@role_required(Access.PROVIDERS_LOKET_STAFF)
def overdue(request: HttpRequest) -> HttpResponse:
    """Locations with choices still in review past the loket's answering time."""
    now = timezone.now()
    locations = locations_with_overdue(
        locations=locations_manageable_by(user=request.user, loket=request.loket),
        loket=request.loket,
        now=now,
    )
    return render(
        request,
        "allocation/overdue.html",
        {"locations": locations, "response_days": request.loket.response_days, "now": now},
    )
