"""Parent-facing request pages: on every loket's host and on every portal."""

from shared.registry import parent_urls, wizard_urls

app_name = "registry"

urlpatterns = [*wizard_urls.urlpatterns, *parent_urls.urlpatterns]
