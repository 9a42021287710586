"""URL patterns served on every host: accounts, language switch, API basics, OpenAPI."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from shared.accounts.api import CurrentUserView

common_patterns = [
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/me/", CurrentUserView.as_view(), name="api_me"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
]
