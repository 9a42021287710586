"""Closing a location that stops: the page under /beheer/opvang/ and its API action."""

from django.urls import path

from tenants.allocation import closing_api, closing_views

app_name = "closing"

urlpatterns = [
    path(
        "beheer/opvang/locaties/<int:pk>/sluiten/",
        closing_views.location_close_page,
        name="location_close",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/sluiten/heropenen/",
        closing_views.location_reopen_page,
        name="location_reopen",
    ),
    path(
        "api/v1/providers/locations/<int:pk>/reopen/",
        closing_api.LocationReopenView.as_view(),
        name="api_location_reopen",
    ),
    path(
        "api/v1/providers/locations/<int:pk>/close/",
        closing_api.LocationCloseView.as_view(),
        name="api_location_close",
    ),
]
