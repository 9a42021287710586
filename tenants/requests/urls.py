"""Loket staff's pages and API for the requests of their own loket."""

from django.urls import path

from tenants.requests import (
    api,
    child_search_api,
    child_search_views,
    duplicates_api,
    duplicates_views,
    family_data_views,
    receipt_views,
    urgent_views,
    views,
)

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
        "beheer/aanvragen/<str:reference>/kind/",
        views.request_child_update_page,
        name="request_child_update",
    ),
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
    path(
        "beheer/aanvragen/<str:reference>/ontvangstbewijs/",
        receipt_views.request_receipt_page,
        name="request_receipt",
    ),
    path(
        "beheer/aanvragen/<str:reference>/ontvangstbewijs.pdf",
        receipt_views.request_receipt_pdf,
        name="request_receipt_pdf",
    ),
    path(
        "beheer/aanvragen/<str:reference>/koppelcode/",
        receipt_views.request_claim_code_page,
        name="request_claim_code",
    ),
    path("beheer/kind-zoeken/", child_search_views.child_search_page, name="child_search"),
    # A desk family's access and erasure requests (tenants/requests/family_data*.py).
    path(
        "beheer/aanvragen/<str:reference>/gegevens.<str:fmt>",
        family_data_views.desk_family_download,
        name="desk_family_download",
    ),
    path(
        "beheer/aanvragen/<str:reference>/gegevens-wissen/",
        family_data_views.desk_family_erase_page,
        name="desk_family_erase",
    ),
]

api_patterns = [
    path("api/v1/requests/", api.RequestListView.as_view(), name="api_requests"),
    path(
        "api/v1/registry/children/",
        child_search_api.ChildSearchView.as_view(),
        name="api_registry_children",
    ),
    path(
        "api/v1/requests/<str:reference>/",
        api.RequestDetailView.as_view(),
        name="api_request",
    ),
    path(
        "api/v1/requests/<str:reference>/child/",
        api.RequestChildUpdateView.as_view(),
        name="api_request_child",
    ),
    path(
        "api/v1/requests/<str:reference>/receipt/",
        receipt_views.RequestReceiptView.as_view(),
        name="api_request_receipt",
    ),
    path(
        "api/v1/requests/<str:reference>/claim-code/",
        receipt_views.RequestClaimCodeView.as_view(),
        name="api_request_claim_code",
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

# Possible duplicates across families: loket staff decide (tenants/requests/duplicates*.py).
duplicates = [
    path("beheer/dubbels/", duplicates_views.duplicate_list, name="duplicate_list"),
    path(
        "beheer/dubbels/<int:duplicate_id>/",
        duplicates_views.duplicate_decide_page,
        name="duplicate_decide",
    ),
    path(
        "beheer/aanvragen/<str:reference>/ander-kind/",
        duplicates_views.child_split_page,
        name="child_split",
    ),
    path("api/v1/duplicates/", duplicates_api.DuplicateListView.as_view(), name="api_duplicates"),
    path(
        "api/v1/duplicates/<int:id>/confirm/",
        duplicates_api.DuplicateConfirmView.as_view(),
        name="api_duplicate_confirm",
    ),
    path(
        "api/v1/duplicates/<int:id>/reject/",
        duplicates_api.DuplicateRejectView.as_view(),
        name="api_duplicate_reject",
    ),
    path(
        "api/v1/requests/<str:reference>/split-child/",
        duplicates_api.ChildSplitView.as_view(),
        name="api_request_split_child",
    ),
]

urlpatterns = pages + api_patterns + duplicates
