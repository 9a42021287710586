"""A loket's team pages (loket URL conf)."""

from django.urls import path

from shared.accounts import team_api, team_views

urlpatterns = [
    path("beheer/team/", team_views.team, name="team"),
    path(
        "beheer/team/uitnodigingen/<int:invitation_id>/opnieuw/",
        team_views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "beheer/team/uitnodigingen/<int:invitation_id>/annuleren/",
        team_views.invitation_cancel,
        name="invitation_cancel",
    ),
    path(
        "beheer/team/<int:membership_id>/beeindigen/",
        team_views.membership_end,
        name="membership_end",
    ),
    path(
        "beheer/team/<int:membership_id>/locaties/",
        team_views.member_locations,
        name="member_locations",
    ),
    *team_api.urlpatterns,
]
