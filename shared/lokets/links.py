"""Absolute links to a loket's pages, for e-mails and other places without a request.

One place builds them: the loket's primary host, with the scheme and the port the platform
is served on (``PUBLIC_URL_SCHEME``, ``PUBLIC_PORT``; e.g. ``make demo`` serves on port
8000, so its e-mails link to ``http://herent.localhost:8000/…``). Where a request is at
hand (a parent submitting the wizard), ``request.build_absolute_uri`` is used instead:
the host the person used.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from shared.lokets.models import Loket

DEFAULT_PORTS = {"http": "80", "https": "443"}


def host_url(*, host: str, path: str) -> str:
    """``path`` on ``host`` as the platform serves it (scheme, and port unless the default)."""
    scheme = settings.PUBLIC_URL_SCHEME
    port = str(settings.PUBLIC_PORT or "")
    netloc = host if not port or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"


def loket_url(*, loket: Loket, path: str) -> str:
    """``path`` on the loket's own (primary) host."""
    domain = loket.get_primary_domain()
    return host_url(host=domain.domain if domain is not None else settings.BASE_DOMAIN, path=path)


def loket_page_url(*, loket: Loket, name: str, **kwargs) -> str:
    """The loket's page named ``name`` (in the loket URL patterns), as an absolute link."""
    path = reverse(name, urlconf="opvangloket.urls_tenant", kwargs=kwargs or None)
    return loket_url(loket=loket, path=path)
