"""URL patterns of the request wizard (register once), served on every loket and portal host."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
