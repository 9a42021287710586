"""API for a loket's providers and locations under /api/v1/providers/ (its own staff only).

Loket staff manage organizers and locations; provider staff read and PATCH the locations
granted to them and keep their free places. Every write goes through ``services``;
every location is looked up through ``locations_manageable_by`` (others answer 404).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opvangloket.request_limits import FormParser, JSONParser, MultiPartParser
from shared.accounts.permissions import READ_METHODS, Access, HasRole
from shared.catalogue.vocabulary import AgeGroup, first_of_month, month_errors
from shared.geography.models import Municipality
from tenants.planning_clients.scopes import PROVIDER_SCOPES, Scope, accepts
from tenants.providers import services
from tenants.providers.forms import MAX_IMPORT_BYTES
from tenants.providers.imports import locations_import
from tenants.providers.models import (
    Availability,
    ClosingPeriod,
    Location,
    Organizer,
)
from tenants.providers.selectors import (
    future_availabilities,
    location_fields_editable_by,
    locations_manageable_by,
    organizers_with_counts,
)

# Loket staff of this host's loket may use every method of a view; provider staff only
# the methods given per view. Everyone else, reading included, is refused.
LOKET_STAFF_ONLY = HasRole(Access.PROVIDERS_LOKET_STAFF)


# --- Serializers -----------------------------------------------------------------------


class OrganizerSerializer(serializers.ModelSerializer):
    location_count = serializers.SerializerMethodField()

    class Meta:
        model = Organizer
        fields = ("id", *services.ORGANIZER_FIELDS, "location_count")

    def get_location_count(self, organizer: Organizer) -> int:
        count = getattr(organizer, "location_count", None)
        return count if count is not None else organizer.locations.count()


class ClosingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosingPeriod
        fields = ("id", "starts_on", "ends_on", "reason")


class LocationSerializer(serializers.ModelSerializer):
    """A location. Fields the requesting user may not change are read-only for them."""

    organizer = serializers.PrimaryKeyRelatedField(queryset=Organizer.objects.all())
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    municipality = serializers.SlugRelatedField(
        slug_field="nis_code",
        queryset=Municipality.objects.all(),
        help_text="NIS code of a municipality in the loket's working area.",
    )
    closing_periods = ClosingPeriodSerializer(many=True, read_only=True)
    priority_order = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "Income-related tariff: the order of the groups with absolute priority, each "
            "once: `work_or_training`, `sibling`, `foster_child`. Loket staff only."
        ),
    )

    class Meta:
        model = Location
        fields = (
            "id",
            *services.LOCATION_FIELDS,
            "organizer_name",
            "closing_periods",
            "updated_at",
        )
        read_only_fields = ("id", "updated_at")

    def __init__(self, *args: Any, editable: tuple[str, ...] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editable is not None:
            for name, field in self.fields.items():
                if name not in editable:
                    field.read_only = True

    # The working area, the postcode's municipality and the order of the priority groups
    # are checked by the services (location_create, location_update).


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2027-01"}
)
class MonthField(serializers.Field):
    """A month written ``YYYY-MM``, kept as its first day."""

    default_error_messages = {"invalid": "Write the month as YYYY-MM, e.g. 2027-01."}

    def to_internal_value(self, data: Any) -> date:
        try:
            year, month = (int(part) for part in str(data).split("-"))
            calendar.monthrange(year, month)  # checks the month number
            first = date(year, month, 1)
        except (TypeError, ValueError, calendar.IllegalMonthError, OverflowError):
            self.fail("invalid")
        errors = month_errors(first)
        if errors:
            raise serializers.ValidationError(errors)
        return first

    def to_representation(self, value: date) -> str:
        return f"{value:%Y-%m}"


class AvailabilityEntrySerializer(serializers.ModelSerializer):
    month = MonthField()
    age_group = serializers.ChoiceField(choices=AgeGroup.choices)
    free_places = serializers.IntegerField(min_value=0)

    class Meta:
        model = Availability
        fields = ("month", "age_group", "free_places", "updated_at")
        read_only_fields = ("updated_at",)

    def validate_month(self, month: date) -> date:
        if month < first_of_month(timezone.localdate()):
            raise serializers.ValidationError(_("This month has passed."))
        return month

    def validate_free_places(self, count: int) -> int:
        capacity = self.context.get("capacity")
        if capacity is not None and count > capacity:
            raise serializers.ValidationError(
                _("Free places cannot exceed the %(capacity)s licensed places.")
                % {"capacity": capacity}
            )
        return count


class LocationImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file with the columns of docs/operations.md.")
    dry_run = serializers.BooleanField(default=False, help_text="Check everything, import nothing.")

    def validate_file(self, upload: Any) -> Any:
        if upload.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // 2**20}
            )
        return upload


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row of the file; the header is row 1.")
    field = serializers.CharField(help_text="Column as named in the file; empty for the row.")
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    is_valid = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    locations_created = serializers.IntegerField()
    organizers_created = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows whose external_id was imported before.")
    problems = ImportProblemSerializer(many=True)


# --- Views -----------------------------------------------------------------------------


class _ScopedToHost:
    """Helpers for views whose objects come from this host's loket and this user."""

    request: Request

    def _loket(self):
        return getattr(self.request, "loket", None)

    def _manageable(self) -> QuerySet[Location]:
        return locations_manageable_by(user=self.request.user, loket=self._loket())


class OrganizerListCreate(generics.ListCreateAPIView):
    """Organizers of this loket (loket staff)."""

    serializer_class = OrganizerSerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get_queryset(self) -> QuerySet[Organizer]:
        return organizers_with_counts()

    def perform_create(self, serializer: OrganizerSerializer) -> None:
        serializer.instance = services.organizer_create(**serializer.validated_data)


