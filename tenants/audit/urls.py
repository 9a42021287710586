"""The audit trail of a loket: page and API."""

from django.urls import path

from tenants.audit import api, views

app_name = "audit"

urlpatterns = [
    path("beheer/audit/", views.audit_trail, name="audit_trail"),
    path("api/v1/audit/events/", api.AuditEventListView.as_view(), name="api_audit_events"),
]
