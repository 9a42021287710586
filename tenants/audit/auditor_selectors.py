"""What auditors read: every loket's requests without who the child is, and its audit trail.

Everything is read through the read-only ``auditor`` database alias, in the schema of
the loket being audited (django-tenants switches only ``default``; the tenant of the
alias is set here). Only the columns listed are read: no name, date of birth, national
register number, address or contact data ever leaves the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections
from django.utils import timezone

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.catalogue.vocabulary import AgeGroup
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.audit.models import AuditEvent
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


def audited_trail(*, loket: Loket, **filters) -> list[AuditEvent]:
    """The audit trail of ``loket`` (the newest 500 events), read through the auditor alias."""
    with _InLoket(loket):
        return list(audit_events(using=AUDITOR_ALIAS, **filters)[:500])
