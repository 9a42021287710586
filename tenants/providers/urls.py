"""Management of a loket's providers: pages under /beheer/opvang/, API under /api/v1/providers/."""

from django.urls import path

from tenants.providers import api, occupancy_api, occupancy_views, views

app_name = "providers"

pages = [
    path("beheer/opvang/", views.location_list, name="location_list"),
    path("beheer/opvang/locaties/nieuw/", views.location_create, name="location_create"),
    path("beheer/opvang/locaties/<int:pk>/", views.location_detail, name="location_detail"),
    path("beheer/opvang/locaties/<int:pk>/bewerken/", views.location_edit, name="location_edit"),
    path(
        "beheer/opvang/locaties/<int:pk>/verwijderen/",
        views.location_delete,
        name="location_delete",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/publicatie/",
        views.location_publish,
        name="location_publish",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/vrije-plaatsen/",
        views.location_free_places,
        name="location_free_places",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/bezetting/",
        occupancy_views.location_occupancy_grid,
        name="location_occupancy",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/sluitingsperiodes/",
        views.closing_period_add,
        name="closing_period_add",
    ),
    path(
        "beheer/opvang/locaties/<int:pk>/sluitingsperiodes/<int:period_pk>/verwijderen/",
        views.closing_period_remove,
        name="closing_period_remove",
    ),
    path("beheer/opvang/locaties/<int:pk>/toegang/", views.location_grant, name="location_grant"),
    path(
        "beheer/opvang/locaties/<int:pk>/toegang/<int:user_pk>/intrekken/",
        views.location_revoke,
        name="location_revoke",
    ),
    path("beheer/opvang/organisatoren/", views.organizer_list, name="organizer_list"),
    path("beheer/opvang/organisatoren/nieuw/", views.organizer_create, name="organizer_create"),
    path(
        "beheer/opvang/organisatoren/<int:pk>/bewerken/",
        views.organizer_edit,
        name="organizer_edit",
    ),
    path(
        "beheer/opvang/organisatoren/<int:pk>/verwijderen/",
        views.organizer_delete,
        name="organizer_delete",
    ),
    path("beheer/opvang/import/", views.location_import, name="location_import"),
    path(
        "beheer/opvang/import/voorbeeld.csv",
        views.location_import_example,
        name="location_import_example",
    ),
]

api_patterns = [
    path(
        "api/v1/providers/organizers/",
        api.OrganizerListCreate.as_view(),
        name="api_organizers",
    ),
    path(
        "api/v1/providers/organizers/<int:pk>/",
        api.OrganizerDetail.as_view(),
        name="api_organizer",
    ),
    path("api/v1/providers/locations/", api.LocationListCreate.as_view(), name="api_locations"),
    path(
        "api/v1/providers/locations/import/",
        api.LocationImport.as_view(),
        name="api_location_import",
    ),
    path(
        "api/v1/providers/locations/<int:pk>/",
        api.LocationDetail.as_view(),
        name="api_location",
    ),
    path(
        "api/v1/providers/locations/<int:pk>/availability/",
        api.LocationAvailability.as_view(),
        name="api_location_availability",
    ),
    path(
        "api/v1/providers/locations/<int:pk>/occupancy/",
        occupancy_api.LocationOccupancyView.as_view(),
        name="api_location_occupancy",
    ),
]

urlpatterns = pages + api_patterns
