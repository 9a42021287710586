"""What every page needs to know: which loket or region it belongs to, and the user's roles."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from opvangloket.staff_nav import staff_nav_links
from shared.accounts.selectors import roles_in_loket
from shared.lokets.branding import branding_for


def site(request: HttpRequest) -> dict:
    loket = getattr(request, "loket", None)
    region = getattr(request, "region", None)
    user = getattr(request, "user", None)
    return {
        "current_loket": loket,
        "current_region": region,
        # The loket's (else its region's, else the platform's) logo, colour, favicon and
        # footer text (shared.lokets.branding); the auditor host shows the platform's.
        "face": SimpleLazyObject(lambda: branding_for(loket=loket, region=region)),
        "base_domain": settings.BASE_DOMAIN,
        # Queried only by pages that ask (the header asks on loket hosts for logged-in users).
        "current_roles": SimpleLazyObject(
            lambda: roles_in_loket(user=user, loket=loket) if loket and user else set()
        ),
        # The staff navigation on staff pages (``opvangloket.staff_nav``), empty elsewhere.
        "staff_nav": SimpleLazyObject(lambda: staff_nav_links(request=request)),
    }
