"""URL patterns of the parent's follow-up (Mijn aanvragen), served on every loket and portal host."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
