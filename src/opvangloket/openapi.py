"""The OpenAPI document of the host it is asked on (a loket's API differs from the portal's)."""

from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers


class HostOpenApiView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # django-tenants picks the URL conf per host; describe that one, not ROOT_URLCONF.
        self.urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        # Field titles come from translatable labels: describe the API in one language.
        with translation.override("en"):
            return super().get(request, *args, **kwargs)


# A month the API writes as text, ``YYYY-MM`` (kept as its first day).
MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2027-01"}
# OpenAPI's ``format: time`` is RFC 3339's full-time, with an offset ("07:30:00+01:00");
# opening hours are local times without one, as DRF writes and reads them.
TIME_SCHEMA = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
    "example": "07:30:00",
}


@extend_schema_field(MONTH_SCHEMA)
class MonthTextField(serializers.DateField):
    """A month in an answer: ``2027-01``, not a date."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m")
        super().__init__(**kwargs)


def local_time_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every time of day documented as the local time it is."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("format") == "time" and node.get("type") == "string":
                del node["format"]
                node.update({key: value for key, value in TIME_SCHEMA.items() if key != "type"})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


TOKEN_SCHEME = "oauth2"  # noqa: S105 (a scheme name, not a secret)


def token_security_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook for planning clients' tokens: an operation that
    takes a token documents its 401 (unknown, expired or revoked token); a host where no
    operation takes one (the portal, the base domain) does not list the token scheme."""
    used = False
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            if any(TOKEN_SCHEME in requirement for requirement in operation.get("security", [])):
                used = True
                operation.setdefault("responses", {}).setdefault(
                    "401",
                    {
                        "description": "The token is unknown on this host, expired or revoked.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorDetailResponse"}
                            }
                        },
                    },
                )
    schemes = result.get("components", {}).get("securitySchemes", {})
    if not used:
        schemes.pop(TOKEN_SCHEME, None)
    return result
