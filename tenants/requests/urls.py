"""Loket staff's pages and API for the requests of their own loket."""

from django.urls import path  # noqa: F401

app_name = "requests"

urlpatterns: list = []
