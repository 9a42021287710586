"""Placements and upcoming starts under /beheer/plaatsingen/: the children who accepted a
place at a location, with the family's contact details.

Provider staff see only the locations granted to them, loket staff every location of
their loket (``locations_manageable_by``): any other id answers 404, another loket's
staff get 403. Each page view is recorded in the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import role_required
from tenants.allocation.capacity import placement_set_end
from tenants.allocation.forms import PlacementEndForm
from tenants.allocation.models import Placement
from tenants.allocation.placements import (
    location_placements,
    locations_with_placement_counts,
    placements_viewed_record,
)
from tenants.providers.selectors import locations_manageable_by
from tenants.providers.views import MANAGERS


@role_required(*MANAGERS)
def placements_overview(request: HttpRequest) -> HttpResponse:
    locations = locations_with_placement_counts(
        locations_manageable_by(user=request.user, loket=request.loket),
        today=timezone.localdate(),
    )
    return render(request, "allocation/placements_overview.html", {"locations": locations})


@role_required(*MANAGERS)
def placements(request: HttpRequest, location_id: int) -> HttpResponse:
    location = get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=location_id
    )
    lines = location_placements(location=location, today=timezone.localdate())
    placements_viewed_record(actor=request.user, lines=lines)
    return render(
        request,
        "allocation/placements.html",
        {
            "location": location,
            "upcoming": [line for line in lines if line.is_upcoming],
            "started": [line for line in lines if not line.is_upcoming],
        },
    )


@role_required(*MANAGERS)
def placement_end(request: HttpRequest, location_id: int, placement_id: int) -> HttpResponse:
    """When the child leaves: the last day of care (empty: not known yet)."""
    location = get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=location_id
    )
    placement = get_object_or_404(
        Placement.objects.select_related("choice__request"), pk=placement_id, location=location
    )
    form = PlacementEndForm(
        request.POST if request.method == "POST" else None,
        initial={"end_date": placement.end_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            placement_set_end(
                placement=placement,
                end_date=form.cleaned_data["end_date"],
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The end date of %(reference)s has been saved.")
                % {"reference": placement.choice.request.reference},
            )
            return redirect("allocation:placements", location_id=location.pk)
    return render(
        request,
        "allocation/placement_end_form.html",
        {"location": location, "placement": placement, "form": form},
        status=400 if form.errors else 200,
    )
