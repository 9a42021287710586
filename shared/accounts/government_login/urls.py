"""The government login's URLs: allauth's OpenID Connect paths and names, our adapter.

``/account/oidc/<provider_id>/login/`` (POST: off to the provider) and
``/account/oidc/<provider_id>/login/callback/`` (back with the code).
"""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount import app_settings
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

from shared.accounts.government_login.provider import GovernmentLoginAdapter


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(GovernmentLoginAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(GovernmentLoginAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


urlpatterns = [
    path(
        f"{app_settings.OPENID_CONNECT_URL_PREFIX}/<str:provider_id>/",
        include(
            [
                path("login/", login, name="openid_connect_login"),
                path("login/callback/", callback, name="openid_connect_callback"),
            ]
        ),
    )
]
