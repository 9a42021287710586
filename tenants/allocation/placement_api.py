"""API of placements and upcoming starts, for providers' planning software.

The same walls as the pages: loket staff and provider staff of the host's loket, provider
staff only for their granted locations (any other location answers 404). Every read is
recorded in the audit trail, one event per request shown.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers

from shared.accounts.permissions import Access, HasRole
from shared.catalogue.vocabulary import DAY_PARTS
from tenants.allocation.placements import (
    PlacementLine,
    location_placements,
    placements_viewed_record,
)
from tenants.providers.selectors import locations_manageable_by

HALF_DAYS = f"Half-days of the week: {', '.join(f'`{code}`' for code in DAY_PARTS)}."


class PlacementLineSerializer(serializers.Serializer):
    placement = serializers.IntegerField(source="placement.pk", help_text="The placement's id.")
    location = serializers.IntegerField(source="placement.location_id")
    choice = serializers.IntegerField(source="placement.choice_id")
    reference = serializers.CharField()
    child_first_name = serializers.CharField()
    child_last_name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(
        allow_null=True, help_text="The last day of care; null while not known."
    )
    care_plan = serializers.ListField(
        child=serializers.CharField(), help_text=f"The days offered and accepted. {HALF_DAYS}"
    )
    contact_name = serializers.CharField(help_text="The family's first contact person.")
    contact_email = serializers.CharField()
    contact_phone = serializers.CharField()
    is_upcoming = serializers.BooleanField(help_text="The child starts after today.")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "upcoming", bool, description="`true`: only children who start after today."
        ),
    ],
    responses={
        200: PlacementLineSerializer(many=True),
        404: OpenApiResponse(description="No such location among those you manage."),
    },
)
class LocationPlacementsView(generics.ListAPIView):
    """The placements of one location: upcoming starts first (soonest first), then the
    children who started; with the family's contact details for the contract."""

    serializer_class = PlacementLineSerializer
    permission_classes = [HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF)]

    def get_queryset(self) -> list[PlacementLine]:
        location = get_object_or_404(
            locations_manageable_by(user=self.request.user, loket=self.request.loket),
            pk=self.kwargs["location_id"],
        )
        lines = location_placements(location=location, today=timezone.localdate())
        upcoming = self.request.query_params.get("upcoming", "")
        if upcoming not in ("", "true", "false", "1", "0"):
            raise serializers.ValidationError({"upcoming": ["Give true or false."]})
        if upcoming in ("true", "1"):
            lines = [line for line in lines if line.is_upcoming]
        return lines

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        # Only the page of rows actually sent is recorded as seen.
        shown = getattr(self, "_shown", None)
        if shown is not None:
            placements_viewed_record(actor=request.user, lines=shown)
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._shown = list(page) if page is not None else list(queryset)
        return page
