"""API: the team of this loket (loket staff, on its host) or of this region (coordinators,
on its portal): who has which role, invitations, ending a role, provider staff locations.

The same paths on both kinds of host; the host decides the loket or region, the role
table who may (``HasRole``), and every object is looked up inside that loket or region
(another's id answers 404). Writes go through ``shared.accounts.invitations``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opvangloket.request_limits import JSONParser
from shared.accounts import invitations as services
from shared.accounts.models import Invitation, Membership
from shared.accounts.permissions import Access, HasRole
from shared.accounts.selectors import (
    loket_team,
    pending_invitations,
    region_team,
    team_invitation,
    team_membership,
)

TEAM_ACCESS = HasRole(Access.PROVIDERS_LOKET_STAFF, Access.REGION_COORDINATOR)


class TeamMemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)
    since = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "email", "full_name", "role", "since")


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="nl")
    locations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        source="location_ids",
        required=False,
        max_length=500,
        help_text="Provider staff only: ids of this loket's locations granted on acceptance.",
    )
    is_expired = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = (
            "id",
            "email",
            "role",
            "language",
            "locations",
            "created_at",
            "expires_at",
            "is_expired",
        )
        read_only_fields = ("id", "created_at", "expires_at", "is_expired")
        extra_kwargs = {"email": {"max_length": 254}}

    def get_is_expired(self, invitation: Invitation) -> bool:
        return not invitation.is_open


class LocationsSerializer(serializers.Serializer):
    locations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=500
    )


class _TeamView(APIView):
    permission_classes = [TEAM_ACCESS]

    def scope(self) -> dict:
        loket = getattr(self.request, "loket", None)
        return {"loket": loket} if loket is not None else {"region": self.request.region}

    def membership(self, membership_id: int) -> Membership:
        membership = team_membership(pk=membership_id, **self.scope())
        if membership is None:
            raise Http404
        return membership

    def invitation(self, invitation_id: int) -> Invitation:
        invitation = team_invitation(pk=invitation_id, **self.scope())
        if invitation is None:
            raise Http404
        return invitation


class TeamView(_TeamView):
    """Who has which role in this loket (or, on a portal, who coordinates this region)."""

    @extend_schema(responses=TeamMemberSerializer(many=True))
    def get(self, request: Request) -> Response:
        scope = self.scope()
        team = loket_team(**scope) if "loket" in scope else region_team(**scope)
        return Response(TeamMemberSerializer(team, many=True).data)


class TeamMemberView(_TeamView):
    """One role; DELETE ends it (the person reaches no staff page from the next request)."""

    @extend_schema(responses=TeamMemberSerializer)
    def get(self, request: Request, membership_id: int) -> Response:
        return Response(TeamMemberSerializer(self.membership(membership_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, membership_id: int) -> Response:
        services.membership_end(membership=self.membership(membership_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamMemberLocationsView(_TeamView):
    """The locations a provider staff member keeps up to date; PUT grants exactly these
    (the others are withdrawn). Loket hosts only (``urlpatterns``)."""

    parser_classes = [JSONParser]

    def provider(self, membership_id: int) -> Membership:
        membership = self.membership(membership_id)
        if membership.loket_id is None or membership.role != Membership.Role.PROVIDER_STAFF:
            raise Http404
        return membership

    @extend_schema(responses=LocationsSerializer)
    def get(self, request: Request, membership_id: int) -> Response:
        membership = self.provider(membership_id)
        return Response({"locations": services.provider_location_ids(membership=membership)})

    @extend_schema(request=LocationsSerializer, responses=LocationsSerializer)
    def put(self, request: Request, membership_id: int) -> Response:
        membership = self.provider(membership_id)
        serializer = LocationsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        granted = services.provider_locations_set(
            membership=membership,
            location_ids=serializer.validated_data["locations"],
            actor=request.user,
        )
        return Response({"locations": granted})


class InvitationListView(_TeamView):
    """Invitations waiting for an answer (expired ones too); POST invites someone."""

    parser_classes = [JSONParser]

    @extend_schema(responses=InvitationSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(InvitationSerializer(pending_invitations(**self.scope()), many=True).data)

    @extend_schema(request=InvitationSerializer, responses={201: InvitationSerializer})
    def post(self, request: Request) -> Response:
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, _link = services.invitation_create(
            inviter=request.user,
            email=data["email"],
            role=data["role"],
            language=data["language"],
            location_ids=data.get("location_ids") or [],
            **self.scope(),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(_TeamView):
    """One invitation; DELETE cancels it (its link stops working)."""

    @extend_schema(responses=InvitationSerializer)
    def get(self, request: Request, invitation_id: int) -> Response:
        return Response(InvitationSerializer(self.invitation(invitation_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, invitation_id: int) -> Response:
        services.invitation_cancel(invitation=self.invitation(invitation_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationResendView(_TeamView):
    """Send the invitation again, with a new link valid 7 days (the old link stops working)."""

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation, _link = services.invitation_resend(
            invitation=self.invitation(invitation_id), actor=request.user
        )
        return Response(InvitationSerializer(invitation).data)


# On a region's portal: its coordinators (no locations there).
region_urlpatterns = [
    path("api/v1/team/", TeamView.as_view(), name="api_team"),
    path("api/v1/team/invitations/", InvitationListView.as_view(), name="api_team_invitations"),
    path(
        "api/v1/team/invitations/<int:invitation_id>/",
        InvitationDetailView.as_view(),
        name="api_team_invitation",
    ),
    path(
        "api/v1/team/invitations/<int:invitation_id>/resend/",
        InvitationResendView.as_view(),
        name="api_team_invitation_resend",
    ),
    path("api/v1/team/<int:membership_id>/", TeamMemberView.as_view(), name="api_team_member"),
]

# On a loket's host: its staff, and the locations of its provider staff.
urlpatterns = [
    *region_urlpatterns,
    path(
        "api/v1/team/<int:membership_id>/locations/",
        TeamMemberLocationsView.as_view(),
        name="api_team_member_locations",
    ),
]
