"""API: a location's occupancy per month, for planning software (``tenants.providers.occupancy``).

Loket staff read every location of their loket, provider staff the locations granted to
them; any other location answers 404.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from opvangloket.openapi import MonthTextField
from shared.accounts.permissions import READ_METHODS, Access, HasRole
from shared.catalogue.forms import MonthField
from tenants.planning_clients.scopes import Scope, accepts
from tenants.providers.occupancy import (
    MAX_OCCUPANCY_MONTHS,
    OCCUPANCY_MONTHS,
    MonthOccupancy,
    location_occupancy,
    occupancy_months,
)
from tenants.providers.selectors import locations_manageable_by


class FreePlacesSerializer(serializers.Serializer):
    age_group = serializers.CharField()
    free_places = serializers.IntegerField(
        allow_null=True,
        help_text="Free places parents see for this age group: `null` when the provider has "
        "not counted this month (not known), `0` when none is free.",
    )


class CorrectionSerializer(serializers.Serializer):
    age_group = serializers.CharField()
    free_places_said = serializers.IntegerField(
        source="free_places", help_text="The free places the provider gave."
    )
    correction = serializers.IntegerField(
        allow_null=True,
        help_text="Added to licensed minus placed and offered; `null`: an own count kept "
        "from before corrections (offers of the month are taken from it).",
    )
    updated_at = serializers.DateTimeField()
    updated_by = serializers.EmailField(source="updated_by.email", allow_null=True, default=None)


class MonthOccupancySerializer(serializers.Serializer):
    month = MonthTextField()
    licensed_places = serializers.IntegerField(source="licensed")
    placed = serializers.IntegerField(
        help_text="Placements current in the month (start date to end date), every age group."
    )
    placed_by_age_group = serializers.DictField(child=serializers.IntegerField())
    offers_outstanding = serializers.IntegerField(
        source="offered",
        help_text="Open offers starting in or before the month: each holds a place.",
    )
    computed_free_places = serializers.IntegerField(
        source="computed_free",
        help_text="Licensed minus placed minus offers outstanding, at least 0.",
    )
    is_known = serializers.BooleanField(help_text="The provider counts this month.")
    free_places = serializers.SerializerMethodField()
    corrections = serializers.SerializerMethodField()

    @extend_schema_field(FreePlacesSerializer(many=True))
    def get_free_places(self, month: MonthOccupancy) -> list[dict]:
        return [{"age_group": group, "free_places": free} for group, free in month.free.items()]

    @extend_schema_field(CorrectionSerializer(many=True))
    def get_corrections(self, month: MonthOccupancy) -> list[dict]:
        return CorrectionSerializer(
            [row for _group, row in sorted(month.corrections.items())], many=True
        ).data


class _Months(forms.Form):
    start = MonthField(required=False)
    months = forms.IntegerField(required=False, min_value=1, max_value=MAX_OCCUPANCY_MONTHS)


@extend_schema(
    parameters=[
        OpenApiParameter("start", str, description="`YYYY-MM`: the first month (default: now)."),
        OpenApiParameter(
            "months",
            int,
            description=f"How many months (default {OCCUPANCY_MONTHS}, "
            f"at most {MAX_OCCUPANCY_MONTHS}).",
        ),
    ],
    responses=MonthOccupancySerializer(many=True),
)
class LocationOccupancyView(generics.GenericAPIView):
    """Occupancy per month of one location: licensed places, placements, offers outstanding,
    computed and published free places, and the provider's corrections (who and when)."""

    serializer_class = MonthOccupancySerializer
    permission_classes = [
        HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF.on(*READ_METHODS))
    ]
    pagination_class = None
    token_scopes = accepts(read=Scope.UPDATE_FREE_PLACES)

    def get(self, request: Request, pk: int) -> Response:
        location = get_object_or_404(
            locations_manageable_by(user=request.user, loket=getattr(request, "loket", None)),
            pk=pk,
        )
        query = _Months(request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        months = occupancy_months(
            start=query.cleaned_data["start"],
            count=query.cleaned_data["months"] or OCCUPANCY_MONTHS,
        )
        occupancy = location_occupancy(location=location, months=months)
        return Response(MonthOccupancySerializer(occupancy, many=True).data)
