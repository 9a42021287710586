"""The month grid of a location: occupancy, open offers and free places side by side.

For loket staff (every location of their loket) and provider staff (the locations
granted to them); any other location answers 404, another loket's staff get 403.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shared.accounts.permissions import role_required
from shared.catalogue.forms import MonthField
from shared.catalogue.vocabulary import AgeGroup
from tenants.providers.occupancy import (
    MAX_OCCUPANCY_MONTHS,
    OCCUPANCY_MONTHS,
    location_occupancy,
    occupancy_months,
)
from tenants.providers.selectors import locations_manageable_by
from tenants.providers.views import MANAGERS


@role_required(*MANAGERS)
def location_occupancy_grid(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=pk
    )
    field = MonthField(required=False)
    try:
        start = field.clean(request.GET.get("van") or None)
    except forms.ValidationError:  # a bad month shows this month, with the message
        start, error = None, True
    else:
        error = False
    months = occupancy_months(start=start, count=OCCUPANCY_MONTHS)
    occupancy = location_occupancy(location=location, months=months)
    labels = dict(AgeGroup.choices)
    age_groups = [(group, labels[group]) for group in (occupancy[0].free if occupancy else {})]
    lines = [
        {
            "month": month,
            "free": [(group, month.free.get(group)) for group, _label in age_groups],
            "corrections": [
                (labels[group], row) for group, row in sorted(month.corrections.items())
            ],
        }
        for month in occupancy
    ]
    return render(
        request,
        "providers/location_occupancy.html",
        {
            "location": location,
            "lines": lines,
            "age_groups": age_groups,
            "bad_month": error,
            "max_months": MAX_OCCUPANCY_MONTHS,
        },
        status=400 if error else 200,
    )
