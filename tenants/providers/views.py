"""Pages for managing a loket's offer, under /beheer/opvang/.

Loket staff manage every organizer and location of their loket; provider staff only the
locations granted to them. Every location is looked up through
``locations_manageable_by``, so a guessed id of any other location answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opvangloket.downloads import download_name, download_response
from opvangloket.forms import add_service_errors
from shared.accounts.models import User
from shared.accounts.permissions import Access, has_access, role_required
from tenants.providers import services
from tenants.providers.forms import (
    AvailabilityGridForm,
    ClosingPeriodForm,
    LocationForm,
    LocationGrantForm,
    LocationImportForm,
    OrganizerForm,
)
from tenants.providers.imports import example_csv, locations_import
from tenants.providers.models import ClosingPeriod, Location, Organizer
from tenants.providers.selectors import (
    availability_grid,
    grantable_provider_staff,
    location_fields_editable_by,
    location_grantees,
    locations_manageable_by,
    organizers_with_counts,
)

# Loket staff manage everything; provider staff the locations granted to them.
MANAGERS = (Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF)


def _is_loket_staff(request: HttpRequest) -> bool:
    return has_access(Access.LOKET_STAFF, user=request.user, loket=request.loket)


def _locations(request: HttpRequest) -> QuerySet[Location]:
    return locations_manageable_by(user=request.user, loket=request.loket)


def _location_or_404(request: HttpRequest, pk: int) -> Location:
    return get_object_or_404(_locations(request), pk=pk)


# --- Locations -------------------------------------------------------------------------


@role_required(*MANAGERS)
def location_list(request: HttpRequest) -> HttpResponse:
    locations = _locations(request).select_related("municipality")
    return render(
        request,
        "providers/location_list.html",
        {
            "locations": locations,
            "can_manage": _is_loket_staff(request),
        },
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
def location_create(request: HttpRequest) -> HttpResponse:
    form = LocationForm(request.POST or None, loket=request.loket)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The location %(name)s has been saved.") % {"name": location}
            )
            return redirect("providers:location_detail", pk=location.pk)
    return render(
        request,
        "providers/location_form.html",
        {"form": form, "location": None, "has_organizers": Organizer.objects.exists()},
    )


@role_required(*MANAGERS)
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    editable = location_fields_editable_by(user=request.user, loket=request.loket)
    form = LocationForm(
        request.POST or None, instance=location, loket=request.loket, editable=editable
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.location_update(location=location, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The location %(name)s has been saved.") % {"name": location}
            )
            return redirect("providers:location_detail", pk=location.pk)
    return render(
        request,
        "providers/location_form.html",
        {"form": form, "location": _location_or_404(request, pk), "has_organizers": True},
    )


def _render_detail(
    request: HttpRequest,
    location: Location,
    *,
    period_form: ClosingPeriodForm | None = None,
    grant_form: LocationGrantForm | None = None,
) -> HttpResponse:
    can_manage = _is_loket_staff(request)
    context = {
        # The forms post to addresses that take only POST: Back to an answer with an error
        # is this page (base.html), with the form's #anchor.
        "page_url": reverse("providers:location_detail", kwargs={"pk": location.pk}),
        "location": location,
        "can_manage": can_manage,
        "closing_periods": location.closing_periods.all(),
        "period_form": period_form or ClosingPeriodForm(),
    }
    if can_manage:
        grantees = location_grantees(location=location)
        context["grantees"] = grantees
        context["grant_form"] = grant_form or LocationGrantForm(loket=request.loket)
        context["can_grant"] = (
            grantable_provider_staff(loket=request.loket)
            .exclude(pk__in=[user.pk for user in grantees])
            .exists()
        )
    return render(request, "providers/location_detail.html", context)


@role_required(*MANAGERS)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(
        _locations(request)
        .select_related("municipality")
        .prefetch_related(
            Prefetch("closing_periods", queryset=ClosingPeriod.objects.order_by("starts_on"))
        ),
        pk=pk,
    )
    return _render_detail(request, location)


@role_required(Access.PROVIDERS_LOKET_STAFF)
def location_delete(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    if request.method == "POST":
        try:
            services.location_delete(location=location)
        except ValidationError as refused:
            for message in refused.messages:
                messages.error(request, message)
            return redirect("providers:location_detail", pk=location.pk)
        messages.success(request, _("The location %(name)s has been deleted.") % {"name": location})
        return redirect("providers:location_list")
    return render(request, "providers/location_confirm_delete.html", {"location": location})


@role_required(Access.PROVIDERS_LOKET_STAFF)
@require_POST
def location_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish or withdraw a location from the catalogue (``is_published`` = 1 or 0)."""
    location = _location_or_404(request, pk)
    publish = request.POST.get("is_published") == "1"
    try:
        services.location_update(location=location, is_published=publish)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (
                _("%(name)s is now shown to parents.")
                if publish
                else _("%(name)s is no longer shown to parents.")
            )
            % {"name": location},
        )
    if request.POST.get("next") == "detail":
        return redirect("providers:location_detail", pk=location.pk)
    return redirect("providers:location_list")


