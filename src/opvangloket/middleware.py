"""Request handling around the tenant: health checks, host → loket or region, request logs."""

from __future__ import annotations

import logging
import time

import sentry_sdk
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django_tenants.middleware.main import TenantMainMiddleware

from opvangloket.auditor_db import start_auditor_reads, stop_auditor_reads
from shared.accounts.permissions import Access, has_access
from shared.lokets.selectors import region_for_host

request_logger = logging.getLogger("opvangloket.request")

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer ``/healthz`` on any host, before tenant resolution: is the database there?"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        return JsonResponse({"status": "ok", "database": "ok"})


class LoketMiddleware(TenantMainMiddleware):
    """Pick the schema and URL conf from the host name.

    A loket's domain → that loket's schema and the loket URL conf; a region's portal
    domain or the platform's base domain → the public schema and its URL conf; any
    other host → a 404 page, never another loket's data. An auditor on the auditor
    tenant's host reads through the read-only ``auditor`` database alias
    (``opvangloket.auditor_db``).
    """

    def get_tenant(self, domain_model, hostname):
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        tenant = domain.tenant
        tenant.served_domain = domain
        return tenant

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        request.loket = None
        request.region = None
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if response is None and tenant is not None and tenant.served_domain.redirects_to_primary:
            # A merged (or renamed) loket's host: the same page on the loket's own host.
            return moved_host_redirect(request, loket=tenant)
        if response is None and tenant is not None:
            request.loket = tenant
            request.region = tenant.region
            sentry_sdk.set_tag("loket", tenant.slug)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # After authentication: an auditor on the auditor host reads as the read-only role.
        loket = request.loket
        user = getattr(request, "user", None)
        if (
            loket is not None
            and user is not None
            and has_access(Access.AUDITOR, user=user, loket=loket)
        ):
            request._auditor_reads = start_auditor_reads(loket=loket)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        token = getattr(request, "_auditor_reads", None)
        if token is not None:
            stop_auditor_reads(token)
            request._auditor_reads = None
        return response

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse | None:
        region = region_for_host(host=hostname)
        if region is not None:
            request.region = region
            sentry_sdk.set_tag("region", region.slug)
        elif hostname != settings.BASE_DOMAIN:
            translation.activate(translation.get_language_from_request(request))
            return render(request, "opvangloket/unknown_host.html", {"host": hostname}, status=404)
        sentry_sdk.set_tag("loket", "public")
        self.setup_url_routing(request=request, force_public=True)
        return None


def moved_host_redirect(request: HttpRequest, *, loket) -> HttpResponse:
    """301 to the same path and query on the loket's primary domain (the port kept)."""
    primary = loket.get_primary_domain()
    if primary is None:
        return render(request, "opvangloket/unknown_host.html", {"host": ""}, status=404)
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    scheme = "https" if request.is_secure() else "http"
    location = f"{scheme}://{primary.domain}{':' + port if port else ''}{request.get_full_path()}"
    return HttpResponsePermanentRedirect(location)


class RequestLogMiddleware:
    """One structured log line per request: what, where, for whom, how long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        loket = getattr(request, "loket", None)
        region = getattr(request, "region", None)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "loket": loket.slug if loket else None,
                "region": region.slug if region else None,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response
