"""Production headers beside Django's SecurityMiddleware and django-csp, and the admin's host.

- ``Permissions-Policy``: no page of ours uses the camera, microphone, location, payment
  or other powerful features; a script injected despite the CSP cannot ask for them. Only
  security keys and passkeys (WebAuthn, staff's second factor) are allowed, for our own
  pages (``self``), never for a frame of another site.
- ``Cache-Control: no-store`` on every answer that may hold personal data: any page for a
  logged-in person, the staff area, "Mijn aanvragen", the accounts pages, the admin, every
  API answer and every download; so that neither a shared computer's browser cache nor a
  proxy keeps a copy. Public pages for anonymous visitors stay cacheable.
- The Django admin answers only on the platform's base domain: on a region's portal (the
  same public URL conf) it is a 404, login page included.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Powerful features no page of ours uses: denied to every frame, our own pages included.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "usb",
    "xr-spatial-tracking",
)
# Security keys and passkeys (staff's second factor): our own pages only.
OWN_PAGES_FEATURES = ("publickey-credentials-create", "publickey-credentials-get")
PERMISSIONS_POLICY = ", ".join(
    [
        *(f"{feature}=(self)" for feature in OWN_PAGES_FEATURES),
        *(f"{feature}=()" for feature in DENIED_FEATURES),
    ]
)
PRIVATE_PATHS = ("/beheer/", "/mijn-aanvragen/", "/account/", "/admin/", "/api/")
# The loket's logo, favicon and colours (shared.lokets.branding_views): the same for
# everyone, cacheable for logged-in people too.
PUBLIC_PATHS = ("/huisstijl/",)


def holds_personal_data(request: HttpRequest, response: HttpResponse) -> bool:
    if request.path.startswith(PUBLIC_PATHS):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if request.path.startswith(PRIVATE_PATHS):
        return True
    return response.get("Content-Disposition", "").startswith("attachment")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if holds_personal_data(request, response):
            add_never_cache_headers(response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces and not on_base_domain(request):
            raise Http404


def on_base_domain(request: HttpRequest) -> bool:
    return request.get_host().split(":")[0].lower() == settings.BASE_DOMAIN
