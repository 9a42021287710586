from django.urls import path

from tenants.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("beheer/import/", views.import_page, name="import"),
    path("beheer/import/<int:pk>/", views.import_status, name="import_status"),
    path("beheer/import/<int:pk>/status.json", views.import_status_json, name="import_status_json"),
]
