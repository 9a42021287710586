"""API of allocation rounds: loket staff plan and follow rounds; locations answer proposals.

The same services as the pages (``tenants.allocation.rounds``): rounds for the loket's
staff; proposals for the loket's staff and for provider staff at the locations granted
to them (any other proposal answers 404).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.allocation import rounds
from tenants.allocation.api import LOKET_STAFF_ONLY, PROVIDER_OR_LOKET_STAFF, OfferSerializer
from tenants.allocation.models import AllocationRound, RoundProposal
from tenants.allocation.round_forms import RoundForm


def _values(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


class RoundSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text=f"One of {_values(AllocationRound.Status)}.")
    start_month_from = serializers.DateField(help_text="First day of the first start month.")
    start_month_to = serializers.DateField(help_text="First day of the last start month.")

    class Meta:
        model = AllocationRound
        fields = (
            "id",
            "start_month_from",
            "start_month_to",
            "decision_date",
            "status",
            "created_at",
            "proposed_at",
            "closed_at",
            "cancelled_at",
        )


class RoundCreateSerializer(serializers.Serializer):
    start_month_from = serializers.CharField(help_text="`YYYY-MM`: the first start month.")
    start_month_to = serializers.CharField(help_text="`YYYY-MM`: the last start month.")
    decision_date = serializers.DateField(
        help_text="The day the round proposes its places; before the first start month."
    )


class ProposalSerializer(serializers.ModelSerializer):
    round = serializers.IntegerField(source="round_id")
    choice = serializers.IntegerField(source="choice_id", help_text="The choice's id.")
    location = serializers.IntegerField(source="choice.location_id")
    location_name = serializers.CharField(source="choice.location.name")
    reference = serializers.CharField(source="choice.request.reference")
    child_first_name = serializers.CharField(source="choice.request.child_first_name")
    desired_start = serializers.DateField(source="choice.request.desired_start")
    choice_rank = serializers.IntegerField(
        source="choice.rank", help_text="The parent's rank of this location, 1 first."
    )
    status = serializers.CharField(help_text=f"One of {_values(RoundProposal.Status)}.")
    run = serializers.IntegerField(help_text="1 on the decision date; one more per re-run.")
    offer = OfferSerializer(allow_null=True, help_text="The offer made on confirmation.")

    class Meta:
        model = RoundProposal
        fields = (
            "id",
            "round",
            "choice",
            "location",
            "location_name",
            "reference",
            "child_first_name",
            "desired_start",
            "choice_rank",
            "status",
            "run",
            "reject_reason",
            "offer",
            "created_at",
            "answered_at",
        )


class ConfirmSerializer(serializers.Serializer):
    capacity_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Offer even though the start month shows no free place (as for offers).",
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=rounds.REASON_MAX_LENGTH, help_text="Why the location rejects the proposal."
    )


def _text(value: object) -> str | None:
    """A form field's value from JSON: a number or a list is read as text (and refused)."""
    return value if value is None or isinstance(value, str) else str(value)


class RoundListView(generics.ListAPIView):
    """The loket's allocation rounds, latest decision date first; plan a round."""

    serializer_class = RoundSerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get_queryset(self):
        return rounds.rounds_all()

    @extend_schema(
        request=RoundCreateSerializer,
        responses={
            201: RoundSerializer,
            400: OpenApiResponse(description="Rounds are off, or a date is wrong; per field."),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.data if hasattr(request.data, "get") else {}
        form = RoundForm(data={name: _text(body.get(name)) for name in RoundForm.base_fields})
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        made = rounds.round_create(actor=request.user, now=timezone.now(), **form.cleaned_data)
        return Response(RoundSerializer(made).data, status=status.HTTP_201_CREATED)


class RoundView(APIView):
    """One round with every proposal (loket staff)."""

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        responses={200: RoundSerializer, 404: OpenApiResponse(description="No such round.")}
    )
    def get(self, request: Request, round_id: int) -> Response:
        found = get_object_or_404(AllocationRound, pk=round_id)
        data = RoundSerializer(found).data
        data["proposals"] = ProposalSerializer(
            rounds.round_proposals(allocation_round=found), many=True
        ).data
        return Response(data)


class RoundCancelView(APIView):
    """Cancel a planned round: offers for its start months are made as usual again."""

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=None,
        responses={
            200: RoundSerializer,
            400: OpenApiResponse(description="The round is no longer planned."),
            404: OpenApiResponse(description="No such round."),
        },
    )
    def post(self, request: Request, round_id: int) -> Response:
        found = get_object_or_404(AllocationRound, pk=round_id)
        done = rounds.round_cancel(allocation_round=found, actor=request.user, now=timezone.now())
        return Response(RoundSerializer(done).data)


class RoundCloseView(APIView):
    """Close a round whose proposals still wait: they stay unanswered, and offers for its
    start months are made as usual again."""

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=None,
        responses={
            200: RoundSerializer,
            400: OpenApiResponse(description="The round has no proposals waiting."),
            404: OpenApiResponse(description="No such round."),
        },
    )
    def post(self, request: Request, round_id: int) -> Response:
        found = get_object_or_404(AllocationRound, pk=round_id)
        done = rounds.round_close(allocation_round=found, actor=request.user, now=timezone.now())
        return Response(RoundSerializer(done).data)


def _proposal(request: Request, proposal_id: int) -> RoundProposal:
    return get_object_or_404(
        rounds.proposals_for(user=request.user, loket=request.loket), pk=proposal_id
    )


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, description=f"One of {_values(RoundProposal.Status)}.")
    ]
)
class ProposalListView(generics.ListAPIView):
    """The rounds' proposals at the locations you manage."""

    serializer_class = ProposalSerializer
    permission_classes = [PROVIDER_OR_LOKET_STAFF]

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in RoundProposal.Status.values:
            raise serializers.ValidationError(
                {"status": [f"One of {', '.join(RoundProposal.Status.values)}."]}
            )
        return rounds.proposals_for(user=self.request.user, loket=self.request.loket, status=wanted)


PROPOSAL_RESPONSES = {
    400: OpenApiResponse(description="The proposal cannot be answered so; see the message."),
    404: OpenApiResponse(description="No such proposal at a location you manage."),
}


class ProposalConfirmView(APIView):
    """Confirm a proposal: the parent is offered the place (desired start, the request's
    care plan, the loket's answering time) and answers it as any offer."""

    permission_classes = [PROVIDER_OR_LOKET_STAFF]

    @extend_schema(
        request=ConfirmSerializer, responses={200: ProposalSerializer, **PROPOSAL_RESPONSES}
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = _proposal(request, proposal_id)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rounds.proposal_confirm(
            proposal=proposal, actor=request.user, now=timezone.now(), **data.validated_data
        )
        return Response(ProposalSerializer(_proposal(request, proposal_id)).data)


class ProposalRejectView(APIView):
    """Reject a proposal with a reason: the round runs again for the children waiting."""

    permission_classes = [PROVIDER_OR_LOKET_STAFF]

    @extend_schema(
        request=RejectSerializer, responses={200: ProposalSerializer, **PROPOSAL_RESPONSES}
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        proposal = _proposal(request, proposal_id)
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rounds.proposal_reject(
            proposal=proposal,
            reason=data.validated_data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(ProposalSerializer(_proposal(request, proposal_id)).data)
