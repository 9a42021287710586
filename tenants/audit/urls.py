"""The audit trail of a loket (page and API) and the auditors' read-only pages."""

from django.urls import path

from tenants.audit import api, auditor_views, views

app_name = "audit"

urlpatterns = [
    path("beheer/audit/", views.audit_trail, name="audit_trail"),
    path("api/v1/audit/events/", api.AuditEventListView.as_view(), name="api_audit_events"),
    # Auditors, on the auditor tenant's host only.
    path("controle/", auditor_views.loket_list, name="auditor_lokets"),
    path("controle/<slug:slug>/aanvragen/", auditor_views.loket_requests, name="auditor_requests"),
    path("controle/<slug:slug>/audit/", auditor_views.loket_trail, name="auditor_trail"),
]
