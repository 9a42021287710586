"""API for loket staff: possible duplicates of this loket, and the decision on each.

The same selectors and services as the pages (``shared.registry.duplicates``, wrapped by
``tenants.requests.duplicates`` for the audit trail). The other family's request is only
"which loket, which status"; a duplicate without an entry in this loket answers 404.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.registry.duplicates import (
    DECISION_REASON_MAX_LENGTH,
    DuplicateView,
    duplicate_view,
    duplicates_for_loket,
)
from shared.registry.models import PossibleDuplicate, RequestStatus
from tenants.requests.duplicates import loket_child_split, loket_duplicate_decide

LOKET_STAFF = HasRole(Access.LOKET_STAFF)


class DuplicateSideSerializer(serializers.Serializer):
    loket = serializers.CharField(source="loket_name", help_text="The loket's name.")
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    reference = serializers.CharField(
        allow_null=True,
        help_text="The request's reference: only for a request of this loket (else null).",
    )


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PossibleDuplicate.Status.choices)
    reason = serializers.ChoiceField(
        choices=PossibleDuplicate.Reason.choices, help_text="What the two requests share."
    )
    found_at = serializers.DateTimeField()
    placed_elsewhere_at = serializers.DateTimeField(
        allow_null=True, help_text="When a place was accepted for the other family's request."
    )
    request = DuplicateSideSerializer(help_text="This loket's request.")
    other = DuplicateSideSerializer(help_text="The other family's request.")
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()

    def to_representation(self, view: DuplicateView) -> dict:
        duplicate = view.duplicate

        def side(one) -> dict:
            return {
                "loket": one.loket_name,
                "status": one.status,
                "reference": one.reference or None,
            }

        return {
            "id": duplicate.pk,
            "status": duplicate.status,
            "reason": duplicate.reason,
            "found_at": serializers.DateTimeField().to_representation(duplicate.found_at),
            "placed_elsewhere_at": serializers.DateTimeField().to_representation(
                duplicate.placed_elsewhere_at
            )
            if duplicate.placed_elsewhere_at
            else None,
            "request": side(view.own),
            "other": side(view.other),
            "decided_at": serializers.DateTimeField().to_representation(duplicate.decided_at)
            if duplicate.decided_at
            else None,
            "decision_reason": duplicate.decision_reason,
        }


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=DECISION_REASON_MAX_LENGTH)


EXAMPLE = {
    "id": 12,
    "status": "open",
    "reason": "name",
    "found_at": "2026-03-02T10:15:00+01:00",
    "placed_elsewhere_at": None,
    "request": {"loket": "Loket Herent", "status": "open", "reference": "HER-2026-00042"},
    "other": {"loket": "Loket Leuven", "status": "open", "reference": None},
    "decided_at": None,
    "decision_reason": "",
}
REASON_EXAMPLE = OpenApiExample(
    "Reason", value={"reason": "Called both families: twins, born the same day."}
)


class DuplicateListView(APIView):
    """The possible duplicates with a request of this loket, open ones first."""

    permission_classes = [LOKET_STAFF]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", enum=PossibleDuplicate.Status.values, description="Only this status."
            )
        ],
        responses=DuplicateSerializer(many=True),
        examples=[OpenApiExample("An open possible duplicate", value=[EXAMPLE])],
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status") or None
        if status is not None and status not in PossibleDuplicate.Status.values:
            raise DRFValidationError({"status": ["Not a status of a possible duplicate."]})
        duplicates = duplicates_for_loket(loket=request.loket, status=status)
        return Response(
            [
                DuplicateSerializer(duplicate_view(duplicate=duplicate, loket=request.loket)).data
                for duplicate in duplicates
            ]
        )


def _decide(request: Request, duplicate_id: int, *, is_same_child: bool) -> Response:
    body = DecisionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    duplicate = loket_duplicate_decide(
        duplicate_id=duplicate_id,
        is_same_child=is_same_child,
        actor=request.user,
        reason=body.validated_data["reason"],
        now=timezone.now(),
    )
    return Response(
        DuplicateSerializer(duplicate_view(duplicate=duplicate, loket=request.loket)).data
    )


DECISION_RESPONSES = {
    200: DuplicateSerializer,
    400: OpenApiResponse(description="No reason given, or decided already."),
    404: OpenApiResponse(description="No possible duplicate of this loket by that id."),
}


class DuplicateConfirmView(APIView):
    """It is the same child: both requests stay one child (counted once). Each family's
    requests stay their own."""

    permission_classes = [LOKET_STAFF]

    @extend_schema(
        request=DecisionSerializer,
        responses=DECISION_RESPONSES,
        examples=[
            REASON_EXAMPLE,
            OpenApiExample(
                "Confirmed",
                value={**EXAMPLE, "status": "confirmed", "decision_reason": "Same child."},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, id: int) -> Response:
        return _decide(request, id, is_same_child=True)


class DuplicateRejectView(APIView):
    """Two different children, for good: the later registration's family gets a child
    identity of its own, and the registry never links them again."""

    permission_classes = [LOKET_STAFF]

    @extend_schema(
        request=DecisionSerializer,
        responses=DECISION_RESPONSES,
        examples=[
            REASON_EXAMPLE,
            OpenApiExample(
                "Rejected",
                value={**EXAMPLE, "status": "rejected", "decision_reason": "Twins."},
                response_only=True,
            ),
        ],
    )
    def post(self, request: Request, id: int) -> Response:
        return _decide(request, id, is_same_child=False)


class ChildSplitView(APIView):
    """This loket's request belongs to another child than the other families' requests it
    was linked to: its family's requests of the child get an identity of their own, for
    good (recorded as rejected duplicates)."""

    permission_classes = [LOKET_STAFF]

    @extend_schema(
        request=DecisionSerializer,
        responses={
            200: DuplicateSerializer(many=True),
            400: OpenApiResponse(description="No reason, or only this family's requests."),
            404: OpenApiResponse(description="No request of this loket by that reference."),
        },
        examples=[REASON_EXAMPLE],
    )
    def post(self, request: Request, reference: str) -> Response:
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        records = loket_child_split(
            reference=reference,
            actor=request.user,
            reason=body.validated_data["reason"],
            now=timezone.now(),
        )
        return Response(
            [
                DuplicateSerializer(duplicate_view(duplicate=record, loket=request.loket)).data
                for record in records
            ]
        )
