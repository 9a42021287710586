"""Placements and upcoming starts under /beheer/plaatsingen/: the children who accepted a
place at a location, with the family's contact details.

Provider staff see only the locations granted to them, loket staff every location of
their loket (``locations_manageable_by``): any other id answers 404, another loket's
staff get 403. Each page view is recorded in the audit trail.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from shared.accounts.permissions import role_required
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
