"""Staff roles from the government login's role claim: which memberships a civil servant has.

ACM/IDM gives civil servants their roles for an application in a claim; its name is
``OPVANGLOKET_OIDC_ROLE_CLAIM`` (default ``opvangloket_roles``). The mapping, one value
per role, as the provider's role administration writes it:

====================================  =================================================
claim value                           membership
====================================  =================================================
``loket_staff:<loket slug>``          loket staff of that loket
``provider_staff:<loket slug>``       provider staff of that loket (locations are still
                                      granted by the loket's staff)
``auditor:<loket slug>``              auditor (the auditor tenant's slug)
``region_coordinator:<region slug>``  coordinator of that region
====================================  =================================================

A value that names no known, active loket or region, or an unknown role, grants nothing
(and is logged). At every government login the claimed roles are granted and the roles
granted by an earlier claim that is no longer made are withdrawn; roles given by people
(invitations, operators) are never touched. Each change is in the loket's audit trail.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket, Region

logger = logging.getLogger(__name__)

LOKET_ROLES = {
    Membership.Role.LOKET_STAFF,
    Membership.Role.PROVIDER_STAFF,
    Membership.Role.AUDITOR,
}


def role_claim_name() -> str:
    return getattr(settings, "OPVANGLOKET_OIDC_ROLE_CLAIM", "") or "opvangloket_roles"


def claimed_roles(claims: dict[str, Any]) -> set[tuple[str, int | None, int | None]]:
    """(role, loket id, region id) for every value of the role claim that names a known
    role and an active loket or region; anything else grants nothing."""
    values = claims.get(role_claim_name()) or []
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    found: set[tuple[str, int | None, int | None]] = set()
    for value in values:
        role, _sep, slug = str(value).strip().partition(":")
        loket = region = None
        if role in LOKET_ROLES:
            loket = Loket.objects.filter(slug=slug, is_active=True).first()
        elif role == Membership.Role.REGION_COORDINATOR:
            region = Region.objects.filter(slug=slug).first()
        if loket is None and region is None:
            logger.warning("role claim names nothing known", extra={"claim_value": value})
            continue
        found.add((role, loket.pk if loket else None, region.pk if region else None))
    return found


def _audit(membership: Membership, *, event: str) -> None:
    if membership.loket is None:
        logger.info("coordinator role %s by the government login", event)
        return
    from tenants.audit.models import AuditEvent
    from tenants.audit.services import audit_record

    with tenant_context(membership.loket):
        audit_record(
            actor=membership.user,
            action=AuditEvent.Action.CHANGED,
            object_type=AuditEvent.ObjectType.MEMBERSHIP,
            object_id=membership.pk,
            details={"event": event, "role": membership.role, "source": "government_login"},
        )
    connection.set_schema_to_public()


@transaction.atomic
def staff_claims_apply(*, user: User, claims: dict[str, Any]) -> tuple[int, int]:
    """Bring ``user``'s claim-granted memberships in line with ``claims``: (granted, withdrawn)."""
    wanted = claimed_roles(claims)
    granted = withdrawn = 0
    held = {
        (m.role, m.loket_id, m.region_id): m
        for m in Membership.objects.select_for_update(of=("self",))
        .filter(user=user)
        .select_related("loket")
    }
    for role, loket_id, region_id in sorted(wanted, key=str):
        if (role, loket_id, region_id) in held:
            continue
        membership = Membership.objects.create(
            user=user, role=role, loket_id=loket_id, region_id=region_id, granted_by_claim=True
        )
        _audit(membership, event="role_granted")
        granted += 1
    for key, membership in held.items():
        if membership.granted_by_claim and key not in wanted:
            _audit(membership, event="role_withdrawn")
            membership.delete()
            withdrawn += 1
    return granted, withdrawn


def on_government_login(sender, request, user, **kwargs) -> None:
    """allauth's ``user_logged_in``: a government login brings its role claim along."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None or sociallogin.account.provider != "acmidm":
        return
    data = sociallogin.account.extra_data or {}
    claims = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    if not isinstance(claims, dict) or not claims:
        claims = data
    staff_claims_apply(user=user, claims=claims)
