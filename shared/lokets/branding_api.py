"""API: the face of this host's loket (its staff) or of the portal's region (its
coordinators): colour, footer text, logo and favicon (multipart to upload images)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import HasRole
from shared.lokets.branding import MAX_IMAGE_BYTES, UNSET, branding_for, branding_update
from shared.lokets.branding_views import BRANDING_ACCESS, branding_owner
from shared.lokets.colours import brand_colour_validator, colour_normalise
from shared.lokets.models import Region


class BrandColourField(serializers.CharField):
    """#rrggbb in any case, stored lower-case; the model field's own contrast check."""

    def to_internal_value(self, data) -> str:
        return colour_normalise(super().to_internal_value(data))


class BrandingSerializer(serializers.Serializer):
    """Own values (empty: falls back) and what the host shows now (``shown_*``)."""

    owner = serializers.ChoiceField(choices=["loket", "region"], read_only=True)
    brand_colour = BrandColourField(
        required=False,
        allow_blank=True,
        max_length=7,
        validators=[brand_colour_validator],
        help_text="#rrggbb, or empty; at least 4.5:1 with white text and the page backgrounds",
    )
    footer_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    logo = serializers.FileField(
        required=False, write_only=True, help_text="PNG, JPEG, WebP or ICO, at most 256 KB"
    )
    favicon = serializers.FileField(
        required=False, write_only=True, help_text="PNG, JPEG, WebP or ICO, at most 256 KB"
    )
    remove_logo = serializers.BooleanField(required=False, write_only=True)
    remove_favicon = serializers.BooleanField(required=False, write_only=True)
    has_logo = serializers.BooleanField(read_only=True)
    has_favicon = serializers.BooleanField(read_only=True)
    shown_colour = serializers.CharField(read_only=True)
    shown_logo_url = serializers.CharField(read_only=True)
    shown_favicon_url = serializers.CharField(read_only=True)
    shown_footer_text = serializers.CharField(read_only=True)


def _image(data: dict, kind: str):
    upload = data.get(kind)
    if upload:
        return upload.read(MAX_IMAGE_BYTES + 1)
    return None if data.get(f"remove_{kind}") else UNSET


class BrandingView(APIView):
    """The face of this loket (loket staff, on its host) or of this portal's region (its
    coordinators). PATCH with JSON or multipart/form-data; a colour must reach a contrast
    of 4.5:1 with white text and with the page backgrounds."""

    permission_classes = [HasRole(*BRANDING_ACCESS)]
    serializer_class = BrandingSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def _data(self, request: Request) -> dict:
        owner = branding_owner(request)
        face = branding_for(loket=getattr(request, "loket", None), region=request.region)
        kinds = set(owner.brand_images.values_list("kind", flat=True))
        return BrandingSerializer(
            {
                "owner": "region" if isinstance(owner, Region) else "loket",
                "brand_colour": owner.brand_colour,
                "footer_text": owner.footer_text,
                "has_logo": "logo" in kinds,
                "has_favicon": "favicon" in kinds,
                "shown_colour": face.colour,
                "shown_logo_url": face.logo_url,
                "shown_favicon_url": face.favicon_url,
                "shown_footer_text": face.footer_text,
            }
        ).data

    @extend_schema(responses=BrandingSerializer)
    def get(self, request: Request) -> Response:
        return Response(self._data(request))

    @extend_schema(
        request={
            "application/json": BrandingSerializer,
            "multipart/form-data": BrandingSerializer,
        },
        responses=BrandingSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = BrandingSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = {field: data[field] for field in ("brand_colour", "footer_text") if field in data}
        branding_update(
            owner=branding_owner(request),
            actor=request.user,
            logo=_image(data, "logo"),
            favicon=_image(data, "favicon"),
            **changes,
        )
        return Response(self._data(request))
