"""Management of a loket's providers: pages under /beheer/opvang/, API under /api/v1/providers/."""

from django.urls import path

app_name = "providers"

urlpatterns: list = []
