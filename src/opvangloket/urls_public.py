"""URL conf of the public schema: the platform root and every region's portal."""

from django.contrib import admin
from django.urls import include, path

from opvangloket.urls_common import common_patterns
from shared.accounts import region_login_views
from shared.lokets import api, views

urlpatterns = [
    path("", views.public_home, name="home"),
    path("api/v1/regions/", api.RegionListView.as_view(), name="api_regions"),
    path("api/v1/regions/<slug:slug>/", api.RegionDetailView.as_view(), name="api_region"),
    path("api/v1/region/", api.CurrentRegionView.as_view(), name="api_current_region"),
    path("admin/", admin.site.urls),
    path("", include("shared.accounts.region_team_urls")),
    # One login per region (shared.accounts.region_login): the portal is the login host.
    path("aanmelden/", region_login_views.portal_login, name="region_login"),
    path("aanmelden/controle/", region_login_views.portal_check, name="region_login_check"),
    path("", include("shared.catalogue.urls")),
    path("", include("shared.portal.urls")),
    path("", include("shared.statistics.portal_urls")),
    *common_patterns,
]
