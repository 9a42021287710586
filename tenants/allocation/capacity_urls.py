"""A placement's end date (API)."""

from django.urls import path

from tenants.allocation import capacity_api

app_name = "capacity"

urlpatterns = [
    path(
        "api/v1/placements/<int:location_id>/<int:placement_id>/end-date/",
        capacity_api.PlacementEndView.as_view(),
        name="api_placement_end",
    ),
]
