"""Loket staff's pages and API for the requests of their own loket."""

from django.urls import path

from tenants.requests import api, urgent_views, views

app_name = "requests"

pages = [
    path("beheer/aanvragen/", views.request_list, name="request_list"),
    path(
        "beheer/aanvragen/<str:reference>/",
        views.request_detail_page,
        name="request_detail",
    ),
    path("beheer/aanvragen/<str:reference>/notities/", views.note_add, name="note_add"),
    path(
        "beheer/aanvragen/<str:reference>/heropenen/",
        views.request_reopen_page,
        name="request_reopen",
    ),
    path(
        "beheer/aanvragen/<str:reference>/dringend/",
        urgent_views.request_mark_urgent_page,
        name="request_mark_urgent",
    ),
]

api_patterns = [
    path("api/v1/requests/", api.RequestListView.as_view(), name="api_requests"),
    path(
        "api/v1/requests/<str:reference>/",
        api.RequestDetailView.as_view(),
        name="api_request",
    ),
    path(
        "api/v1/requests/<str:reference>/reopen/",
        api.RequestReopenView.as_view(),
        name="api_request_reopen",
    ),
    path(
        "api/v1/requests/<str:reference>/urgent/",
        urgent_views.RequestMarkUrgentView.as_view(),
        name="api_request_mark_urgent",
    ),
]

urlpatterns = pages + api_patterns
