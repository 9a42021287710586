"""URL patterns served on every host: accounts, language switch, API basics, OpenAPI."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from opvangloket.openapi import HostOpenApiView
from shared.accounts.api import CurrentUserView


class FaviconRedirect(RedirectView):
    """To the icon's static file, named when asked (the manifest may not exist at import)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("opvangloket/favicon.svg")


common_patterns = [
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/me/", CurrentUserView.as_view(), name="api_me"),
    path("api/v1/schema/", HostOpenApiView.as_view(), name="api_schema"),
    # Browsers and feed readers that ask without reading the page's <link rel="icon">.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
]