class OrganizerDetail(generics.RetrieveUpdateDestroyAPIView):
    """One organizer (loket staff). It can be deleted once it runs no location."""

    serializer_class = OrganizerSerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get_queryset(self) -> QuerySet[Organizer]:
        return organizers_with_counts()

    def perform_update(self, serializer: OrganizerSerializer) -> None:
        serializer.instance = services.organizer_update(
            organizer=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Organizer) -> None:
        services.organizer_delete(organizer=instance)


class _LocationViewMixin(_ScopedToHost):
    def get_queryset(self) -> QuerySet[Location]:
        return (
            self._manageable()
            .select_related("municipality")
            .prefetch_related(
                Prefetch("closing_periods", queryset=ClosingPeriod.objects.order_by("starts_on"))
            )
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> LocationSerializer:
        if not getattr(self, "swagger_fake_view", False):
            kwargs.setdefault(
                "editable",
                location_fields_editable_by(user=self.request.user, loket=self._loket()),
            )
        return super().get_serializer(*args, **kwargs)  # type: ignore[misc]


class LocationListCreate(_LocationViewMixin, generics.ListCreateAPIView):
    """Locations this user may manage: all of them for loket staff, the granted ones for
    provider staff. Only loket staff create locations."""

    serializer_class = LocationSerializer
    permission_classes = [
        HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF.on(*READ_METHODS))
    ]
    # Planning software reads its locations (their ids) whatever it may do with them.
    token_scopes = accepts(read=PROVIDER_SCOPES)

    def perform_create(self, serializer: LocationSerializer) -> None:
        serializer.instance = services.location_create(**serializer.validated_data)


class LocationDetail(_LocationViewMixin, generics.RetrieveUpdateDestroyAPIView):
    """One location. Provider staff may read and PATCH a granted location (not its
    organizer, kind, dossier number or publication); PUT and DELETE are for loket staff."""

    serializer_class = LocationSerializer
    permission_classes = [
        HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF.on(*READ_METHODS, "PATCH"))
    ]
    token_scopes = accepts(read=PROVIDER_SCOPES)

    def perform_update(self, serializer: LocationSerializer) -> None:
        serializer.instance = services.location_update(
            location=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Location) -> None:
        services.location_delete(location=instance)


class LocationAvailability(_ScopedToHost, generics.GenericAPIView):
    """Free places of a location from this month on, per month and age group.

    PUT replaces them all (a month and age group left out is no longer known); PATCH
    changes only the entries sent. Both answer with the full list after the change.
    """

    serializer_class = AvailabilityEntrySerializer
    permission_classes = [
        HasRole(
            Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF.on(*READ_METHODS, "PUT", "PATCH")
        )
    ]
    pagination_class = None
    parser_classes = [JSONParser]
    token_scopes = accepts(read=Scope.UPDATE_FREE_PLACES, write=Scope.UPDATE_FREE_PLACES)

    def get_queryset(self) -> QuerySet[Location]:
        return self._manageable()

    def _answer(self, location: Location) -> Response:
        return Response(
            AvailabilityEntrySerializer(future_availabilities(location=location), many=True).data
        )

    @extend_schema(responses=AvailabilityEntrySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self.get_object())

    @extend_schema(
        request=AvailabilityEntrySerializer(many=True),
        responses=AvailabilityEntrySerializer(many=True),
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._write(request, replace=True)

    @extend_schema(
        request=AvailabilityEntrySerializer(many=True),
        responses=AvailabilityEntrySerializer(many=True),
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._write(request, replace=False)

    def _write(self, request: Request, *, replace: bool) -> Response:
        location = self.get_object()
        serializer = AvailabilityEntrySerializer(
            data=request.data, many=True, context={"capacity": location.licensed_capacity}
        )
        serializer.is_valid(raise_exception=True)
        counts: dict[tuple[date, str], int] = {}
        for index, entry in enumerate(serializer.validated_data):
            key = (entry["month"], entry["age_group"])
            if key in counts:
                raise serializers.ValidationError(
                    {str(index): _("This month and age group appear twice.")}
                )
            counts[key] = entry["free_places"]
        cleared = []
        if replace:
            cleared = [
                (availability.month, availability.age_group)
                for availability in future_availabilities(location=location)
                if (availability.month, availability.age_group) not in counts
            ]
        services.availabilities_set(
            location=location, free_places=counts, cleared=cleared, user=request.user
        )
        return self._answer(location)


class LocationImport(generics.GenericAPIView):
    """Import locations from a CSV file (loket staff): every row or none.

    Answers 201 when imported, 200 for a dry run without problems, 400 with the problems
    (row, field, message) otherwise; nothing is saved unless every row is right.
    """

    serializer_class = LocationImportRequestSerializer
    permission_classes = [LOKET_STAFF_ONLY]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": LocationImportRequestSerializer},
        responses={
            200: ImportReportSerializer,
            201: ImportReportSerializer,
            400: ImportReportSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = locations_import(
            csv_file=serializer.validated_data["file"],
            dry_run=serializer.validated_data["dry_run"],
        )
        if not report.is_valid:
            answer = status.HTTP_400_BAD_REQUEST
        elif report.dry_run or not report.locations_created:
            answer = status.HTTP_200_OK  # checked, or every row imported before
        else:
            answer = status.HTTP_201_CREATED
        data = ImportReportSerializer(report).data
        return Response(data, status=answer)
