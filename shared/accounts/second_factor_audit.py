"""A second factor set up, renewed or removed, in the audit trail of every loket the person
has a staff role in.

How strongly a staff account logs in is part of each loket's security: a loket's audit
trail says when one of its people added an authenticator app or a security key, made new
recovery codes, or removed one (allauth's ``authenticator_added``, ``authenticator_reset``
and ``authenticator_removed``, connected in ``AccountsConfig.ready``). The event holds the
kind of factor and its id, never a secret, a key's name or a code. A person without a role
in a loket (a region coordinator, an operator, a parent) goes to the audit log instead.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tenants.utils import tenant_context

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket

audit_log = logging.getLogger("opvangloket.audit")

ADDED, RESET, REMOVED = "second_factor_added", "second_factor_renewed", "second_factor_removed"


def second_factor_record(*, user: User, authenticator, event: str) -> int:
    """Record ``event`` for ``authenticator`` of ``user`` in each of their lokets; returns
    in how many."""
    from tenants.audit.models import AuditEvent
    from tenants.audit.services import audit_record

    lokets = Loket.objects.filter(
        pk__in=Membership.objects.filter(user=user, loket__isnull=False).values("loket_id")
    ).order_by("pk")
    details = {"event": event, "kind": authenticator.type}
    recorded = 0
    with transaction.atomic():
        for loket in lokets:
            with tenant_context(loket):
                audit_record(
                    actor=user,
                    action=AuditEvent.Action.CREATED
                    if event == ADDED
                    else AuditEvent.Action.CHANGED,
                    object_type=AuditEvent.ObjectType.SECOND_FACTOR,
                    object_id=authenticator.pk,
                    details=details,
                )
            recorded += 1
    if not recorded:
        audit_log.info(
            "second factor: %s", event, extra={"actor_id": user.pk, "kind": authenticator.type}
        )
    return recorded


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    second_factor_record(user=user, authenticator=authenticator, event=ADDED)


def on_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    second_factor_record(user=user, authenticator=authenticator, event=RESET)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    second_factor_record(user=user, authenticator=authenticator, event=REMOVED)
