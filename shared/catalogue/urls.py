"""Search of the catalogue: pages under /opvang/, open data API under /api/v1/catalogue/."""

from django.urls import path

from shared.catalogue import api, views

app_name = "catalogue"

urlpatterns = [
    path("opvang/", views.search, name="search"),
    path("opvang/kaart.json", views.search_map_markers, name="map_markers"),
    path("opvang/<int:pk>/", views.location_detail, name="location"),
    path("api/v1/catalogue/locations/", api.CatalogueLocationList.as_view(), name="api_locations"),
    path(
        "api/v1/catalogue/locations/<int:pk>/",
        api.CatalogueLocationDetail.as_view(),
        name="api_location",
    ),
]
