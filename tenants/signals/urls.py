"""Loket staff's signals about locations."""

from django.urls import path

from tenants.signals import views

app_name = "signals"

urlpatterns = [
    path("beheer/signalen/", views.signal_list, name="signal_list"),
    path("beheer/signalen/export.csv", views.signal_export, name="signal_export"),
]
