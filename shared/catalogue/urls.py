"""Search of the offer: pages under /opvang/, open data API under /api/v1/catalogue/."""

from django.urls import path

app_name = "catalogue"

urlpatterns: list = []
