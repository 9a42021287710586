"""Figures on a loket's host: the dashboard, the figures page and its downloads."""

from django.urls import path

from shared.statistics import api, views

app_name = "statistics"

urlpatterns = [
    path("beheer/cijfers/", views.dashboard, name="dashboard"),
    path("beheer/cijfers/overzicht/", views.loket_figures, name="figures"),
    path(
        "beheer/cijfers/export.<str:fmt>",
        views.loket_download,
        name="download",
    ),
    path("api/v1/figures/", api.FiguresView.as_view(), name="api_figures"),
    path("beheer/cijfers/verantwoording/", views.loket_reconciliation, name="reconciliation"),
    path(
        "api/v1/figures/reconciliation/",
        api.ReconciliationView.as_view(),
        name="api_reconciliation",
    ),
]
