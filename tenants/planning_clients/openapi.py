"""The OpenAPI description of planning clients' tokens: the oauth2 clientCredentials
scheme with this host's token URL, and on each operation the scopes it accepts."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from shared.lokets.models import Loket
from tenants.planning_clients.scopes import SCOPE_DESCRIPTIONS, accepted_scopes

SCHEME = "oauth2"


class PlanningTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.planning_clients.authentication.PlanningTokenAuthentication"
    name = SCHEME
    priority = 1  # before drf-spectacular's own extension for the toolkit's class

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[str]]] | None:
        # The document of a host (drf-spectacular's mock request carries no loket; the
        # connection is in the host's schema). Tokens live in a loket's schema: none on
        # the portal, the base domain or the auditor host. Without a request (manage.py
        # spectacular) the URL conf alone is described, tokens included.
        if getattr(auto_schema.view, "request", None) is not None:
            loket = getattr(connection, "tenant", None)
            if not isinstance(loket, Loket) or loket.is_auditor:
                return None
        scopes = accepted_scopes(auto_schema.view, auto_schema.method)
        if not scopes:
            return None  # default deny: this operation takes no token
        # Alternatives: any one of these scopes will do.
        return [{SCHEME: [scope]} for scope in sorted(scopes)]

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        token_url = settings.SPECTACULAR_SETTINGS["OAUTH2_TOKEN_URL"]
        request = getattr(auto_schema.view, "request", None)
        if request is not None:
            # A document made without a host (``manage.py check``) keeps the path.
            with contextlib.suppress(DisallowedHost):
                token_url = request.build_absolute_uri(token_url)
        return {
            "type": "oauth2",
            "description": "Tokens of planning software registered by the loket "
            "(/beheer/koppelingen/), valid on this loket's host only.",
            "flows": {
                "clientCredentials": {"tokenUrl": token_url, "scopes": dict(SCOPE_DESCRIPTIONS)}
            },
        }
