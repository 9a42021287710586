"""Planning software: the token endpoint, the staff page /beheer/koppelingen/ and its API."""

from django.urls import path

from tenants.planning_clients import api, views
from tenants.planning_clients.token_endpoint import ThrottledTokenView

app_name = "planning_clients"

urlpatterns = [
    # The client credentials grant only (settings.OAUTH2_PROVIDER): no authorization pages;
    # failed client authentications throttled as logins are (token_endpoint).
    path("oauth/token/", ThrottledTokenView.as_view(), name="token"),
    path("beheer/koppelingen/", views.client_list, name="client_list"),
    path("beheer/koppelingen/<int:pk>/intrekken/", views.client_revoke, name="client_revoke"),
    path("api/v1/planning-clients/", api.ClientListCreate.as_view(), name="api_clients"),
    path(
        "api/v1/planning-clients/<int:pk>/revoke/",
        api.ClientRevoke.as_view(),
        name="api_client_revoke",
    ),
]
