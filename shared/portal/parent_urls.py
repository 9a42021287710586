"""URL patterns of the parents' follow-up (Mijn aanvragen): pages and API, on every host."""

from django.urls import path

from shared.portal import api, own_data_api, own_data_views, submission_api, views
from tenants.allocation import api as offer_api
from tenants.allocation import parent_views as offer_views

MY = "mijn-aanvragen/<uuid:submission>"
API = "api/v1/my/requests/<uuid:submission>"

urlpatterns = [
    path("mijn-aanvragen/", views.my_requests, name="my_requests"),
    # Desk registrations: with the receipt's claim code, or with a verified address.
    path("mijn-aanvragen/koppelen/", views.my_requests_claim, name="my_requests_claim"),
    path(
        "mijn-aanvragen/koppelen/e-mailadres/",
        views.my_requests_claim_email,
        name="my_requests_claim_email",
    ),
    # A parent's own data (GDPR): download everything, erase the account.
    path("mijn-aanvragen/mijn-gegevens/", own_data_views.my_data, name="my_data"),
    path(
        "mijn-aanvragen/mijn-gegevens/download.<str:fmt>",
        own_data_views.my_data_download,
        name="my_data_download",
    ),
    path(
        "mijn-aanvragen/mijn-gegevens/account-wissen/",
        own_data_views.my_account_erase,
        name="my_account_erase",
    ),
    path(f"{MY}/", views.my_request, name="my_request"),
    path(f"{MY}/startdatum/", views.my_request_start, name="my_request_start"),
    path(f"{MY}/opvangplan/", views.my_request_care_plan, name="my_request_care_plan"),
    path(f"{MY}/locaties/", views.my_request_choices, name="my_request_choices"),
    path(f"{MY}/locaties/toevoegen/", views.my_request_add_choice, name="my_request_add_choice"),
    path(
        f"{MY}/locaties/<int:part>/<int:choice>/verplaatsen/",
        views.my_request_move_choice,
        name="my_request_move_choice",
    ),
    path(
        f"{MY}/locaties/<int:part>/<int:choice>/verwijderen/",
        views.my_request_remove_choice,
        name="my_request_remove_choice",
    ),
    path(f"{MY}/intrekken/", views.my_request_withdraw, name="my_request_withdraw"),
    path(f"{MY}/bevestigen/", views.my_request_confirm, name="my_request_confirm"),
    path(f"{MY}/kind/", views.my_request_child, name="my_request_child"),
    path(
        f"{MY}/ontvangstbewijs/<int:part>.pdf",
        views.my_request_receipt,
        name="my_request_receipt",
    ),
    path(
        "mijn-aanvragen/aanbod/<uuid:offer_id>/aanvaarden/",
        offer_views.my_offer_accept,
        name="my_offer_accept",
    ),
    path(
        "mijn-aanvragen/aanbod/<uuid:offer_id>/weigeren/",
        offer_views.my_offer_decline,
        name="my_offer_decline",
    ),
    path("api/v1/my/requests/", api.MyRequestList.as_view(), name="api_my_requests"),
    path("api/v1/my/claims/", api.MyClaimCreate.as_view(), name="api_my_claims"),
    path("api/v1/my/children/", submission_api.MyChildList.as_view(), name="api_my_children"),
    path("api/v1/my/data/", own_data_api.MyData.as_view(), name="api_my_data"),
    path("api/v1/my/data/pdf/", own_data_api.MyDataPdf.as_view(), name="api_my_data_pdf"),
    path("api/v1/my/account/erase/", own_data_api.MyAccountErase.as_view(), name="api_my_erase"),
    path(
        "api/v1/my/offers/<uuid:offer_id>/accept/",
        offer_api.MyOfferAccept.as_view(),
        name="api_my_offer_accept",
    ),
    path(
        "api/v1/my/offers/<uuid:offer_id>/decline/",
        offer_api.MyOfferDecline.as_view(),
        name="api_my_offer_decline",
    ),
    path(f"{API}/", api.MyRequestDetail.as_view(), name="api_my_request"),
    path(f"{API}/withdraw/", api.MyRequestWithdraw.as_view(), name="api_my_request_withdraw"),
    path(f"{API}/confirm/", api.MyRequestConfirm.as_view(), name="api_my_request_confirm"),
    path(f"{API}/child/", api.MyRequestChild.as_view(), name="api_my_request_child"),
    path(f"{API}/choices/", api.MyRequestAddChoices.as_view(), name="api_my_request_choices"),
    path(
        f"{API}/choices/remove/",
        api.MyRequestRemoveChoice.as_view(),
        name="api_my_request_remove_choice",
    ),
    path(
        f"{API}/choices/order/",
        api.MyRequestReorderChoices.as_view(),
        name="api_my_request_order",
    ),
]
