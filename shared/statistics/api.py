"""API: the figures of this loket (its staff) or of this portal's region (its coordinators)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.statistics.selectors import figures_compute, scope_for_loket, scope_for_region
from shared.statistics.views import period_from


class FigureTotalsSerializer(serializers.Serializer):
    unique_requests = serializers.IntegerField()
    unique_without_offer = serializers.IntegerField()
    waiting = serializers.IntegerField()
    placements = serializers.IntegerField()
    priority = serializers.IntegerField()
    requests = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    double_registrations = serializers.IntegerField()
    median_days_to_placement = serializers.FloatField(allow_null=True)
    licensed_places = serializers.IntegerField()
    free_places = serializers.IntegerField()


class MunicipalityFiguresSerializer(serializers.Serializer):
    nis_code = serializers.CharField()
    name = serializers.CharField()
    unique_requests = serializers.IntegerField()
    unique_without_offer = serializers.IntegerField()
    waiting = serializers.IntegerField()
    placements = serializers.IntegerField()
    priority = serializers.IntegerField()
    requests = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    median_days_to_placement = serializers.FloatField(allow_null=True)
    licensed_places = serializers.IntegerField()
    free_places = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Excluded.")


class FiguresSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = PeriodSerializer()
    supply_month = serializers.DateField()
    totals = FigureTotalsSerializer()
    municipalities = MunicipalityFiguresSerializer(many=True)
    waiting_by_age_group = serializers.DictField(child=serializers.IntegerField())
    waiting_by_start_month = serializers.DictField(child=serializers.IntegerField())
    waiting_by_priority = serializers.DictField(child=serializers.IntegerField())


class FiguresView(APIView):
    """Figures from the child portal: each child counted once, across lokets.

    On a loket's host for its loket staff; on a region's portal for its coordinators.
    """

    permission_classes = [HasRole(Access.LOKET_STAFF, Access.REGION_COORDINATOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="A calendar year."),
            OpenApiParameter("start", OpenApiTypes.DATE, description="First day (with end)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Day after the last day."),
        ],
        responses=FiguresSerializer,
    )
    def get(self, request: Request) -> Response:
        # The role table lets loket staff in only on a loket's host, coordinators only on
        # their region's portal: the host says which scope.
        loket = getattr(request, "loket", None)
        if loket is not None:
            scope = scope_for_loket(loket=loket)
        else:
            scope = scope_for_region(region=request.region)
        figures = figures_compute(scope=scope, period=period_from(request.query_params))
        return Response(FiguresSerializer(figures).data)
