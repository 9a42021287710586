"""API: a placement's end date (from then on its place counts as free again)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from tenants.allocation.capacity import placement_set_end
from tenants.allocation.models import Placement
from tenants.providers.selectors import locations_manageable_by


class PlacementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(
        allow_null=True,
        help_text="The child's last day at the location; `null`: not known (the place stays "
        "taken).",
    )


class PlacementEndAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    location = serializers.IntegerField(source="location_id")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class PlacementEndView(APIView):
    """Set when a placement ends: the month grid and the catalogue count its place as free
    from the month after; an ended placement no longer counts against the 10% of advised
    places."""

    permission_classes = [HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF)]

    @extend_schema(
        request=PlacementEndSerializer,
        responses={
            200: PlacementEndAnswerSerializer,
            400: OpenApiResponse(description="A bad date, or one before the start."),
            404: OpenApiResponse(description="No such placement at a location you manage."),
        },
    )
    def put(self, request: Request, location_id: int, placement_id: int) -> Response:
        location = get_object_or_404(
            locations_manageable_by(user=request.user, loket=request.loket), pk=location_id
        )
        placement = get_object_or_404(Placement, pk=placement_id, location=location)
        data = PlacementEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = placement_set_end(
            placement=placement,
            end_date=data.validated_data["end_date"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(PlacementEndAnswerSerializer(placement).data)
