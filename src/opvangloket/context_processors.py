"""What every page needs to know: which loket or region it belongs to."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "current_loket": getattr(request, "loket", None),
        "current_region": getattr(request, "region", None),
        "base_domain": settings.BASE_DOMAIN,
    }
