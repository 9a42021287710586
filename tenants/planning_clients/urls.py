"""Planning software: the token endpoint, the staff page /beheer/koppelingen/ and its API."""

from django.urls import path
from oauth2_provider.views import TokenView

from tenants.planning_clients import api, views

app_name = "planning_clients"

urlpatterns = [
    # The client credentials grant only (settings.OAUTH2_PROVIDER): no authorization pages.
    path("oauth/token/", TokenView.as_view(), name="token"),
    path("beheer/koppelingen/", views.client_list, name="client_list"),
    path("beheer/koppelingen/<int:pk>/intrekken/", views.client_revoke, name="client_revoke"),
    path("api/v1/planning-clients/", api.ClientListCreate.as_view(), name="api_clients"),
    path(
        "api/v1/planning-clients/<int:pk>/revoke/",
        api.ClientRevoke.as_view(),
        name="api_client_revoke",
    ),
]
