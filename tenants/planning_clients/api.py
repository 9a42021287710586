"""API of the planning clients, for the loket's own staff (never for a token: default deny)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from tenants.planning_clients import services
from tenants.planning_clients.models import PlanningClient
from tenants.planning_clients.scopes import Scope
from tenants.planning_clients.selectors import client_locations, planning_clients
from tenants.providers.models import Location

LOKET_STAFF_ONLY = HasRole(Access.PROVIDERS_LOKET_STAFF)


class PlanningClientSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="`provider` or `loket`.")
    scopes = serializers.ListField(
        child=serializers.CharField(), help_text=f"Any of {', '.join(Scope.values)}."
    )
    locations = serializers.SerializerMethodField(help_text="Ids of the granted locations.")
    service_account = serializers.EmailField(
        source="user.email", help_text="The account its calls are recorded under."
    )
    is_revoked = serializers.BooleanField()

    class Meta:
        model = PlanningClient
        fields = (
            "id",
            "name",
            "kind",
            "scopes",
            "locations",
            "client_id",
            "service_account",
            "created_at",
            "is_revoked",
            "revoked_at",
        )

    def get_locations(self, client: PlanningClient) -> list[int]:
        return list(client_locations(client=client).values_list("pk", flat=True))


class PlanningClientCreatedSerializer(PlanningClientSerializer):
    client_secret = serializers.CharField(
        help_text="Shown only in this answer: the loket keeps it hashed."
    )

    class Meta(PlanningClientSerializer.Meta):
        fields = (*PlanningClientSerializer.Meta.fields, "client_secret")


class PlanningClientCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=PlanningClient.Kind.choices)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False
    )
    locations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        help_text="Ids of the locations provider software works for.",
    )

    def validate_locations(self, ids: list[int]) -> list[Location]:
        found = list(Location.objects.filter(pk__in=ids))
        if len(found) != len(set(ids)):
            raise serializers.ValidationError("Unknown location.")
        return found


class ClientListCreate(generics.ListCreateAPIView):
    """Planning software registered by this loket (loket staff), revoked ones too.

    POST registers one: the answer holds its client secret, shown this once.
    """

    serializer_class = PlanningClientSerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get_queryset(self):
        return planning_clients()

    @extend_schema(
        request=PlanningClientCreateSerializer,
        responses={201: PlanningClientCreatedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = PlanningClientCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client, secret = services.planning_client_create(
            loket=request.loket, created_by=request.user, now=timezone.now(), **data.validated_data
        )
        client.client_secret = secret
        return Response(
            PlanningClientCreatedSerializer(client).data, status=status.HTTP_201_CREATED
        )


class ClientRevoke(APIView):
    """Revoke planning software: its tokens are refused at once, it gets no new ones."""

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=None,
        responses={
            200: PlanningClientSerializer,
            404: OpenApiResponse(description="No such client of this loket."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        client = get_object_or_404(planning_clients(), pk=pk)
        client = services.planning_client_revoke(
            client=client, loket=request.loket, revoked_by=request.user, now=timezone.now()
        )
        return Response(PlanningClientSerializer(client).data)
