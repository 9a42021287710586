"""API for loket staff: close a location that stops, and read who was affected.

``/api/v1/providers/locations/<id>/close/``: POST closes (same service as the page), GET
reads the closing and its affected requests. Loket staff of the host's loket only; a
location of another loket answers 404 (it is not in this schema).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from tenants.allocation.closing import (
    REASON_MAX_LENGTH,
    closing_events,
    location_close,
    location_reopen,
)
from tenants.providers.models import Location


class LocationCloseRequestSerializer(serializers.Serializer):
    closes_on = serializers.DateField(
        help_text="The first day without care: at most a year ago, at most two years ahead."
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ClosingAffectedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    was_placed = serializers.BooleanField(
        help_text="The child had a place here: the placement ended and the request is open again."
    )
    offer_withdrawn = serializers.BooleanField()
    reopened_locations = serializers.ListField(
        child=serializers.CharField(),
        help_text="Choices that closed when the place was accepted and are in review again.",
    )


class LocationClosingSerializer(serializers.Serializer):
    location = serializers.IntegerField()
    closes_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    affected = ClosingAffectedSerializer(many=True)


def _closing(location: Location) -> dict:
    return {
        "location": location.pk,
        "closes_on": location.closes_on,
        "reason": location.closing_reason,
        "affected": [
            {
                "reference": event.request.reference,
                "was_placed": bool(event.details.get("was_placed")),
                "offer_withdrawn": bool(event.details.get("offer_withdrawn")),
                "reopened_locations": list(event.details.get("reopened", [])),
            }
            for event in closing_events(location=location)
        ],
    }


class LocationCloseView(APIView):
    """A location that stops: out of the offer at once, its families helped further."""

    # LOKET_STAFF, not PROVIDERS_LOKET_STAFF: this endpoint has always shared the requests
    # API's rule (the auditor tenant has no location to close either way).
    permission_classes = [HasRole(Access.LOKET_STAFF)]

    @extend_schema(
        responses={
            200: LocationClosingSerializer,
            404: OpenApiResponse(description="No location of this loket by that id."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        location = get_object_or_404(Location, pk=pk)
        return Response(LocationClosingSerializer(_closing(location)).data)

    @extend_schema(
        request=LocationCloseRequestSerializer,
        responses={
            200: LocationClosingSerializer,
            400: OpenApiResponse(description="Invalid date, or the location is already closing."),
            404: OpenApiResponse(description="No location of this loket by that id."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        location = get_object_or_404(Location, pk=pk)
        data = LocationCloseRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location_close(
            location=location,
            closes_on=data.validated_data["closes_on"],
            reason=data.validated_data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        location.refresh_from_db()
        return Response(LocationClosingSerializer(_closing(location)).data)


class LocationReopenView(APIView):
    """Undo a closing: the location is no longer closing; its closing stays in the trail."""

    permission_classes = [HasRole(Access.LOKET_STAFF)]

    @extend_schema(
        request=None,
        responses={
            200: LocationClosingSerializer,
            400: OpenApiResponse(description="The location is not closing."),
            404: OpenApiResponse(description="No location of this loket by that id."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        location = get_object_or_404(Location, pk=pk)
        location = location_reopen(location=location, actor=request.user, now=timezone.now())
        return Response(LocationClosingSerializer(_closing(location)).data)
