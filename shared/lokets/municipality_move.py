"""Moving a municipality from one loket to another (a change of working area).

``municipality_move(municipality=M, source=B, target=A)`` makes M part of A's working area
instead of B's, in one transaction or not at all (``dry_run`` runs it and rolls it back,
so its report is what the move does). What moves:

- **B's locations in M**, with everything of theirs: organizers (one of A's when it is the
  same, by the merger's rules), free places, closing periods, signals, provider staff's
  grants (such a person gets a provider-staff role in A), the catalogue rows.
- **The choices of those locations**, with their offers and placements. A request is
  where its chosen locations are, so:
  - a request with only choices in M moves whole: it gets a reference of A and its old
    one becomes a former reference (still found on A's pages);
  - a request with choices in M and elsewhere in B is split: B keeps its choices of B's
    other locations, A gets a part of the same submission with the choices in M (both
    registered at the original time; the registry counts the child once). When the
    child was placed, the part holding the placement stays "placed" and the other is
    closed, as when a place is accepted in another loket;
  - a child with an open request of the same family in A already gets one request there
    (the merger's rule: choices ranked by the registration time they came from).
- **The working area**: M leaves B's municipalities and joins A's.

Children living in M whose requests chose only B's other locations stay with B: a
request follows its locations, not the family's address. The report counts them.

Lock order (``tenants.requests.parts``): the two loket rows, then the registry entries of
both lokets in id order, then the lokets' schemas.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context
from guardian.models import UserObjectPermission

from opvangloket.bulk_writes import analyze_models
from shared.accounts.models import Membership
from shared.catalogue.models import CatalogueLocation
from shared.geography.models import Municipality
from shared.lokets.merging import (
    LIVE_ROUND_STATUSES,
    Conflict,
    MergeReport,
    joined_requests_rank,
    location_conflicts,
    organizer_matches,
    registry_entries_move,
    remember_old_pks,
    same_child_joins,
    transfer_references,
)
from shared.lokets.models import Loket
from shared.lokets.transfer import Transfer
from shared.registry.models import RegistryAnswer, RegistryEntry, RequestStatus
from tenants.allocation.models import AllocationRound, Offer, Placement
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.providers.models import Location
from tenants.providers.services import free_places_publish, location_delete
from tenants.requests.models import ChildcareRequest, FormerReference, RequestChoice
from tenants.requests.parts import new_reference, part_set_status
from tenants.signals.models import LocationSignal

# Loket tables that never move with a municipality: they belong to the loket as a whole.
STAYING_TABLES = {
    "allocation.overduedigest",
    "allocation.allocationround",
    "audit.auditevent",
    "onboarding.importrun",
    "onboarding.externalrecord",
}


@dataclass
class MoveReport:
    municipality: str
    source: str
    target: str
    dry_run: bool
    locations: list[str] = field(default_factory=list)
    # Requests that moved whole: old reference → A's reference.
    moved: dict[str, str] = field(default_factory=dict)
    # Requests split between the lokets: B's reference (it stays) → A's new part.
    split: dict[str, str] = field(default_factory=dict)
    # Requests whose part in M joined the same child's request in A: B's → A's reference.
    joined: dict[str, str] = field(default_factory=dict)
    # Children living in M whose requests chose only B's other locations: they stay.
    staying_residents: int = 0
    staff: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    done: bool = False

    @property
    def blocking(self) -> list[Conflict]:
        return [conflict for conflict in self.conflicts if conflict.blocking]

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        if self.dry_run:
            head = _("Dry run: nothing was changed.")
        else:
            head = _("Moved.") if self.done else _("Not moved.")
        lines = [
            head,
            _("%(municipality)s from %(source)s to %(target)s")
            % {"municipality": self.municipality, "source": self.source, "target": self.target},
            _("Locations: %(count)s") % {"count": len(self.locations)},
            *[f"  {name}" for name in self.locations],
            _("Requests moved whole: %(count)s") % {"count": len(self.moved)},
            *[f"  {old} → {new}" for old, new in self.moved.items()],
            _("Requests split between the lokets: %(count)s") % {"count": len(self.split)},
            *[f"  {old} + {new}" for old, new in self.split.items()],
        ]
        if self.joined:
            lines.append(_("Requests joined to the same child's request:"))
            lines += [f"  {old} → {new}" for old, new in self.joined.items()]
        lines.append(
            _("Children living there who chose only other locations (they stay): %(count)s")
            % {"count": self.staying_residents}
        )
        if self.staff:
            lines.append(_("Provider staff who get a role in the target loket:"))
            lines += [f"  {email}" for email in self.staff]
        lines.append(_("Conflicts: %(count)s") % {"count": len(self.conflicts)})
        for conflict in self.conflicts:
            mark = _("blocks the move") if conflict.blocking else _("resolved")
            lines.append(f"  [{mark}] {conflict.message}")
        return lines


class MoveRefused(ValidationError):
    """The move cannot run (the report says why); nothing was changed."""

    def __init__(self, report: MoveReport, message: str):
        super().__init__(message)
        self.report = report


def move_check(*, municipality: Municipality, source: Loket, target: Loket) -> None:
    if source.pk == target.pk:
        raise ValidationError(_("The municipality is in that loket's working area already."))
    for loket in (source, target):
        if loket.is_auditor or not loket.is_active:
            raise ValidationError(
                _("%(loket)s cannot take part in a move.") % {"loket": loket.name}
            )
    if not source.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError(
            _("%(municipality)s is not in the working area of %(loket)s.")
            % {"municipality": municipality.name, "loket": source.name}
        )


@dataclass
class _Affected:
    location_ids: set[int]
    organizer_ids: set[int]
    whole: set[int]
    split: set[int]
    # Split requests whose placement is at a moved location (B's part closes).
    placed_in_move: set[int]


def _affected(municipality: Municipality, source: Loket) -> tuple[_Affected, int]:
    with tenant_context(source):
        locations = Location.objects.filter(municipality=municipality)
        location_ids = set(locations.values_list("pk", flat=True))
        organizer_ids = set(locations.values_list("organizer_id", flat=True))
        by_request: dict[int, set[int]] = {}
        for request_id, location_id in RequestChoice.objects.values_list(
            "request_id", "location_id"
        ):
            by_request.setdefault(request_id, set()).add(location_id)
        touched = {rid for rid, chosen in by_request.items() if chosen & location_ids}
        whole = {rid for rid in touched if by_request[rid] <= location_ids}
        split = touched - whole
        placed_in_move = set(
            Placement.objects.filter(
                choice__request_id__in=split, location_id__in=location_ids
            ).values_list("choice__request_id", flat=True)
        )
        staying = (
            ChildcareRequest.objects.filter(residence=municipality).exclude(pk__in=touched).count()
        )
    return _Affected(location_ids, organizer_ids, whole, split, placed_in_move), staying


@transaction.atomic
def _move(
    *,
    municipality: Municipality,
    source: Loket,
    target: Loket,
    now: datetime,
    by: str,
    report: MoveReport,
) -> None:
    Loket.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk").count()
    entries = list(
        RegistryEntry.objects.select_for_update().filter(loket__in=[source, target]).order_by("pk")
    )
    affected, report.staying_residents = _affected(municipality, source)
    moving = affected.whole | affected.split
    source_entries = [e for e in entries if e.loket_id == source.pk and e.request_id in moving]
    target_entries = [e for e in entries if e.loket_id == target.pk]

    # What both have (the merger's rules, on what moves only).
    checks = MergeReport(source=source.name, target=target.name, dry_run=report.dry_run)
    same_organizers = organizer_matches(checks, source, target, affected.organizer_ids)
    location_conflicts(checks, source, target, affected.location_ids)
    joins = same_child_joins(checks, source_entries, target_entries)
    report.conflicts += checks.conflicts
    with tenant_context(source):
        if moving and AllocationRound.objects.filter(status__in=LIVE_ROUND_STATUSES).exists():
            report.conflicts.append(
                Conflict(
                    "live_round",
                    _(
                        "%(loket)s has an allocation round that is not decided yet: move "
                        "the municipality after its decision date."
                    )
                    % {"loket": source.name},
                    blocking=True,
                )
            )
        report.locations = list(
            Location.objects.filter(pk__in=affected.location_ids)
            .order_by("name")
            .values_list("name", flat=True)
        )
        first_at = {
            request.pk: (request.registered_at, request.priorities, request.is_urgent)
            for request in ChildcareRequest.objects.filter(pk__in=joins)
        }
        old_references = dict(
            ChildcareRequest.objects.filter(pk__in=moving).values_list("pk", "reference")
        )
    if report.blocking and not report.dry_run:
        raise MoveRefused(report, _("The move is blocked: see the conflicts."))

    # 1. Into A's schema: the locations, what hangs off them, the requests that chose them.
    joined_ids = {request_id: entry.request_id for request_id, entry in joins.items()}

    def request_adjust(row: ChildcareRequest, old: int) -> bool:
        row.pk, row.reference = new_reference(target, row.registered_at)
        if old in affected.split:
            # A part of the same submission: it has its own history from here on.
            row.status = _split_status(row.status, holds_placement=old in affected.placed_in_move)
        return True

    transfer = Transfer(
        source=source,
        target=target,
        select={
            "providers.organizer": lambda rows: rows.filter(pk__in=affected.organizer_ids),
            "providers.location": lambda rows: rows.filter(pk__in=affected.location_ids),
            "requests.childcarerequest": lambda rows: rows.filter(pk__in=moving),
            # Only the choices in M; a choice of B's other locations has no location in A.
            "requests.requestchoice": lambda rows: rows.filter(
                location_id__in=affected.location_ids
            ),
            # A signal without a location is about the loket as a whole: it stays.
            "signals.locationsignal": lambda rows: rows.filter(
                location_id__in=affected.location_ids
            ),
            # A split request's old references stay with B's part.
            "requests.formerreference": lambda rows: rows.filter(request_id__in=affected.whole),
        },
        match={
            "providers.organizer": lambda row: same_organizers.get(row._old_pk),
            "requests.childcarerequest": lambda row: joined_ids.get(row._old_pk),
        },
        adjust={"requests.childcarerequest": request_adjust},
        skip=STAYING_TABLES,
    )
    remember_old_pks(transfer)
    transfer.run()
    references = transfer_references(transfer, target)
    request_ids = transfer.ids.get("requests.childcarerequest", {})
    location_ids = transfer.ids.get("providers.location", {})
    report.moved = {
        old_references[old]: references[old] for old in sorted(affected.whole) if old not in joins
    }
    report.split = {
        old_references[old]: references[old] for old in sorted(affected.split) if old not in joins
    }
    report.joined = {old_references[old]: references[old] for old in sorted(joins)}

    with tenant_context(target):
        FormerReference.objects.bulk_create(
            FormerReference(
                request_id=request_ids[old],
                reference=old_references[old],
                loket_name=source.name,
                recorded_at=now,
            )
            for old in sorted(affected.whole)
        )
        joined_requests_rank(target, joins, transfer, first_at)
        _ranks_renumber(set(request_ids.values()))
        for old in sorted(moving):
            audit_record(
                actor=None,
                action=AuditEvent.Action.CHANGED,
                object_type=AuditEvent.ObjectType.REQUEST,
                object_id=request_ids[old],
                reference=references[old],
                details={
                    "event": "municipality_moved",
                    "municipality": municipality.nis_code,
                    "from_loket": source.slug,
                    "from_reference": old_references[old],
                    "by": by,
                },
                at=now,
            )

    # 2. Out of B's schema: what moved goes; a split request keeps its other choices.
    with tenant_context(source):
        moved_choices = RequestChoice.objects.filter(location_id__in=affected.location_ids)
        Placement.objects.filter(choice__in=moved_choices).delete()
        Offer.objects.filter(choice__in=moved_choices).delete()
        moved_choices.delete()
        for request in ChildcareRequest.objects.filter(pk__in=affected.split):
            status = _split_status(
                request.status, holds_placement=request.pk not in affected.placed_in_move
            )
            if status != request.status:
                part_set_status(request, status=status, now=now)
            audit_record(
                actor=None,
                action=AuditEvent.Action.CHANGED,
                object_type=AuditEvent.ObjectType.REQUEST,
                object_id=request.pk,
                reference=request.reference,
                details={
                    "event": "municipality_moved",
                    "municipality": municipality.nis_code,
                    "to_loket": target.slug,
                    "part_reference": references[request.pk],
                    "by": by,
                },
                at=now,
            )
        _ranks_renumber(affected.split)
        ChildcareRequest.objects.filter(pk__in=affected.whole).delete()

    # 3. The public schema: registry, catalogue, staff, the working area.
    whole_entries = [e for e in source_entries if e.request_id in affected.whole]
    split_entries = [e for e in source_entries if e.request_id in affected.split]
    # (Moving the whole ones changes those entries in memory: their ids are A's now.)
    registry_entries_move(
        source=source, target=target, transfer=transfer, source_entries=whole_entries, joins=joins
    )
    for entry in split_entries:
        part = joins.get(entry.request_id) or _registry_part(entry, target, transfer)
        for answer in RegistryAnswer.objects.filter(
            entry=entry, location_id__in=affected.location_ids
        ):
            answer.entry, answer.location_id = part, location_ids[answer.location_id]
            answer.save(update_fields=["entry", "location_id"])
        _has_offer_refresh(source, entry)
        _has_offer_refresh(target, part)
        if joins.get(entry.request_id) is not None:
            part.save(update_fields=["registered_at", "has_priority", "updated_at"])
    for row in CatalogueLocation.objects.filter(
        loket=source, location_id__in=affected.location_ids
    ):
        row.loket, row.region = target, target.region
        row.location_id = location_ids[row.location_id]
        row.save()
    report.staff = _provider_staff_follow(source, target, set(location_ids.values()))
    with tenant_context(source):
        LocationSignal.objects.filter(location_id__in=affected.location_ids).delete()
        for location in Location.objects.filter(pk__in=affected.location_ids):
            location_delete(location=location)
    source.municipalities.remove(municipality)
    target.municipalities.add(municipality)
    with tenant_context(target):
        for location in Location.objects.filter(pk__in=location_ids.values()):
            free_places_publish(location=location)
        analyze_models(Location, ChildcareRequest, RequestChoice)
    analyze_models(RegistryEntry, CatalogueLocation)
    report.done = not report.dry_run
    if report.dry_run:
        transaction.set_rollback(True)


def _split_status(status: str, *, holds_placement: bool) -> str:
    """A part's status after a split: the part without the placement of a placed child is
    closed (placed elsewhere), as when a place is accepted in another loket."""
    if status == RequestStatus.PLACED and not holds_placement:
        return RequestStatus.CANCELLED
    return status


def _ranks_renumber(request_ids: set[int]) -> None:
    """Ranks 1, 2, … again in each request of the current schema (some choices left)."""
    choices = list(RequestChoice.objects.filter(request_id__in=request_ids).order_by("rank", "pk"))
    counters: dict[int, int] = {}
    for choice in choices:
        counters[choice.request_id] = counters.get(choice.request_id, 0) + 1
        choice.rank = counters[choice.request_id]
    RequestChoice.objects.bulk_update(choices, ["rank"])


def _registry_part(entry: RegistryEntry, target: Loket, transfer: Transfer) -> RegistryEntry:
    """A's registry entry for its part of a split request: the same child, family and
    submission, registered at the same time."""
    with tenant_context(target):
        request = ChildcareRequest.objects.get(
            pk=transfer.ids["requests.childcarerequest"][entry.request_id]
        )
    part = RegistryEntry.objects.get(pk=entry.pk)
    part.pk = None
    part.loket = target
    part.request_id = request.pk
    part.reference = request.reference
    part.status = request.status
    part.save()
    return part


def _has_offer_refresh(loket: Loket, entry: RegistryEntry) -> None:
    with tenant_context(loket):
        has_offer = (
            Offer.objects.filter(
                choice__request_id=entry.request_id, status=Offer.Status.OPEN
            ).exists()
            or Placement.objects.filter(choice__request_id=entry.request_id).exists()
        )
    RegistryEntry.objects.filter(pk=entry.pk).update(has_offer=has_offer)


def _provider_staff_follow(source: Loket, target: Loket, new_location_ids: set[int]) -> list[str]:
    """Provider staff with a grant on a moved location get the provider-staff role in A."""
    with tenant_context(target):
        content_type = ContentType.objects.get_for_model(Location)
        user_ids = set(
            UserObjectPermission.objects.filter(
                content_type=content_type, object_pk__in=[str(pk) for pk in new_location_ids]
            ).values_list("user_id", flat=True)
        )
    emails = []
    for membership in Membership.objects.filter(
        loket=source, role=Membership.Role.PROVIDER_STAFF, user_id__in=user_ids
    ).select_related("user"):
        _made, created = Membership.objects.get_or_create(
            user=membership.user, role=Membership.Role.PROVIDER_STAFF, loket=target
        )
        if created:
            emails.append(membership.user.email)
    return sorted(emails)


def municipality_move(
    *,
    municipality: Municipality,
    source: Loket,
    target: Loket,
    dry_run: bool = False,
    now: datetime | None = None,
    by: str = "",
) -> MoveReport:
    """Move ``municipality`` from ``source``'s working area to ``target``'s (or, with
    ``dry_run``, only say what that does). Raises ``MoveRefused`` (with the report) when a
    conflict blocks it and ``ValidationError`` when it cannot be moved at all."""
    move_check(municipality=municipality, source=source, target=target)
    report = MoveReport(
        municipality=municipality.name, source=source.name, target=target.name, dry_run=dry_run
    )
    try:
        _move(
            municipality=municipality,
            source=source,
            target=target,
            now=now or timezone.now(),
            by=by,
            report=report,
        )
    finally:
        connection.set_schema_to_public()
    return report
