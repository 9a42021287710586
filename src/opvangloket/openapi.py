"""The OpenAPI document of the host it is asked on (a loket's API differs from the portal's)."""

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class HostOpenApiView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # django-tenants picks the URL conf per host; describe that one, not ROOT_URLCONF.
        self.urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        # Field titles come from translatable labels: describe the API in one language.
        with translation.override("en"):
            return super().get(request, *args, **kwargs)
