"""Bearer tokens of planning clients on the API, after the session cookie.

A request without ``Authorization: Bearer`` is left to the other authenticators (the
session cookie works as before). With one, the token must be a live token of a client
of this very loket (tokens live in its schema: any other host does not know them), not
expired and not revoked; otherwise 401. The view must accept the token's scopes
(``tenants.planning_clients.scopes``, default deny); otherwise 403. Every call made with
a valid token is recorded in the loket's audit trail, its service account as the actor.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.request import Request

from tenants.planning_clients.models import PlanningClient
from tenants.planning_clients.scopes import accepted_scopes
from tenants.planning_clients.services import token_call_record


class TokenRefused(exceptions.APIException):
    """401 with a Bearer challenge. Not DRF's AuthenticationFailed: DRF turns that into a
    403 when the first authenticator (the session's) sends no challenge."""

    status_code = 401
    default_detail = _("The token is not valid here: unknown, expired or revoked.")
    default_code = "invalid_token"

    def __init__(self, auth_header: str) -> None:
        super().__init__()
        self.auth_header = auth_header


def _bearer(request: Request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header[:7].lower() == "bearer "


def _tokens_live_here(request: Request) -> bool:
    """Tokens are kept in a loket's schema; the portal, the base domain and the auditor
    tenant (read-only, no clients) know none."""
    loket = getattr(request, "loket", None)
    return (
        loket is not None and not loket.is_auditor and connection.schema_name == loket.schema_name
    )


class PlanningTokenAuthentication(OAuth2Authentication):
    www_authenticate_realm = "opvangloket"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not _bearer(request):
            return None
        found = super().authenticate(request) if _tokens_live_here(request) else None
        if found is None:
            raise self._refused(request)
        _nobody, token = found
        client = (
            PlanningClient.objects.select_related("user")
            .filter(application_id=token.application_id, revoked_at__isnull=True)
            .first()
        )
        if client is None or not client.user.is_active:
            raise self._refused(request)
        view = (request.parser_context or {}).get("view")
        token_call_record(client=client, request=request)
        accepted = accepted_scopes(view, request.method)
        if not accepted:
            raise exceptions.PermissionDenied(_("This operation does not take tokens."))
        if not any(token.allow_scopes([scope]) for scope in accepted):
            raise exceptions.PermissionDenied(
                _("The token lacks the scope this operation needs: %(scopes)s.")
                % {"scopes": " or ".join(sorted(accepted))}
            )
        return client.user, token

    def _refused(self, request: Request) -> TokenRefused:
        if not getattr(request, "oauth2_error", None):
            request.oauth2_error = {"error": "invalid_token"}
        return TokenRefused(self.authenticate_header(request))
