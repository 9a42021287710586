"""Parent-facing request pages: on every loket's host and on every portal."""

from shared.portal import parent_urls, wizard_urls

app_name = "portal"

urlpatterns = [*wizard_urls.urlpatterns, *parent_urls.urlpatterns]
