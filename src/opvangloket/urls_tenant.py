"""URL conf of a loket's domain (its own schema)."""

from django.urls import include, path

from opvangloket.urls_common import common_patterns
from shared.accounts import region_login_views
from shared.lokets import api, export_views, views

urlpatterns = [
    path("", views.loket_home, name="home"),
    path("beheer/", views.staff_home, name="staff_home"),
    path("beheer/gegevens/", views.loket_contact_edit, name="loket_contact_edit"),
    path("beheer/bewaartermijn/", views.loket_retention_edit, name="loket_retention_edit"),
    path("beheer/transparantie/", views.loket_transparency_edit, name="loket_transparency_edit"),
    path("beheer/export/", export_views.loket_export, name="loket_export"),
    # One login per region (shared.accounts.region_login): log in at the region's portal.
    path("aanmelden/", region_login_views.loket_login, name="region_login"),
    path("aanmelden/overdracht/", region_login_views.loket_handoff, name="region_login_handoff"),
    path("api/v1/loket/", api.CurrentLoketView.as_view(), name="api_loket"),
    path("api/v1/loket/export/", export_views.LoketExportView.as_view(), name="api_loket_export"),
    path("", include("shared.accounts.team_urls")),
    path("", include("shared.catalogue.urls")),
    path("", include("tenants.providers.urls")),
    path("", include("shared.portal.urls")),
    path("", include("tenants.requests.urls")),
    path("", include("tenants.allocation.urls")),
    path("", include("tenants.allocation.closing_urls")),
    path("", include("tenants.allocation.capacity_urls")),
    path("", include("shared.statistics.urls")),
    path("", include("tenants.audit.urls")),
    path("", include("tenants.onboarding.urls")),
    path("", include("tenants.signals.urls")),
    path("", include("tenants.planning_clients.urls")),
    *common_patterns,
]
