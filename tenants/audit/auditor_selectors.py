"""What auditors read: every loket's requests without who the child is, and its audit trail.

Everything is read through the read-only ``auditor`` database alias, in the schema of
the loket being audited (django-tenants switches only ``default``; the tenant of the
alias is set here). Only the columns listed are read: no name, date of birth, national
register number, address or contact data ever leaves the database; the role cannot read
them anyway (``shared.lokets.auditor``). Actors in a trail are staff by e-mail (from the
``auditor_staff_member`` view) or a parent's pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.accounts.models import Membership
from shared.catalogue.vocabulary import AgeGroup
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.audit.selectors import audit_events
from tenants.requests.models import ChildcareRequest, ChoiceStatus, Priority, RequestChoice

REQUEST_COLUMNS = (
    "id",
    "reference",
    "status",
    "desired_start",
    "residence_id",
    "priorities",
    "registered_at",
    "is_urgent",
)


def audited_lokets() -> list[Loket]:
    """Every loket an auditor may look into (not the auditor tenant itself)."""
    return list(
        Loket.objects.using(AUDITOR_ALIAS)
        .exclude(kind=Loket.Kind.AUDITOR)
        .select_related("region")
        .order_by("name")
    )


def audited_loket(*, slug: str) -> Loket | None:
    return (
        Loket.objects.using(AUDITOR_ALIAS)
        .exclude(kind=Loket.Kind.AUDITOR)
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class AuditedChoice:
    rank: int
    location_name: str
    status: str

    @property
    def status_label(self) -> str:
        return str(ChoiceStatus(self.status).label)


@dataclass
class AuditedRequest:
    """One request as an auditor sees it: what and when, never who."""

    reference: str
    status: str
    desired_start: date
    age_group: str
    residence: str
    priorities: list[str]
    registered_at: datetime
    is_urgent: bool
    choices: list[AuditedChoice] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(RequestStatus(self.status).label)

    @property
    def age_group_label(self) -> str:
        return str(AgeGroup(self.age_group).label) if self.age_group in AgeGroup.values else ""

    @property
    def priority_labels(self) -> list[str]:
        return [str(Priority(value).label) for value in self.priorities if value in Priority.values]

    @property
    def age_days(self) -> int:
        """Days since registration."""
        return (timezone.now() - self.registered_at).days


class _InLoket:
    """The auditor alias in ``loket``'s schema for a block, then back where it was."""

    def __init__(self, loket: Loket):
        self.loket = loket
        self.connection = connections[AUDITOR_ALIAS]

    def __enter__(self):
        self.previous = self.connection.tenant
        self.connection.set_tenant(self.loket)
        return self.connection

    def __exit__(self, *exc_info):
        self.connection.set_tenant(self.previous)


def audited_requests(*, loket: Loket, status: str | None = None) -> list[AuditedRequest]:
    """The requests of ``loket`` in the order of registration, with their choices."""
    with _InLoket(loket):
        rows = ChildcareRequest.objects.using(AUDITOR_ALIAS).order_by("registered_at", "id")
        if status:
            rows = rows.filter(status=status)
        requests = list(rows.values(*REQUEST_COLUMNS))
        choices = list(
            RequestChoice.objects.using(AUDITOR_ALIAS)
            .filter(request_id__in=[row["id"] for row in requests])
            .order_by("request_id", "rank")
            .values("request_id", "rank", "location__name", "status")
        )
    age_groups = dict(
        RegistryEntry.objects.using(AUDITOR_ALIAS)
        .filter(loket_id=loket.pk)
        .order_by()
        .values_list("request_id", "age_group")
    )
    residences = {
        municipality.pk: municipality.name
        for municipality in Municipality.objects.using(AUDITOR_ALIAS).filter(
            pk__in={row["residence_id"] for row in requests}
        )
    }
    by_id = {
        row["id"]: AuditedRequest(
            reference=row["reference"],
            status=row["status"],
            desired_start=row["desired_start"],
            age_group=age_groups.get(row["id"], ""),
            residence=residences.get(row["residence_id"], ""),
            priorities=row["priorities"],
            registered_at=row["registered_at"],
            is_urgent=row["is_urgent"],
        )
        for row in requests
    }
    for choice in choices:
        by_id[choice["request_id"]].choices.append(
            AuditedChoice(
                rank=choice["rank"], location_name=choice["location__name"], status=choice["status"]
            )
        )
    return list(by_id.values())


@dataclass(frozen=True)
class AuditedEvent:
    """One event of a loket's trail as an auditor sees it: staff by e-mail, parents by a
    pseudonym (the same parent, the same pseudonym in this loket), never a parent's address."""

    at: datetime
    actor: str
    action_label: str
    object_label: str
    reference: str


def parent_pseudonym(*, loket: Loket, user_id: int) -> str:
    """Eight hex digits that stand for one account in one loket's trail (keyed by SECRET_KEY)."""
    message = f"audit-pseudonym:{loket.pk}:{user_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:8]


def _staff_members(*, user_ids: list[int] | None = None, email: str | None = None) -> list[tuple]:
    """Rows (user id, loket id, role, e-mail) of staff accounts, from the one view the
    auditor's role may read about accounts (``shared.lokets.auditor.STAFF_VIEW``)."""
    sql = "SELECT user_id, loket_id, role, email FROM public.auditor_staff_member WHERE "
    if user_ids is not None:
        sql, params = sql + "user_id = ANY(%s)", [user_ids]
    else:
        sql, params = sql + "email ILIKE %s", [f"%{email}%"]
    with connections[AUDITOR_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _actor_labels(*, loket: Loket, user_ids: set[int]) -> dict[int, str]:
    """How each actor is shown: their staff role here and e-mail, or a parent's pseudonym."""
    ranks = {Membership.Role.LOKET_STAFF: 0, Membership.Role.PROVIDER_STAFF: 1}
    staff: dict[int, tuple[int, str]] = {}
    for user_id, loket_id, role, email in _staff_members(user_ids=sorted(user_ids)):
        if role == Membership.Role.AUDITOR:
            rank = 2  # Opgroeien's auditors (their membership is in the auditor tenant)
        elif loket_id == loket.pk:
            rank = ranks[role]
        else:
            continue
        if user_id not in staff or rank < staff[user_id][0]:
            label = f"{Membership.Role(role).label}: {email}"
            staff[user_id] = (rank, label)
    return {
        user_id: staff[user_id][1]
        if user_id in staff
        else _("Parent %(pseudonym)s")
        % {"pseudonym": parent_pseudonym(loket=loket, user_id=user_id)}
        for user_id in user_ids
    }


def audited_trail(*, loket: Loket, actor: str | None = None, **filters: Any) -> list[AuditedEvent]:
    """The audit trail of ``loket`` (the newest 500 events), read through the auditor alias.

    ``actor`` matches staff e-mail addresses only: a parent cannot be looked up by address.
    The accounts table is not read (no join): actors are named by ``_actor_labels``.
    """
    with _InLoket(loket):
        events = audit_events(using=AUDITOR_ALIAS, **filters).select_related(None)
        if actor:
            staff_ids = {row[0] for row in _staff_members(email=actor.strip())}
            events = events.filter(actor_id__in=staff_ids)
        rows = list(events[:500])
    labels = _actor_labels(loket=loket, user_ids={e.actor_id for e in rows if e.actor_id})
    return [
        AuditedEvent(
            at=event.at,
            actor=labels[event.actor_id] if event.actor_id else _("the system"),
            action_label=event.get_action_display(),
            object_label=event.get_object_type_display(),
            reference=event.reference,
        )
        for event in rows
    ]
