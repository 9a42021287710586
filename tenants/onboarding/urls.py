from django.urls import path

from tenants.onboarding import api, views

app_name = "onboarding"

urlpatterns = [
    path("beheer/import/", views.import_page, name="import"),
    path("beheer/import/<int:pk>/", views.import_status, name="import_status"),
    path("beheer/import/<int:pk>/status.json", views.import_status_json, name="import_status_json"),
    path("api/v1/imports/", api.ImportStart.as_view(), name="api_import_start"),
    path("api/v1/imports/<int:pk>/", api.ImportStatus.as_view(), name="api_import_status"),
]