@role_required(*MANAGERS)
def location_free_places(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    grid = availability_grid(location=location)
    form = AvailabilityGridForm(
        request.POST or None, grid=grid, capacity=location.licensed_capacity
    )
    if request.method == "POST" and form.is_valid():
        counts, cleared = form.changes()
        try:
            services.availabilities_set(
                location=location, free_places=counts, cleared=cleared, user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The free places have been saved."))
            return redirect("providers:location_free_places", pk=location.pk)
    return render(
        request,
        "providers/location_free_places.html",
        {"location": location, "form": form, "grid": grid},
    )


@role_required(*MANAGERS)
@require_POST
def closing_period_add(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    form = ClosingPeriodForm(request.POST)
    if form.is_valid():
        try:
            services.closing_period_add(location=location, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The closing period has been added."))
            return redirect("providers:location_detail", pk=location.pk)
    return _render_detail(request, location, period_form=form)


@role_required(*MANAGERS)
@require_POST
def closing_period_remove(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    period = get_object_or_404(ClosingPeriod, pk=period_pk, location=location)
    services.closing_period_remove(period=period)
    messages.success(request, _("The closing period has been removed."))
    return redirect("providers:location_detail", pk=location.pk)


@role_required(Access.PROVIDERS_LOKET_STAFF)
@require_POST
def location_grant(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    form = LocationGrantForm(request.POST, loket=request.loket)
    if form.is_valid():
        try:
            services.location_grant(
                location=location, user=form.cleaned_data["user"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(user)s may now keep %(name)s up to date.")
                % {"user": form.cleaned_data["user"], "name": location},
            )
            return redirect("providers:location_detail", pk=location.pk)
    return _render_detail(request, location, grant_form=form)


@role_required(Access.PROVIDERS_LOKET_STAFF)
@require_POST
def location_revoke(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    location = _location_or_404(request, pk)
    user = get_object_or_404(User, pk=user_pk)
    services.location_revoke(location=location, user=user, actor=request.user)
    messages.success(
        request, _("%(user)s no longer manages %(name)s.") % {"user": user, "name": location}
    )
    return redirect("providers:location_detail", pk=location.pk)


# --- Organizers ------------------------------------------------------------------------


@role_required(Access.PROVIDERS_LOKET_STAFF)
def organizer_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "providers/organizer_list.html", {"organizers": organizers_with_counts()}
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
def organizer_create(request: HttpRequest) -> HttpResponse:
    form = OrganizerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organizer = services.organizer_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The organizer %(name)s has been saved.") % {"name": organizer}
            )
            return redirect("providers:organizer_list")
    return render(request, "providers/organizer_form.html", {"form": form, "organizer": None})


@role_required(Access.PROVIDERS_LOKET_STAFF)
def organizer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = get_object_or_404(Organizer, pk=pk)
    form = OrganizerForm(request.POST or None, instance=organizer)
    if request.method == "POST" and form.is_valid():
        try:
            services.organizer_update(organizer=organizer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The organizer %(name)s has been saved.") % {"name": organizer}
            )
            return redirect("providers:organizer_list")
    return render(
        request,
        "providers/organizer_form.html",
        {"form": form, "organizer": get_object_or_404(Organizer, pk=pk)},
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
def organizer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = get_object_or_404(organizers_with_counts(), pk=pk)
    if request.method == "POST":
        try:
            services.organizer_delete(organizer=organizer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The organizer %(name)s has been deleted.") % {"name": organizer}
            )
        return redirect("providers:organizer_list")
    return render(request, "providers/organizer_confirm_delete.html", {"organizer": organizer})


# --- Import ----------------------------------------------------------------------------


@role_required(Access.PROVIDERS_LOKET_STAFF)
def location_import(request: HttpRequest) -> HttpResponse:
    form = LocationImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = locations_import(
            csv_file=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
        )
        if report.imported:
            messages.success(
                request,
                _("%(locations)s locations and %(organizers)s new organizers have been imported.")
                % {
                    "locations": report.locations_created,
                    "organizers": report.organizers_created,
                },
            )
            return redirect("providers:location_list")
    return render(request, "providers/location_import.html", {"form": form, "report": report})


@role_required(Access.PROVIDERS_LOKET_STAFF)
def location_import_example(request: HttpRequest) -> HttpResponse:
    filename = download_name(
        "opvanglocaties-voorbeeld",
        whose=request.loket.name,
        first=timezone.localdate(),
        ext="csv",
    )
    return download_response(example_csv(loket=request.loket), filename=filename)
