"""API: lokets and regions, read by anyone; a loket's contact details, changed by its staff."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from shared.accounts.permissions import Access, HasRole
from shared.lokets.models import Loket, Region
from shared.lokets.selectors import primary_host, regions_with_lokets
from shared.lokets.services import (
    CONTACT_FIELDS,
    RETENTION_FIELDS,
    TRANSPARENCY_FIELDS,
    loket_update_contact,
    loket_update_settings,
)


class MunicipalitySummarySerializer(serializers.Serializer):
    nis_code = serializers.CharField()
    name_nl = serializers.CharField()
    name_fr = serializers.CharField()


class LoketSerializer(serializers.ModelSerializer):
    municipalities = MunicipalitySummarySerializer(many=True, read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    domain = serializers.SerializerMethodField()

    class Meta:
        model = Loket
        fields = (
            "slug",
            "name",
            "kind",
            "region",
            "domain",
            "municipalities",
            *CONTACT_FIELDS,
            *RETENTION_FIELDS,
            *TRANSPARENCY_FIELDS,
        )
        read_only_fields = ("slug", "name", "kind", "region", "domain", "municipalities")

    def get_domain(self, loket: Loket) -> str:
        return primary_host(loket=loket)


class RegionSerializer(serializers.ModelSerializer):
    lokets = LoketSerializer(many=True, read_only=True)

    class Meta:
        model = Region
        fields = ("slug", "name", "domain", "description", "lokets")


class CurrentLoketView(generics.RetrieveUpdateAPIView):
    """The loket of this host. Its loket staff may change contact details and opening hours,
    how many months closed requests keep personal data (1-120), and whether parents see
    their child's place on the waiting lists (`shows_waiting_position`)."""

    serializer_class = LoketSerializer
    permission_classes = [HasRole(Access.LOKET_STAFF, open_reads=True)]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Loket:
        loket = get_object_or_404(
            Loket.objects.prefetch_related("municipalities", "domains"), pk=self.request.loket.pk
        )
        self.check_object_permissions(self.request, loket)
        return loket

    def perform_update(self, serializer: LoketSerializer) -> None:
        data = dict(serializer.validated_data)
        own = (*RETENTION_FIELDS, *TRANSPARENCY_FIELDS)
        settings_ = {field: data.pop(field) for field in own if field in data}
        loket = loket_update_contact(loket=serializer.instance, **data)
        if settings_:
            loket = loket_update_settings(loket=loket, **settings_)
        serializer.instance = loket


class RegionListView(generics.ListAPIView):
    """Regions with their lokets (public)."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return regions_with_lokets()


class RegionDetailView(generics.RetrieveAPIView):
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"

    def get_queryset(self):
        return regions_with_lokets()


@extend_schema(responses={200: RegionSerializer, 404: None})
class CurrentRegionView(generics.GenericAPIView):
    """The region of this portal."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        if request.region is None:
            raise NotFound(_("This address is not a regional portal."))
        region = get_object_or_404(regions_with_lokets(), pk=request.region.pk)
        return Response(self.get_serializer(region).data)
