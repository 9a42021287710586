"""Registering and revoking planning clients, and recording the calls made with their tokens.

A client is an OAuth2 application of this loket (client credentials only) owned by a
service account made for it: an account with no password and an address no one reads,
named after the client, so the audit trail shows the client wherever it acted.
Provider software gets the provider staff role and grants on its locations, loket
software the loket staff role; both in this loket only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, get_application_model
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from shared.accounts.models import SERVICE_ACCOUNT_DOMAIN, Membership, User
from shared.accounts.services import membership_grant
from shared.lokets.models import Loket
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.planning_clients.models import PlanningClient
from tenants.planning_clients.scopes import ALL_SCOPES, PROVIDER_SCOPES
from tenants.providers.models import Location
from tenants.providers.services import location_grant

ROLE_OF_KIND = {
    PlanningClient.Kind.PROVIDER: Membership.Role.PROVIDER_STAFF,
    PlanningClient.Kind.LOKET: Membership.Role.LOKET_STAFF,
}
# Figures are the loket's: provider software cannot read them whatever its scopes.
SCOPES_OF_KIND = {
    PlanningClient.Kind.PROVIDER: PROVIDER_SCOPES,
    PlanningClient.Kind.LOKET: ALL_SCOPES,
}


def _errors(*, name: str, kind: str, scopes: set[str], locations: list[Location]) -> dict:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the software a name.")]
    if kind not in PlanningClient.Kind.values:
        errors["kind"] = [_("Choose what kind of software this is.")]
        return errors
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif not scopes <= SCOPES_OF_KIND[kind]:
        errors["scopes"] = [_("Provider software cannot read the loket's figures.")]
    if kind == PlanningClient.Kind.PROVIDER and not locations:
        errors["locations"] = [_("Choose the locations this software works for.")]
    if kind == PlanningClient.Kind.LOKET and locations:
        errors["locations"] = [_("Loket software works for every location: choose none.")]
    return errors


def _service_account(*, name: str) -> User:
    email = f"{slugify(name)[:40] or 'client'}-{secrets.token_hex(4)}@{SERVICE_ACCOUNT_DOMAIN}"
    user = User.objects.create_user(email=email, password=None, full_name=name[:150])
    return user  # create_user(password=None) leaves an unusable password: no login


@transaction.atomic
def planning_client_create(
    *,
    loket: Loket,
    name: str,
    kind: str,
    scopes: Iterable[str],
    locations: Iterable[Location] = (),
    created_by: User,
    now: datetime,
) -> tuple[PlanningClient, str]:
    """Register a client of ``loket`` (call it in its schema); returns it with its secret,
    which is kept only hashed: show it once."""
    name, scopes, locations = name.strip(), set(scopes), list(locations)
    errors = _errors(name=name, kind=kind, scopes=scopes, locations=locations)
    if errors:
        raise ValidationError(errors)
    user = _service_account(name=name)
    membership_grant(user=user, role=ROLE_OF_KIND[kind], loket=loket)
    for location in locations:
        location_grant(location=location, user=user)
    secret = generate_client_secret()
    Application = get_application_model()
    application = Application.objects.create(
        name=name,
        user=user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=True,
    )
    client = PlanningClient.objects.create(
        name=name,
        kind=kind,
        scopes=sorted(scopes),
        client_id=application.client_id,
        application=application,
        user=user,
        created_by=created_by,
        created_at=now,
    )
    audit_record(
        actor=created_by,
        action=AuditEvent.Action.CREATED,
        object_type=AuditEvent.ObjectType.PLANNING_CLIENT,
        object_id=client.pk,
        details={"locations": sorted(location.pk for location in locations)},
        at=now,
    )
    return client, secret


@transaction.atomic
def planning_client_revoke(
    *, client: PlanningClient, loket: Loket, revoked_by: User, now: datetime
) -> PlanningClient:
    """Revoke a client (idempotent): its application and tokens are deleted, its service
    account loses its role and grants here and is switched off. Its calls stay in the trail."""
    client = PlanningClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        return client
    application = client.application
    client.application = None
    client.revoked_at, client.revoked_by = now, revoked_by
    client.save(update_fields=["application", "revoked_at", "revoked_by"])
    if application is not None:
        application.delete()  # its access tokens go with it
    UserObjectPermission.objects.filter(user=client.user).delete()
    Membership.objects.filter(user=client.user, loket=loket).delete()
    User.objects.filter(pk=client.user_id).update(is_active=False)
    audit_record(
        actor=revoked_by,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.PLANNING_CLIENT,
        object_id=client.pk,
        details={"event": "revoked"},
        at=now,
    )
    return client


def token_call_record(*, client: PlanningClient, request: Request) -> AuditEvent:
    """One call made with a token of ``client``, in the loket's trail: the operation's
    name, the method and the ids in its path (no query, no body)."""
    match = getattr(request, "resolver_match", None)
    ids = {
        key: value
        for key, value in (match.kwargs.items() if match else ())
        if isinstance(value, int) and not isinstance(value, bool)
    }
    return audit_record(
        actor=client.user,
        action=AuditEvent.Action.VIEWED
        if request.method in SAFE_METHODS
        else AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.API_CALL,
        object_id=client.pk,
        details={
            "client": client.pk,
            "method": request.method,
            "operation": match.url_name if match else "",
            **ids,
        },
    )


def tokens_clear_expired(*, now: datetime) -> int:
    """Delete this loket's access tokens that expired before ``now``; how many."""
    deleted, _by_model = AccessToken.objects.filter(expires__lt=now).delete()
    return deleted
