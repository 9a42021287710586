"""URL patterns served on every host: accounts, language switch, API basics, OpenAPI."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from opvangloket.openapi import HostOpenApiView
from shared.accounts.api import CurrentUserView
from shared.accounts.second_factor_views import security_key_remove
from shared.accounts.second_factor_views import setup_page as second_factor_setup
from shared.accounts.team_views import invitation_accept
from shared.lokets import branding_api, branding_views, statement_views


class FaviconRedirect(RedirectView):
    """To the icon's static file, named when asked (the manifest may not exist at import)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("opvangloket/favicon.svg")


common_patterns = [
    # Staff's second factor: the choice between an app and a key (before allauth's own).
    path("account/2fa/setup/", second_factor_setup, name="second_factor_setup"),
    # Staff keep their last second factor (allauth's removal does not ask the adapter).
    path("account/2fa/webauthn/keys/<int:pk>/remove/", security_key_remove),
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The link of a staff invitation (shared.accounts.invitations), on its loket or portal.
    path("uitnodiging/<str:token>/", invitation_accept, name="invitation_accept"),
    path("api/v1/me/", CurrentUserView.as_view(), name="api_me"),
    path("api/v1/schema/", HostOpenApiView.as_view(), name="api_schema"),
    # Browsers and feed readers that ask without reading the page's <link rel="icon">.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    # Every host: the loket's (or region's) privacy and accessibility statements.
    path("privacy/", statement_views.privacy_statement_page, name="privacy_statement"),
    path(
        "toegankelijkheid/",
        statement_views.accessibility_statement_page,
        name="accessibility_statement",
    ),
    path("api/v1/privacy/", statement_views.PrivacyStatementView.as_view(), name="api_privacy"),
    # The loket's (or region's) own face: its colours, logo and favicon, and the staff page.
    path("huisstijl/kleuren.css", branding_views.brand_colours, name="brand_colours"),
    path("huisstijl/<str:kind>", branding_views.brand_image, name="brand_image"),
    path("beheer/huisstijl/", branding_views.branding_edit, name="branding_edit"),
    path("api/v1/branding/", branding_api.BrandingView.as_view(), name="api_branding"),
]
