"""API: the figures of this loket (its staff) or of this portal's region (its coordinators)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.registry.models import AnswerReason
from shared.statistics.answers import why_no_offer
from shared.statistics.forms import FiguresPeriodForm
from shared.statistics.selectors import (
    FIGURES_FROM,
    FIGURES_UNTIL,
    Period,
    duplicates_to_decide,
    figures_compute,
    figures_per_loket,
    reconciliation_for_loket,
    scope_for_loket,
    scope_for_region,
)
from tenants.planning_clients.scopes import Scope, accepts


class ChildCountsSerializer(serializers.Serializer):
    """The counts every grouping of the figures has: per child, per request, and the supply."""

    unique_requests = serializers.IntegerField()
    unique_without_offer = serializers.IntegerField()
    waiting = serializers.IntegerField()
    placements = serializers.IntegerField()
    priority = serializers.IntegerField()
    requests = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    licensed_places = serializers.IntegerField()
    free_places = serializers.IntegerField()


class FigureTotalsSerializer(ChildCountsSerializer):
    double_registrations = serializers.IntegerField()
    median_days_to_placement = serializers.FloatField(allow_null=True)


class MunicipalityFiguresSerializer(ChildCountsSerializer):
    nis_code = serializers.CharField()
    name = serializers.CharField()
    median_days_to_placement = serializers.FloatField(allow_null=True)


class LoketFiguresSerializer(ChildCountsSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    double_registrations = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Excluded.")


class WhyNoOfferRowSerializer(serializers.Serializer):
    nis_code = serializers.CharField(help_text="The location's municipality.")
    name = serializers.CharField()
    location_kind = serializers.CharField(help_text="Kind of care of the location.")
    reason = serializers.CharField(
        help_text=f"One of {', '.join(f'`{code}`' for code in AnswerReason.values)}."
    )
    answers = serializers.IntegerField(
        help_text='Locations\' standing answers "no place" or "other start date".'
    )
    children = serializers.IntegerField(help_text="Each child identity once.")


class WhyNoOfferSerializer(serializers.Serializer):
    by_reason = serializers.DictField(
        child=serializers.IntegerField(), help_text="Answers per reason code, every code."
    )
    rows = WhyNoOfferRowSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    scope = serializers.CharField()
    period = PeriodSerializer()
    supply_month = serializers.DateField()
    totals = FigureTotalsSerializer()
    municipalities = MunicipalityFiguresSerializer(many=True)
    waiting_by_age_group = serializers.DictField(child=serializers.IntegerField())
    waiting_by_start_month = serializers.DictField(child=serializers.IntegerField())
    waiting_by_priority = serializers.DictField(child=serializers.IntegerField())
    possible_duplicates_to_decide = serializers.IntegerField(
        help_text="Open possible duplicates with a request of this scope registered in the "
        "period: each is counted once until loket staff decide; a rejection makes two "
        "children of it."
    )
    lokets = LoketFiguresSerializer(
        many=True,
        help_text="On a region's portal: the figures of each of its lokets, by name (empty on "
        "a loket's host). A child counts once in each loket where it is registered and once "
        "in `totals`, so the lokets can add up to more than the totals.",
    )
    why_no_offer = WhyNoOfferSerializer(
        help_text="Why no offer: the locations' answers without an offer of this scope's "
        "requests registered in the period, by reason, per municipality and kind of care of "
        "the location."
    )


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description=f"A calendar year, {FIGURES_FROM.year} to {FIGURES_UNTIL.year - 1}.",
    ),
    OpenApiParameter(
        "start",
        OpenApiTypes.DATE,
        description=f"First day (with end), from {FIGURES_FROM.isoformat()}.",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.DATE,
        description=f"Day after the last day, at most {FIGURES_UNTIL.isoformat()}.",
    ),
]


def _period(request: Request) -> Period:
    """The period asked for; a 400 in the one shape when it is not one figures cover."""
    form = FiguresPeriodForm(request.query_params)
    if not form.is_valid():
        raise serializers.ValidationError(form.errors)
    return form.period()


class FiguresView(APIView):
    """Figures from the child portal: each child counted once, across lokets.

    On a loket's host for its loket staff; on a region's portal for its coordinators.
    """

    permission_classes = [HasRole(Access.LOKET_STAFF, Access.REGION_COORDINATOR)]
    token_scopes = accepts(read=Scope.READ_FIGURES)

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
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
        period = _period(request)
        figures = figures_compute(scope=scope, period=period)
        figures["possible_duplicates_to_decide"] = duplicates_to_decide(scope=scope, period=period)
        figures["why_no_offer"] = why_no_offer(scope=scope, period=period)
        figures["lokets"] = (
            figures_per_loket(region=request.region, period=period) if loket is None else []
        )
        return Response(FiguresSerializer(figures).data)


class ReconciledRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="This loket's request.")
    status = serializers.CharField()


class ReconciledChildSerializer(serializers.Serializer):
    child_key = serializers.CharField(help_text="The start of the child identity's random id.")
    requests = ReconciledRequestSerializer(many=True)
    other_lokets = serializers.ListField(
        child=serializers.CharField(), help_text="Other lokets of the child, by name only."
    )
    is_without_offer = serializers.BooleanField()
    is_waiting = serializers.BooleanField()
    has_open_duplicate = serializers.BooleanField()


class ReconciliationTotalsSerializer(serializers.Serializer):
    unique_requests = serializers.IntegerField()
    unique_without_offer = serializers.IntegerField()
    waiting = serializers.IntegerField()
    requests = serializers.IntegerField()


class ReconciliationSerializer(serializers.Serializer):
    period = PeriodSerializer()
    totals = ReconciliationTotalsSerializer()
    possible_duplicates_to_decide = serializers.IntegerField()
    children = ReconciledChildSerializer(many=True)


class ReconciliationView(APIView):
    """The requests behind this loket's figures of a period, per child identity.

    The totals are the figures' own (``/api/v1/figures/`` for the same period); each
    child lists this loket's references, and other lokets by name only.
    """

    permission_classes = [HasRole(Access.LOKET_STAFF)]
    token_scopes = accepts(read=Scope.READ_FIGURES)

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses=ReconciliationSerializer,
        examples=[
            OpenApiExample(
                "One child, registered here and in another loket",
                value={
                    "period": {"start": "2026-01-01", "end": "2027-01-01"},
                    "totals": {
                        "unique_requests": 1,
                        "unique_without_offer": 1,
                        "waiting": 1,
                        "requests": 1,
                    },
                    "possible_duplicates_to_decide": 0,
                    "children": [
                        {
                            "child_key": "3f2a9c1e",
                            "requests": [{"reference": "HER-2026-00042", "status": "open"}],
                            "other_lokets": ["Loket Leuven"],
                            "is_without_offer": True,
                            "is_waiting": True,
                            "has_open_duplicate": False,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        period = _period(request)
        reconciliation = reconciliation_for_loket(loket=request.loket, period=period)
        scope = scope_for_loket(loket=request.loket)
        return Response(
            ReconciliationSerializer(
                {
                    "period": {"start": period.start, "end": period.end},
                    "totals": {
                        "unique_requests": reconciliation.unique_requests,
                        "unique_without_offer": reconciliation.unique_without_offer,
                        "waiting": reconciliation.waiting,
                        "requests": reconciliation.requests,
                    },
                    "possible_duplicates_to_decide": duplicates_to_decide(
                        scope=scope, period=period
                    ),
                    "children": reconciliation.children,
                }
            ).data
        )
