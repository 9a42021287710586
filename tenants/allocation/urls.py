"""The queues of a loket's locations: pages under /beheer/wachtlijst/, API under /api/v1/."""

from django.urls import path

from tenants.allocation import (
    api,
    placement_api,
    placement_views,
    round_api,
    round_views,
    views,
)

app_name = "allocation"

CHOICE = "beheer/wachtlijst/<int:location_id>/<int:choice_id>"

pages = [
    path("beheer/wachtlijst/", views.queue_overview, name="queue_overview"),
    path("beheer/wachtlijst/uitzonderingen/", views.exceptions, name="exceptions"),
    path("beheer/wachtlijst/achterstand/", views.overdue, name="overdue"),
    path("beheer/wachtlijst/<int:location_id>/", views.queue, name="queue"),
    path("beheer/plaatsingen/", placement_views.placements_overview, name="placements_overview"),
    path("beheer/plaatsingen/<int:location_id>/", placement_views.placements, name="placements"),
    path(
        "beheer/plaatsingen/<int:location_id>/<int:placement_id>/einddatum/",
        placement_views.placement_end,
        name="placement_end",
    ),
    path(f"{CHOICE}/aanbod/", views.offer_create, name="offer_create"),
    path(f"{CHOICE}/aanbod-intrekken/", views.offer_withdraw, name="offer_withdraw"),
    path(f"{CHOICE}/geen-plaats/", views.no_place, name="no_place"),
    path(f"{CHOICE}/andere-datum/", views.other_date, name="other_date"),
    path("beheer/rondes/", round_views.rounds_overview, name="rounds"),
    path("beheer/rondes/instelling/", round_views.rounds_switch, name="rounds_switch"),
    path("beheer/rondes/voorstellen/", round_views.proposals, name="proposals"),
    path(
        "beheer/rondes/voorstellen/<int:proposal_id>/bevestigen/",
        round_views.proposal_answer,
        {"answer": "confirm"},
        name="proposal_confirm",
    ),
    path(
        "beheer/rondes/voorstellen/<int:proposal_id>/afwijzen/",
        round_views.proposal_answer,
        {"answer": "reject"},
        name="proposal_reject",
    ),
    path("beheer/rondes/<int:round_id>/", round_views.round_detail, name="round_detail"),
    path("beheer/rondes/<int:round_id>/annuleren/", round_views.round_cancel, name="round_cancel"),
    path("beheer/rondes/<int:round_id>/afsluiten/", round_views.round_close, name="round_close"),
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
    path("api/v1/rounds/", round_api.RoundListView.as_view(), name="api_rounds"),
    path(
        "api/v1/rounds/proposals/",
        round_api.ProposalListView.as_view(),
        name="api_round_proposals",
    ),
    path(
        "api/v1/rounds/proposals/<int:proposal_id>/confirm/",
        round_api.ProposalConfirmView.as_view(),
        name="api_round_proposal_confirm",
    ),
    path(
        "api/v1/rounds/proposals/<int:proposal_id>/reject/",
        round_api.ProposalRejectView.as_view(),
        name="api_round_proposal_reject",
    ),
    path("api/v1/rounds/<int:round_id>/", round_api.RoundView.as_view(), name="api_round"),
    path(
        "api/v1/rounds/<int:round_id>/cancel/",
        round_api.RoundCancelView.as_view(),
        name="api_round_cancel",
    ),
    path(
        "api/v1/rounds/<int:round_id>/close/",
        round_api.RoundCloseView.as_view(),
        name="api_round_close",
    ),
]

urlpatterns = pages + api_patterns
