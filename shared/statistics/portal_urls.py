"""Figures on a region's portal, for its coordinators."""

from django.urls import path

from shared.statistics import api, views

app_name = "statistics"

urlpatterns = [
    path("cijfers/", views.region_figures, name="figures"),
    path("cijfers/export.<str:fmt>", views.region_download, name="download"),
    path("api/v1/figures/", api.FiguresView.as_view(), name="api_figures"),
]
