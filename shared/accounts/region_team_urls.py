"""A region's coordinators, on its portal (public URL conf)."""

from django.urls import path

from shared.accounts import team_api, team_views

urlpatterns = [
    path("coordinatie/team/", team_views.region_team_page, name="region_team"),
    path(
        "coordinatie/team/uitnodigingen/<int:invitation_id>/opnieuw/",
        team_views.region_invitation_resend,
        name="region_invitation_resend",
    ),
    path(
        "coordinatie/team/uitnodigingen/<int:invitation_id>/annuleren/",
        team_views.region_invitation_cancel,
        name="region_invitation_cancel",
    ),
    path(
        "coordinatie/team/<int:membership_id>/beeindigen/",
        team_views.region_membership_end,
        name="region_membership_end",
    ),
    *team_api.region_urlpatterns,
]
