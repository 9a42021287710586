"""API for loket staff under /api/v1/requests/: read the requests of the host's loket.

The same filters as the list page (parsed by the same form), the same selectors, the same
wall: loket staff of this host's loket only; a reference of another loket answers 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.catalogue.vocabulary import DAY_PARTS
from shared.lokets.api import MunicipalitySummarySerializer
from shared.registry.models import RequestStatus
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.child_changes import request_update_child_by_staff
from tenants.requests.confirmation import request_reopen
from tenants.requests.forms import PRIORITY_FILTER_CHOICES, REGISTERED_BY_CHOICES, RequestFilterForm
from tenants.requests.models import (
    ChildcareRequest,
    ChoiceStatus,
    Priority,
    RequestChoice,
    RequestEvent,
    RequestNote,
)
from tenants.requests.selectors import (
    linked_lokets,
    loket_requests,
    masked_national_number,
    request_detail,
)

# Loket staff of this host's loket; everyone else, reading included, is refused.
LOKET_STAFF_ONLY = HasRole(Access.LOKET_STAFF)


# --- Serializers -----------------------------------------------------------------------


class StaffChoiceLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StaffRequestChoiceSerializer(serializers.ModelSerializer):
    location = StaffChoiceLocationSerializer()
    status = serializers.ChoiceField(choices=ChoiceStatus.choices)

    class Meta:
        model = RequestChoice
        fields = ("rank", "location", "status", "status_changed_at")


class StaffRequestSummarySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    residence = MunicipalitySummarySerializer()
    priorities = serializers.ListField(child=serializers.ChoiceField(choices=Priority.choices))
    registered_by_staff = serializers.SerializerMethodField(
        help_text="Registered at the desk by loket staff (false: by the parent)."
    )
    choices = StaffRequestChoiceSerializer(many=True)

    class Meta:
        model = ChildcareRequest
        fields = (
            "reference",
            "status",
            "child_first_name",
            "child_last_name",
            "child_birth_date",
            "is_expected_birth",
            "desired_start",
            "residence",
            "priorities",
            "registered_by_staff",
            "registered_at",
            "is_urgent",
            "choices",
        )

    def get_registered_by_staff(self, request: ChildcareRequest) -> bool:
        return request.registered_by_id is not None


class StaffGuardianSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    relation = serializers.CharField(required=False)


class StaffRequestEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=RequestEvent.Kind.choices)
    actor = serializers.StringRelatedField()
    details = serializers.DictField()

    class Meta:
        model = RequestEvent
        fields = ("kind", "actor", "details", "at")


class StaffRequestNoteSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = RequestNote
        fields = ("text", "author", "created_at")


class LinkedLoketSerializer(serializers.Serializer):
    loket_name = serializers.CharField()
    status = serializers.ChoiceField(choices=RequestStatus.choices)


class FormerReferenceSerializer(serializers.Serializer):
    reference = serializers.CharField()
    loket_name = serializers.CharField(help_text="The loket merged into this one.")


class StaffRequestDetailSerializer(StaffRequestSummarySerializer):
    national_number = serializers.SerializerMethodField(
        help_text="Masked: only the last two digits, e.g. ••.••.••-•••.45; empty if not given."
    )
    guardians = StaffGuardianSerializer(many=True)
    care_plan = serializers.ListField(child=serializers.ChoiceField(choices=DAY_PARTS))
    events = StaffRequestEventSerializer(many=True)
    notes = StaffRequestNoteSerializer(many=True)
    linked_lokets = serializers.SerializerMethodField(
        help_text="Other lokets where the same child has a request: their name and the "
        "request's status only."
    )
    former_references = FormerReferenceSerializer(
        many=True,
        read_only=True,
        help_text="References this request had in lokets merged into this one; each still "
        "finds it (GET /api/v1/requests/<former reference>/ answers this request).",
    )

    class Meta(StaffRequestSummarySerializer.Meta):
        fields = (
            *StaffRequestSummarySerializer.Meta.fields,
            "national_number",
            "guardians",
            "contact_email",
            "contact_phone",
            "street",
            "postcode",
            "language",
            "confirmed_until",
            "care_plan",
            "is_flexible",
            "remarks",
            "events",
            "notes",
            "linked_lokets",
            "former_references",
        )

    def get_national_number(self, request: ChildcareRequest) -> str:
        return masked_national_number(request=request)

    @extend_schema_field(LinkedLoketSerializer(many=True))
    def get_linked_lokets(self, request: ChildcareRequest) -> list[dict]:
        loket = self.context["request"].loket
        return LinkedLoketSerializer(linked_lokets(request=request, loket=loket), many=True).data


# --- Views -----------------------------------------------------------------------------

FILTER_PARAMETERS = [
    OpenApiParameter("status", str, enum=RequestStatus.values),
    OpenApiParameter("start_month", str, description="Desired start month, YYYY-MM"),
    OpenApiParameter("location", int, description="Id of a location of this loket"),
    OpenApiParameter(
        "priority",
        str,
        enum=[value for value, _label in PRIORITY_FILTER_CHOICES if value],
        description="A priority situation, `any` (at least one) or `none`",
    ),
    OpenApiParameter(
        "registered_by",
        str,
        enum=[value for value, _label in REGISTERED_BY_CHOICES if value],
        description="`staff` (at the desk) or `parent`",
    ),
    OpenApiParameter(
        "registered_since", OpenApiTypes.DATE, description="Registered on this day or later"
    ),
]


@extend_schema(parameters=FILTER_PARAMETERS)
class RequestListView(generics.ListAPIView):
    """Requests of this loket in the order of registration (loket staff only)."""

    serializer_class = StaffRequestSummarySerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get_queryset(self):
        form = RequestFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return loket_requests(**form.filters())


class RequestDetailView(generics.RetrieveAPIView):
    """One request of this loket in full, with its history, notes and links to other lokets."""

    serializer_class = StaffRequestDetailSerializer
    permission_classes = [LOKET_STAFF_ONLY]
    lookup_field = "reference"

    def get_object(self) -> ChildcareRequest:
        childcare_request = request_detail(reference=self.kwargs["reference"])
        if childcare_request is None:
            raise Http404
        audit_record(
            actor=self.request.user,
            action=AuditEvent.Action.VIEWED,
            object_type=AuditEvent.ObjectType.REQUEST,
            object_id=childcare_request.pk,
            reference=childcare_request.reference,
        )
        return childcare_request


def staff_request_action(request: Request, reference: str, service: Callable) -> Response:
    """Run a loket staff action on one request of this loket; answer with the request."""
    childcare_request = request_detail(reference=reference)
    if childcare_request is None:
        raise Http404
    service(request=childcare_request, actor=request.user, now=timezone.now())
    childcare_request = request_detail(reference=reference)
    serializer = StaffRequestDetailSerializer(childcare_request, context={"request": request})
    return Response(serializer.data)


class ChildUpdateSerializer(serializers.Serializer):
    """The child after birth, for every part of the request (``child_changes``)."""

    first_name = serializers.CharField(max_length=80)
    birth_date = serializers.DateField(
        help_text="The real date of birth; for a child registered before birth, at most "
        "EXPECTED_BIRTH_WINDOW_DAYS from the expected date."
    )
    national_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional: 11 digits. Empty keeps the number the request holds.",
    )
    street = serializers.CharField(
        max_length=150, required=False, allow_null=True, help_text="Only if it changed."
    )
    postcode = serializers.CharField(
        max_length=4,
        required=False,
        allow_null=True,
        help_text="Only if it changed; a postcode of the municipality of residence.",
    )
    contact_phone = serializers.CharField(
        max_length=40, required=False, allow_null=True, help_text="Only if it changed."
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        return {
            "first_name": data["first_name"],
            "birth_date": data["birth_date"],
            "national_number": data.get("national_number", ""),
            **{name: data.get(name) for name in ("street", "postcode", "contact_phone")},
        }


CHILD_UPDATE_EXAMPLES = [
    OpenApiExample(
        "Born",
        value={"first_name": "Lena", "birth_date": "2026-03-02"},
        request_only=True,
    ),
    OpenApiExample(
        "Born, with the national register number and a new address",
        value={
            "first_name": "Lena",
            "birth_date": "2026-03-02",
            "national_number": "26.03.02-123.45",
            "street": "Stationsstraat 12",
            "postcode": "3000",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Refused",
        value={
            "birth_date": [
                "The date of birth may differ from the expected date (1 March 2026) by at "
                "most 42 days. Check the date, or ask the loket to help."
            ]
        },
        response_only=True,
        status_codes=["400"],
    ),
]


class RequestChildUpdateView(APIView):
    """Fill in the child after birth (or correct it), for the family (loket staff only).

    The first name, date of birth and, optionally, national register number, street,
    postcode and phone change in every part of the request's submission, in every loket
    (a child's details are facts, not choices); the registry links the child anew.
    """

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=ChildUpdateSerializer,
        responses={
            200: StaffRequestDetailSerializer,
            400: OpenApiResponse(description="The details break a rule; messages per field."),
            404: OpenApiResponse(description="No request of this loket by that reference."),
        },
        examples=CHILD_UPDATE_EXAMPLES,
    )
    def post(self, request: Request, reference: str) -> Response:
        data = ChildUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def update(**arguments) -> None:
            request_update_child_by_staff(**arguments, **data.service_arguments())

        return staff_request_action(request, reference, update)


class RequestReopenView(APIView):
    """Open a lapsed request of this loket again (loket staff only).

    Its lapsed choices are in review again and the parent has a full period to confirm.
    """

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=None,
        responses={
            200: StaffRequestDetailSerializer,
            400: OpenApiResponse(description="The request is not lapsed."),
            404: OpenApiResponse(description="No request of this loket by that reference."),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        return staff_request_action(request, reference, request_reopen)
