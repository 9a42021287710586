"""Open data API of the catalogue of locations: read-only, no login, the search page's filters."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from opvangloket.openapi import MonthTextField
from shared.catalogue.forms import CatalogueSearchForm
from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.selectors import catalogue_location_detail, search_catalogue
from shared.lokets.selectors import municipalities_served


class AvailabilitySerializer(serializers.ModelSerializer):
    month = MonthTextField()

    class Meta:
        model = CatalogueAvailability
        fields = ("month", "age_group", "free_places")


class CatalogueLocationSerializer(serializers.ModelSerializer):
    loket = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    municipality = serializers.SerializerMethodField()
    free_places = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Free places in the requested start month (this month when none was asked), "
        "for the child's age group when an age was given: licensed places minus placements "
        "and open offers, with the provider's correction. `null`: not known (the provider "
        "publishes no count for that month); `0`: no free place.",
    )
    distance_km = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Distance from the postcode in `near`."
    )

    class Meta:
        model = CatalogueLocation
        fields = (
            "id",
            "loket",
            "name",
            "organizer_name",
            "kind",
            "dossier_number",
            "street",
            "postcode",
            "place",
            "municipality",
            "latitude",
            "longitude",
            "licensed_capacity",
            "age_min_months",
            "age_max_months",
            "opening_days",
            "opens_at",
            "closes_at",
            "tariff",
            "daily_price",
            "languages",
            "is_inclusive",
            "phone",
            "email",
            "website",
            "free_places",
            "distance_km",
            "availability_updated_at",
        )

    def get_municipality(self, location: CatalogueLocation) -> dict[str, str]:
        return {
            "nis_code": location.municipality.nis_code,
            "name_nl": location.municipality.name_nl,
        }


class CatalogueLocationDetailSerializer(CatalogueLocationSerializer):
    availabilities = AvailabilitySerializer(many=True, read_only=True)
    free_places = None
    distance_km = None

    class Meta(CatalogueLocationSerializer.Meta):
        fields = (
            *(
                name
                for name in CatalogueLocationSerializer.Meta.fields
                if name not in ("free_places", "distance_km")
            ),
            "description",
            "closing_periods",
            "availabilities",
        )


FILTER_PARAMETERS = [
    OpenApiParameter("municipality", str, description="NIS code of the municipality"),
    OpenApiParameter("kind", str, enum=["group", "family", "out_of_school"]),
    OpenApiParameter("age_months", int, description="The child's age at the start, in months"),
    OpenApiParameter("birth_date", OpenApiTypes.DATE, description="Instead of age_months"),
    OpenApiParameter("start", str, description="Desired start month, YYYY-MM"),
    OpenApiParameter("days", int, many=True, description="Weekdays needed, 1 = Monday"),
    OpenApiParameter("income_tariff", bool),
    OpenApiParameter("free_places", bool, description="Only locations with free places"),
    OpenApiParameter("near", str, description="Postcode"),
    OpenApiParameter("radius_km", float, description="With near: at most this far"),
    OpenApiParameter("language", str, description="Language code, e.g. nl, fr"),
    OpenApiParameter("inclusive", bool),
    OpenApiParameter("q", str, description="Words in the name, organizer or place"),
    OpenApiParameter("sort", str, enum=["relevance", "distance", "free_places", "name"]),
]


@extend_schema(parameters=FILTER_PARAMETERS)
class CatalogueLocationList(generics.ListAPIView):
    """Published childcare locations of this loket's region, of this portal, or of all lokets."""

    serializer_class = CatalogueLocationSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_queryset(self):
        form = CatalogueSearchForm(
            self.request.query_params,
            municipalities=municipalities_served(
                region=self.request.region, loket=self.request.loket
            ),
        )
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return search_catalogue(
            query=form.to_query(), region=self.request.region, loket=self.request.loket
        )


class CatalogueLocationDetail(generics.RetrieveAPIView):
    """One published location, with its free places per month and closing periods."""

    serializer_class = CatalogueLocationDetailSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_object(self) -> CatalogueLocation:
        location = catalogue_location_detail(
            pk=self.kwargs["pk"], region=self.request.region, loket=self.request.loket
        )
        if location is None:
            raise Http404
        return location
