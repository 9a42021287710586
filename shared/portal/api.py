"""API for parents: their own requests across lokets, and the changes they may make.

The same selectors and services as the pages: a request is a submission with one part per
loket; another parent's request is not found (404), whatever id is tried.

Statuses are plain strings with their values described, not OpenAPI enums: enum names are
global to the document, and other apps use ``status`` for other choice sets.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import DAY_PARTS
from shared.portal import claims, submission_api
from shared.portal.selectors import SubmissionView, parent_request, parent_requests
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests import changes, child_changes, confirmation
from tenants.requests.api import CHILD_UPDATE_EXAMPLES, ChildUpdateSerializer
from tenants.requests.models import ChoiceStatus


def _values(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


# --- What a parent reads ---------------------------------------------------------------


class WaitingPositionSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="1: the first to be offered a place.")
    of = serializers.IntegerField(help_text="The children waiting for that location and month.")


class ChoiceLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The choice's id within its part.")
    rank = serializers.IntegerField(help_text="Preference within the part, 1 first.")
    location_id = serializers.IntegerField(help_text="The location's id in its loket.")
    location_name = serializers.CharField()
    status = serializers.CharField(help_text=f"One of {_values(ChoiceStatus)}.")
    status_label = serializers.CharField(help_text="The status in words, in the asked language.")
    is_open = serializers.BooleanField()
    answer_expected_by = serializers.DateField(
        allow_null=True,
        help_text="By when the location should answer (the loket's answering time), while "
        "the choice is in review; null otherwise.",
    )
    position = WaitingPositionSerializer(
        allow_null=True,
        help_text="Where the child stands among the children waiting for this location and "
        "start month, in the order of the rules; null when the loket does not show it or "
        "the choice no longer waits.",
    )


class RequestPartSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="Id of the part: to withdraw only this part, or to change its choices."
    )
    loket = serializers.CharField(source="loket.slug", help_text="Slug of the loket.")
    loket_name = serializers.CharField(source="loket.name")
    reference = serializers.CharField(help_text="The loket's reference of the request.")
    status = serializers.CharField(help_text=f"One of {_values(RequestStatus)}.")
    status_label = serializers.CharField()
    registered_at = serializers.DateTimeField()
    desired_start = serializers.DateField()
    care_plan = serializers.ListField(child=serializers.CharField())
    can_change = serializers.BooleanField()
    confirmed_until = serializers.DateField(
        allow_null=True,
        help_text="Confirm that you still need care before this day; null: no need.",
    )
    round_decision_date = serializers.DateField(
        allow_null=True,
        help_text="The loket answers this start month in an allocation round: every request "
        "for it at once, on this day; null otherwise.",
    )
    choices = ChoiceLineSerializer(many=True)


class HistoryLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="What kind of event, e.g. `submitted`, `changed`.")
    description = serializers.CharField(help_text="What happened, in plain words.")
    by = serializers.CharField(
        help_text="`you`, `provider` (the location's staff), `loket`, or empty when the "
        "system did it."
    )
    lokets = serializers.ListField(
        child=serializers.CharField(), help_text="Names of the lokets where it happened."
    )


class ParentRequestSerializer(serializers.Serializer):
    submission = serializers.UUIDField(help_text="Id of the request across lokets.")
    child_name = serializers.CharField()
    child_birth_date = serializers.DateField()
    is_expected_birth = serializers.BooleanField()
    desired_start = serializers.DateField()
    care_plan = serializers.ListField(
        child=serializers.CharField(),
        help_text=f"Half-days of the week: {', '.join(f'`{code}`' for code in DAY_PARTS)}.",
    )
    days_per_week = serializers.FloatField()
    status = serializers.CharField(help_text=f"One of {_values(RequestStatus)}.")
    status_label = serializers.CharField()
    registered_at = serializers.DateTimeField()
    can_change = serializers.BooleanField(
        help_text="False once a place is accepted anywhere or when no part is open."
    )
    refusal = serializers.CharField(help_text="Why the request can no longer be changed.")
    confirm_by = serializers.DateField(
        allow_null=True,
        help_text="The first day an open part must be confirmed by (`POST .../confirm/`); "
        "null when nothing needs confirming.",
    )
    parts = RequestPartSerializer(many=True)
    history = HistoryLineSerializer(many=True)


# --- What a parent asks ----------------------------------------------------------------


class RequestChangeSerializer(serializers.Serializer):
    desired_start = serializers.DateField(required=False)
    care_plan = serializers.ListField(
        child=serializers.CharField(max_length=6),
        required=False,
        help_text=f"Half-days of the week: {', '.join(f'`{code}`' for code in DAY_PARTS)}.",
    )


class WithdrawSerializer(serializers.Serializer):
    part = serializers.IntegerField(
        required=False, allow_null=True, help_text="Only this part; the whole request without."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=changes.WITHDRAW_REASON_MAX_LENGTH
    )


class AddChoicesSerializer(serializers.Serializer):
    locations = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=1,
        max_length=50,
        help_text="Ids of catalogue locations (`/api/v1/catalogue/locations/`).",
    )


class RemoveChoiceSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    choice = serializers.IntegerField()


class ReorderChoicesSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    choices = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=1,
        help_text="Every open choice of the part, most wanted first.",
    )


# --- Views -----------------------------------------------------------------------------

CHANGE_RESPONSES = {
    200: ParentRequestSerializer,
    400: OpenApiResponse(description="The change breaks a rule; messages per field."),
    404: OpenApiResponse(description="No such request, part or choice of yours."),
}


def _own(request: Request, submission: uuid.UUID) -> SubmissionView:
    found = parent_request(user=request.user, submission=submission)
    if found is None:
        raise Http404
    return found


def _answer(request: Request, submission: uuid.UUID) -> Response:
    return Response(ParentRequestSerializer(_own(request, submission)).data)


class _ChangeView(APIView):
    permission_classes = [HasRole(Access.PARENT)]

    def change(self, service, **arguments) -> None:
        """Run a change service for the logged-in parent (errors: see opvangloket.api_errors)."""
        service(user=self.request.user, now=timezone.now(), **arguments)


class MyRequestList(generics.ListAPIView):
    """Your requests, newest first: one per registration, with a part per loket.

    Reading changes nothing: desk registrations made with one of your verified e-mail
    addresses are linked to your account when you log in (or confirm that address).
    """

    serializer_class = ParentRequestSerializer
    permission_classes = [HasRole(Access.PARENT)]

    def get_queryset(self) -> list[SubmissionView]:
        # The OpenAPI document is built as whoever asks for it (the auditor, whose database
        # role may not read the registry): it needs no one's requests.
        if getattr(self, "swagger_fake_view", False):
            return []
        return parent_requests(user=self.request.user)

    @extend_schema(
        summary="Register a request",
        description=(
            "Register a childcare request once, with the same rules as the wizard: one "
            "request per loket of the chosen locations (catalogue locations of this host's "
            "region), all or nothing; the confirmation goes to `family.email`. A refusal "
            "(400) gives the messages at the place in the body that can fix them, e.g. "
            '`{"child": {"first_name": [...]}}`. The answer holds the first child\'s '
            "request at the top level and every request made in `requests`: one, or one "
            "per child for unborn multiples (`expected_children`)."
        ),
        request=submission_api.RequestSubmitSerializer,
        responses={201: submission_api.RequestSubmittedSerializer},
        examples=submission_api.SUBMIT_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        return submission_api.submission_register(request)


class MyRequestDetail(_ChangeView):
    """One of your requests; change its desired start date or care plan at every loket."""

    @extend_schema(responses={200: ParentRequestSerializer, 404: CHANGE_RESPONSES[404]})
    def get(self, request: Request, submission: uuid.UUID) -> Response:
        return _answer(request, submission)

    @extend_schema(request=RequestChangeSerializer, responses=CHANGE_RESPONSES)
    def patch(self, request: Request, submission: uuid.UUID) -> Response:
        data = RequestChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            if "desired_start" in data.validated_data:
                self.change(
                    changes.request_change_desired_start,
                    submission=submission,
                    desired_start=data.validated_data["desired_start"],
                )
            if "care_plan" in data.validated_data:
                self.change(
                    changes.request_change_care_plan,
                    submission=submission,
                    care_plan=data.validated_data["care_plan"],
                )
        return _answer(request, submission)


class MyRequestWithdraw(_ChangeView):
    """Withdraw your request at every loket, or only one part of it."""

    @extend_schema(request=WithdrawSerializer, responses=CHANGE_RESPONSES)
    def post(self, request: Request, submission: uuid.UUID) -> Response:
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.change(
            changes.request_withdraw,
            submission=submission,
            part=data.validated_data.get("part"),
            reason=data.validated_data.get("reason", ""),
        )
        return _answer(request, submission)


class MyRequestConfirm(_ChangeView):
    """Confirm that you still need care: every open part stays open for another period."""

    @extend_schema(request=None, responses=CHANGE_RESPONSES)
    def post(self, request: Request, submission: uuid.UUID) -> Response:
        self.change(confirmation.request_confirm, submission=submission)
        return _answer(request, submission)


class MyRequestChild(_ChangeView):
    """Your child is born (or its details were wrong): fill in its first name and date of birth.

    The change reaches every loket of your request, also a part where a place was
    accepted; the national register number, street, postcode and phone are optional
    (left out or null: kept as they are).
    """

    @extend_schema(
        request=ChildUpdateSerializer,
        responses=CHANGE_RESPONSES,
        examples=CHILD_UPDATE_EXAMPLES,
    )
    def patch(self, request: Request, submission: uuid.UUID) -> Response:
        data = ChildUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.change(
            child_changes.request_update_child,
            submission=submission,
            **data.service_arguments(),
        )
        return _answer(request, submission)


class MyRequestAddChoices(_ChangeView):
    """Add locations from the catalogue; in a loket new to the request, it is registered there."""

    @extend_schema(request=AddChoicesSerializer, responses=CHANGE_RESPONSES)
    def post(self, request: Request, submission: uuid.UUID) -> Response:
        data = AddChoicesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not RegistryEntry.objects.filter(parent=request.user, submission=submission).exists():
            raise Http404
        wanted = data.validated_data["locations"]
        found = CatalogueLocation.objects.select_related("loket").in_bulk(wanted)
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise ValidationError(
                {
                    "locations": [
                        _("No location %(id)s in the catalogue.") % {"id": pk} for pk in missing
                    ]
                }
            )
        self.change(
            changes.request_add_choices,
            submission=submission,
            locations=[found[pk] for pk in dict.fromkeys(wanted)],
        )
        return _answer(request, submission)


class MyRequestRemoveChoice(_ChangeView):
    """Remove one location from one part (the part keeps at least one)."""

    @extend_schema(request=RemoveChoiceSerializer, responses=CHANGE_RESPONSES)
    def post(self, request: Request, submission: uuid.UUID) -> Response:
        data = RemoveChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.change(
            changes.request_remove_choice,
            submission=submission,
            part=data.validated_data["part"],
            choice=data.validated_data["choice"],
        )
        return _answer(request, submission)


class MyRequestReorderChoices(_ChangeView):
    """Put the open locations of one part in the order you prefer."""

    @extend_schema(request=ReorderChoicesSerializer, responses=CHANGE_RESPONSES)
    def post(self, request: Request, submission: uuid.UUID) -> Response:
        data = ReorderChoicesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.change(
            changes.request_reorder_choices,
            submission=submission,
            part=data.validated_data["part"],
            order=data.validated_data["choices"],
        )
        return _answer(request, submission)


# --- Claiming a desk registration with its receipt's code -------------------------------


class ClaimSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=30, help_text="A reference on the receipt, e.g. `TIW-2026-00042`."
    )
    claim_code = serializers.CharField(
        max_length=30,
        help_text="The claim code on the receipt (`XXXX-XXXX-XXXX`; case, spaces and hyphens "
        "do not matter).",
    )


class MyClaimCreate(APIView):
    """Link a request registered for you at the loket, with the claim code of its receipt.

    Every part of that registration, in every loket, joins your account and your family,
    as a claim by e-mail does; the code then no longer works. A wrong code, a wrong
    reference, an expired or used code and a request already linked all get the same
    400 (`non_field_errors`). Attempts are limited per account and per client address:
    past the limit the answer is 429 with `Retry-After`, and the code is not checked.
    """

    permission_classes = [HasRole(Access.PARENT)]

    @extend_schema(
        operation_id="my_claims_create",
        tags=["my"],
        summary="Link a desk registration with its claim code",
        request=ClaimSerializer,
        responses={
            201: ParentRequestSerializer,
            400: OpenApiResponse(
                description="The reference and the code do not match a request that can "
                "be linked (one message whatever the reason)."
            ),
            429: OpenApiResponse(description="Too many attempts: wait `Retry-After` seconds."),
        },
    )
    def post(self, request: Request) -> Response:
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            claimed = claims.desk_registration_claim_with_code(
                request=request,
                user=request.user,
                reference=data.validated_data["reference"],
                code=data.validated_data["claim_code"],
            )
        except claims.ClaimThrottled as throttled:
            raise Throttled(wait=throttled.seconds, detail=throttled.messages[0]) from throttled
        submission = claimed[0].submission
        return Response(ParentRequestSerializer(_own(request, submission)).data, status=201)
