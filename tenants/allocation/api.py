"""API for providers' planning software (queue, answers, offers) and for parents (answers).

The same selectors and services as the pages, behind the same walls: loket staff and
provider staff of the host's loket, provider staff only for their granted locations
(any other location or choice answers 404). Parents answer only offers made for their
own requests, from any host.

Statuses are plain strings with their values described, not OpenAPI enums (enum names
are global to the document, and other apps use ``status`` for other choice sets).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_tenants.utils import tenant_context
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.catalogue.vocabulary import DAY_PARTS
from shared.registry.models import AnswerReason
from tenants.allocation import services
from tenants.allocation.forms import QueueFilterForm
from tenants.allocation.models import Offer
from tenants.allocation.selectors import (
    QueueLine,
    location_queue,
    locations_with_overdue,
    offers_for_locations,
    parent_offer,
    queue_lines,
)
from tenants.planning_clients.scopes import Scope, accepts
from tenants.providers.models import Location
from tenants.providers.selectors import locations_manageable_by
from tenants.requests.models import ChoiceStatus, Priority, RequestChoice

HALF_DAYS = f"Half-days of the week: {', '.join(f'`{code}`' for code in DAY_PARTS)}."


def _values(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


# Loket staff or provider staff of this host's loket; some views loket staff only.
PROVIDER_OR_LOKET_STAFF = HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF)
LOKET_STAFF_ONLY = HasRole(Access.PROVIDERS_LOKET_STAFF)


# --- Serializers -----------------------------------------------------------------------


class OfferSerializer(serializers.ModelSerializer):
    choice = serializers.IntegerField(source="choice_id", help_text="The choice's id.")
    location = serializers.IntegerField(source="choice.location_id")
    reference = serializers.CharField(source="choice.request.reference")
    status = serializers.CharField(help_text=f"One of {_values(Offer.Status)}.")
    care_plan = serializers.ListField(child=serializers.CharField(), help_text=HALF_DAYS)

    class Meta:
        model = Offer
        fields = (
            "id",
            "public_id",
            "choice",
            "location",
            "reference",
            "start_date",
            "care_plan",
            "answer_by",
            "status",
            "passed_over_count",
            "passed_over_reason",
            "advising_organisation",
            "beyond_free_places",
            "decline_reason",
            "created_at",
            "answered_at",
        )


class QueueLineSerializer(serializers.Serializer):
    choice = serializers.IntegerField(source="choice.pk", help_text="The choice's id.")
    rank = serializers.IntegerField(help_text="Place in the whole queue, 1 first.")
    reference = serializers.CharField(source="choice.request.reference")
    child_first_name = serializers.CharField(
        help_text="The child's first name (empty before birth). Nothing else identifies the "
        "child here: the family's details come with a placement."
    )
    age_at_start = serializers.IntegerField(help_text="Whole months old at the desired start.")
    desired_start = serializers.DateField(source="choice.request.desired_start")
    care_plan = serializers.ListField(
        source="choice.request.care_plan", child=serializers.CharField(), help_text=HALF_DAYS
    )
    days_per_week = serializers.FloatField()
    priorities = serializers.ListField(
        child=serializers.CharField(), help_text=f"Any of {_values(Priority)}."
    )
    has_absolute_priority = serializers.BooleanField(
        help_text="Ranked in a priority group here (income-related tariff, requests from "
        "1 April 2024)."
    )
    registered_at = serializers.DateTimeField()
    status = serializers.CharField(
        source="choice.status", help_text=f"One of {_values(ChoiceStatus)}."
    )
    open_offer = OfferSerializer(allow_null=True)
    is_urgent = serializers.BooleanField(
        help_text="Marked urgent by the loket (the rank follows the usual order)."
    )


class OfferCreateSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    care_plan = serializers.ListField(
        child=serializers.CharField(max_length=6), min_length=1, help_text=HALF_DAYS
    )
    answer_by = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today plus the loket's days."
    )
    passed_over_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.REASON_MAX_LENGTH,
        help_text="Needed when children ranked higher wait without an offer.",
    )
    advising_organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        help_text="The family-support organisation advising this exception (at most 10%).",
    )
    capacity_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Offer even though the start month shows no free place for the child's "
        "age group (open offers hold their places): you confirm the location has the "
        "capacity. Without it such an offer is refused with a message on this field.",
    )


class AnswerReasonSerializer(serializers.Serializer):
    reason_code = serializers.ChoiceField(
        choices=AnswerReason.choices,
        help_text=f"Why the location answers without an offer: one of {_values(AnswerReason)}.",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.REASON_MAX_LENGTH,
        help_text="Optional words of the location (not shown to the parent).",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.REASON_MAX_LENGTH,
        write_only=True,
        help_text="Deprecated: the free text of before reason codes; kept as the note.",
    )

    def answer(self) -> dict[str, str]:
        data = self.validated_data
        return {
            "reason_code": data["reason_code"],
            "note": data.get("note") or data.get("reason", ""),
        }


class NoPlaceSerializer(AnswerReasonSerializer):
    pass


class OfferWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH,
        help_text="Why the location withdraws the offer; the parent reads it.",
    )


class OtherDateSerializer(AnswerReasonSerializer):
    proposed_start = serializers.DateField()


class ChoiceAnswerSerializer(serializers.Serializer):
    choice = serializers.IntegerField(source="pk")
    reference = serializers.CharField(source="request.reference")
    status = serializers.CharField(help_text=f"One of {_values(ChoiceStatus)}.")
    status_changed_at = serializers.DateTimeField()
    answer_reason = serializers.CharField(
        help_text=f"For `no_place` and `other_date`: one of {_values(AnswerReason)}."
    )
    answer_note = serializers.CharField()


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=services.REASON_MAX_LENGTH
    )


class PlacementSerializer(serializers.Serializer):
    location_name = serializers.CharField(source="location.name")
    start_date = serializers.DateField()
    created_at = serializers.DateTimeField()


class ParentOfferSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    location_name = serializers.CharField(source="choice.location.name")
    start_date = serializers.DateField()
    care_plan = serializers.ListField(child=serializers.CharField(), help_text=HALF_DAYS)
    answer_by = serializers.DateField()
    status = serializers.CharField(help_text=f"One of {_values(Offer.Status)}.")


# --- Providers' planning software ------------------------------------------------------


class OverdueLocationSerializer(serializers.Serializer):
    location = serializers.IntegerField(source="pk", help_text="The location's id.")
    location_name = serializers.CharField(source="name")
    overdue_count = serializers.IntegerField(
        help_text="Choices still in review longer than the loket's answering time."
    )
    oldest_overdue = serializers.DateTimeField(
        help_text="Since when the longest-waiting of them is in review."
    )


def _manageable(request: Request) -> QuerySet[Location]:
    return locations_manageable_by(user=request.user, loket=request.loket)


def _choice(request: Request, choice_id: int) -> RequestChoice:
    return get_object_or_404(
        RequestChoice.objects.select_related("request", "location"),
        pk=choice_id,
        location__in=_manageable(request),
    )


@extend_schema(
    parameters=[
        OpenApiParameter("start_month", str, description="`YYYY-MM`: desired start month."),
        OpenApiParameter("age_group", str, description="Age group at the desired start."),
        OpenApiParameter("age_months", int, description="Whole months old at the start."),
        OpenApiParameter("urgent", bool, description="Only requests marked urgent."),
    ]
)
class QueueView(generics.ListAPIView):
    """The queue of one location, in the order places are offered."""

    serializer_class = QueueLineSerializer
    permission_classes = [PROVIDER_OR_LOKET_STAFF]
    token_scopes = accepts(read=Scope.READ_WAITING_LISTS)

    def get_queryset(self) -> list[QueueLine]:
        location = get_object_or_404(_manageable(self.request), pk=self.kwargs["location_id"])
        form = QueueFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return queue_lines(location_queue(location=location, **form.filters()), location=location)


@extend_schema(
    parameters=[
        OpenApiParameter("location", int, description="Only offers of this location."),
        OpenApiParameter("status", str, description=f"One of {_values(Offer.Status)}."),
    ]
)
class OfferListView(generics.ListAPIView):
    """Offers made at the locations you manage, newest first."""

    serializer_class = OfferSerializer
    permission_classes = [PROVIDER_OR_LOKET_STAFF]
    token_scopes = accepts(read=Scope.READ_WAITING_LISTS)

    def get_queryset(self) -> QuerySet[Offer]:
        locations = _manageable(self.request)
        location = self.request.query_params.get("location")
        if location:
            if not location.isdigit():
                raise ValidationError({"location": ["Give a location id."]})
            locations = locations.filter(pk=int(location))
        return offers_for_locations(
            locations=locations, status=self.request.query_params.get("status") or None
        )


class OfferWithdrawView(APIView):
    """Withdraw an open offer of a location you manage, with a reason for the parent.

    The offer is named by its ``public_id``, as parents name it.

    The choice waits again (in review) with its place in the legal order; the parent is
    told by e-mail; the request's history records who withdrew it.
    """

    permission_classes = [PROVIDER_OR_LOKET_STAFF]
    token_scopes = accepts(write=Scope.ANSWER_CHOICES)

    @extend_schema(
        request=OfferWithdrawSerializer,
        responses={
            200: OfferSerializer,
            400: OpenApiResponse(description="No reason given, or the offer is no longer open."),
            404: OpenApiResponse(description="No such offer at a location you manage."),
        },
    )
    def post(self, request: Request, offer_id: uuid.UUID) -> Response:
        offer = get_object_or_404(
            Offer.objects.select_related("choice__request", "choice__location"),
            public_id=offer_id,
            choice__location__in=_manageable(request),
        )
        data = OfferWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_withdraw(
            offer=offer,
            reason=data.validated_data["reason"],
            actor=request.user,
            now=timezone.now(),
        )
        return Response(OfferSerializer(offer).data)


class OverdueView(generics.ListAPIView):
    """Locations with choices still in review longer than the loket's answering time.

    For loket staff: one row per location with the number of such choices and since when
    the oldest waits; longest-waiting first.
    """

    serializer_class = OverdueLocationSerializer
    permission_classes = [LOKET_STAFF_ONLY]
    token_scopes = accepts(read=Scope.READ_WAITING_LISTS)

    def get_queryset(self) -> QuerySet[Location]:
        return locations_with_overdue(
            locations=_manageable(self.request), loket=self.request.loket, now=timezone.now()
        )


class ChoiceOffersView(generics.ListAPIView):
    """The offers made for one choice; offer a place for it."""

    serializer_class = OfferSerializer
    permission_classes = [PROVIDER_OR_LOKET_STAFF]
    token_scopes = accepts(read=Scope.READ_WAITING_LISTS, write=Scope.ANSWER_CHOICES)

    def get_queryset(self) -> QuerySet[Offer]:
        choice = _choice(self.request, self.kwargs["choice_id"])
        return offers_for_locations(locations=_manageable(self.request)).filter(choice=choice)

    @extend_schema(
        request=OfferCreateSerializer,
        responses={
            201: OfferSerializer,
            400: OpenApiResponse(description="A rule is not met; messages per field."),
            404: OpenApiResponse(description="No such choice at a location you manage."),
        },
    )
    def post(self, request: Request, choice_id: int) -> Response:
        choice = _choice(request, choice_id)
        data = OfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_make(
            choice=choice, actor=request.user, now=timezone.now(), **data.validated_data
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class _ChoiceAnswerView(APIView):
    permission_classes = [PROVIDER_OR_LOKET_STAFF]
    token_scopes = accepts(write=Scope.ANSWER_CHOICES)

    def answer(self, service, choice_id: int, **arguments) -> Response:
        choice = _choice(self.request, choice_id)
        choice = service(choice=choice, actor=self.request.user, now=timezone.now(), **arguments)
        return Response(ChoiceAnswerSerializer(choice).data)


ANSWER_RESPONSES = {
    200: ChoiceAnswerSerializer,
    400: OpenApiResponse(
        description="No or an unknown reason code, a bad date, or the choice can no longer "
        "be answered."
    ),
    404: OpenApiResponse(description="No such choice at a location you manage."),
}


class ChoiceNoPlaceView(_ChoiceAnswerView):
    """Answer a choice: no place at this location, with a reason code and an optional note."""

    @extend_schema(request=NoPlaceSerializer, responses=ANSWER_RESPONSES)
    def post(self, request: Request, choice_id: int) -> Response:
        _choice(request, choice_id)  # another location's choice: 404 before any 400
        data = NoPlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(services.choice_answer_no_place, choice_id, **data.answer())


class ChoiceOtherDateView(_ChoiceAnswerView):
    """Answer a choice: a place could be found from another start date (with a reason code
    and an optional note)."""

    @extend_schema(request=OtherDateSerializer, responses=ANSWER_RESPONSES)
    def post(self, request: Request, choice_id: int) -> Response:
        _choice(request, choice_id)  # another location's choice: 404 before any 400
        data = OtherDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(
            services.choice_propose_other_date,
            choice_id,
            proposed_start=data.validated_data["proposed_start"],
            **data.answer(),
        )


# --- Parents ---------------------------------------------------------------------------


PARENT_RESPONSES = {
    404: OpenApiResponse(description="No such offer for a request of yours."),
    400: OpenApiResponse(description="The offer can no longer be answered; see the message."),
}


class _ParentOfferView(APIView):
    permission_classes = [HasRole(Access.PARENT)]

    def run(self, offer_id: uuid.UUID, service, **arguments):
        found = parent_offer(user=self.request.user, public_id=offer_id)
        if found is None:
            raise Http404
        loket, offer = found
        try:
            with tenant_context(loket):
                return service(offer=offer, now=timezone.now(), **arguments)
        except PermissionDenied as denied:
            # Not yours to answer: as if there were no such offer.
            raise Http404 from denied


class MyOfferAccept(_ParentOfferView):
    """Accept an offer for your child: the place is yours, your other choices close."""

    @extend_schema(request=None, responses={200: PlacementSerializer, **PARENT_RESPONSES})
    def post(self, request: Request, offer_id: uuid.UUID) -> Response:
        placement = self.run(offer_id, services.offer_accept, parent_or_staff=request.user)
        return Response(PlacementSerializer(placement).data)


class MyOfferDecline(_ParentOfferView):
    """Decline an offer; your other choices go on."""

    @extend_schema(
        request=DeclineSerializer, responses={200: ParentOfferSerializer, **PARENT_RESPONSES}
    )
    def post(self, request: Request, offer_id: uuid.UUID) -> Response:
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = self.run(
            offer_id,
            services.offer_decline,
            actor=request.user,
            reason=data.validated_data.get("reason", ""),
        )
        return Response(ParentOfferSerializer(offer).data)
