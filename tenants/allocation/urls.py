"""The queues of a loket's locations: pages under /beheer/wachtlijst/, API under /api/v1/."""

from django.urls import path

from tenants.allocation import api, placement_api, placement_views, views

app_name = "allocation"

CHOICE = "beheer/wachtlijst/<int:location_id>/<int:choice_id>"

pages = [
    path("beheer/wachtlijst/", views.queue_overview, name="queue_overview"),
    path("beheer/wachtlijst/uitzonderingen/", views.exceptions, name="exceptions"),
    path("beheer/wachtlijst/achterstand/", views.overdue, name="overdue"),
    path("beheer/wachtlijst/<int:location_id>/", views.queue, name="queue"),
    path("beheer/plaatsingen/", placement_views.placements_overview, name="placements_overview"),
    path("beheer/plaatsingen/<int:location_id>/", placement_views.placements, name="placements"),
    path(f"{CHOICE}/aanbod/", views.offer_create, name="offer_create"),
    path(f"{CHOICE}/aanbod-intrekken/", views.offer_withdraw, name="offer_withdraw"),
    path(f"{CHOICE}/geen-plaats/", views.no_place, name="no_place"),
    path(f"{CHOICE}/andere-datum/", views.other_date, name="other_date"),
]

api_patterns = [
    path("api/v1/queue/<int:location_id>/", api.QueueView.as_view(), name="api_queue"),
    path(
        "api/v1/placements/<int:location_id>/",
        placement_api.LocationPlacementsView.as_view(),
        name="api_location_placements",
    ),
    path("api/v1/queue/overdue/", api.OverdueView.as_view(), name="api_overdue"),
    path("api/v1/offers/", api.OfferListView.as_view(), name="api_offers"),
    path(
        "api/v1/offers/<uuid:offer_id>/withdraw/",
        api.OfferWithdrawView.as_view(),
        name="api_offer_withdraw",
    ),
    path(
        "api/v1/choices/<int:choice_id>/offers/",
        api.ChoiceOffersView.as_view(),
        name="api_choice_offers",
    ),
    path(
        "api/v1/choices/<int:choice_id>/no-place/",
        api.ChoiceNoPlaceView.as_view(),
        name="api_choice_no_place",
    ),
    path(
        "api/v1/choices/<int:choice_id>/other-date/",
        api.ChoiceOtherDateView.as_view(),
        name="api_choice_other_date",
    ),
]

urlpatterns = pages + api_patterns
