"""Merging one loket into another (the municipal mergers of 2025): every rule of it here.

``loket_merge(source=B, target=A)`` moves everything of B into A in one transaction, or
nothing: B's organizers, locations, requests (with their original registration times),
choices, offers, placements, notes, history, notices, signals, allocation rounds, audit
trail and object permissions into A's schema (``shared.lokets.transfer``: new ids, every
key translated); and in the public schema B's registry entries (now A's, with A's ids and
references), the catalogue rows, drafts, staff memberships and domains. ``dry_run`` runs
all of it and rolls it back, so the report of a dry run is what the merge will do.

Rules:

- **References.** A moved request gets a reference of A (``A-2026-00042``); its old one is
  a ``FormerReference``: it still finds the request on A's pages and API, and B's prefix
  is never given again (``LoketMerger.source_reference_prefix`` is unique and is checked
  with the lokets' prefixes).
- **Registration times** never change: the legal order of every waiting list follows them.
- **Organizers**: the same company number (KBO) in both lokets is one organizer (A's, with
  B's contact details where A has none); the same name (accents and case ignored) with at
  most one company number is one organizer too; the same name with two different numbers
  stays two, and is reported.
- **Locations**: the same Opgroeien dossier number in both lokets blocks the merge (one
  location twice: the operator removes one first).
- **A child with an open request in both lokets** (one registry identity, one family)
  becomes one request: A's, registered at the earlier of the two times, with the choices
  of both ranked by the registration time of the request they came from (then their own
  rank), the priority situations of both, B's history and notes; B's reference becomes a
  former reference of it and B's registry entry goes (its answers move to A's entry).
  Other families' requests for a child that looks the same are never joined.
- **Allocation rounds** of B still planned or waiting that overlap a live round of A block
  the merge.
- **Staff**: B's memberships become A's (a role the person has in A already is reported).
- **Hosts**: B's domains become A's, answering a 301 to the same path on A's primary
  domain. B is made inactive (no jobs, no host) and its schema is kept, read-only, for
  ``OPVANGLOKET_MERGED_SCHEMA_KEEP_DAYS`` days; the platform job
  ``lokets.drop_merged_schemas`` then drops it.

Lock order (``tenants.requests.parts``): the two loket rows, then the registry entries of
both lokets in id order, then the lokets' schemas.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists, tenant_context

from opvangloket.bulk_writes import analyze_models
from opvangloket.text import fold
from shared.accounts.models import Membership
from shared.catalogue.models import CatalogueLocation
from shared.lokets.models import Domain, Loket, LoketMerger
from shared.lokets.transfer import Transfer, count_rows, label, tenant_models
from shared.portal.models import RequestDraft
from shared.registry.models import PossibleDuplicate, RegistryAnswer, RegistryEntry, RequestStatus
from tenants.allocation.models import AllocationRound
from tenants.audit.models import AuditEvent
from tenants.providers.models import Location, Organizer
from tenants.providers.services import free_places_publish
from tenants.requests.models import (
    ChildcareRequest,
    FormerReference,
    RequestChoice,
    RequestNotice,
)
from tenants.requests.parts import new_reference

LIVE_ROUND_STATUSES = (AllocationRound.Status.PLANNED, AllocationRound.Status.PROPOSED)


@dataclass
class Conflict:
    """Something the two lokets both have: resolved by a rule, or (``blocking``) not."""

    kind: str
    message: str
    blocking: bool = False


@dataclass
class MergeReport:
    source: str
    target: str
    dry_run: bool
    # What moves: per table (its name in the reader's language), how many rows.
    moves: dict[str, int] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    # Old reference → new reference, for every request of the merged loket.
    references: dict[str, str] = field(default_factory=dict)
    # B's requests that joined A's request of the same child: old reference → A's reference.
    joined: dict[str, str] = field(default_factory=dict)
    children: int = 0
    merged: bool = False

    @property
    def blocking(self) -> list[Conflict]:
        return [conflict for conflict in self.conflicts if conflict.blocking]

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as plain lines (the command prints them; the admin page shows them)."""
        lines = [
            (_("Dry run: nothing was changed.") if self.dry_run else _("Merged."))
            if self.merged or self.dry_run
            else _("Not merged."),
            _("%(source)s into %(target)s") % {"source": self.source, "target": self.target},
            _("What moves:"),
        ]
        lines += [f"  {name}: {count}" for name, count in self.moves.items() if count]
        lines.append(_("Children: %(count)s") % {"count": self.children})
        if self.joined:
            lines.append(_("Requests joined to the same child's request:"))
            lines += [f"  {old} → {new}" for old, new in self.joined.items()]
        lines.append(_("Conflicts: %(count)s") % {"count": len(self.conflicts)})
        for conflict in self.conflicts:
            mark = _("blocks the merge") if conflict.blocking else _("resolved")
            lines.append(f"  [{mark}] {conflict.message}")
        return lines


class MergeRefused(ValidationError):
    """The merge cannot run (the report says why); nothing was changed."""

    def __init__(self, report: MergeReport, message: str):
        super().__init__(message)
        self.report = report


def merge_check(*, source: Loket, target: Loket) -> None:
    """Refuse what can never be merged, before anything is read."""
    if source.pk == target.pk:
        raise ValidationError(_("A loket cannot be merged into itself."))
    for loket in (source, target):
        if loket.is_auditor:
            raise ValidationError(
                _("%(loket)s is the auditor's loket: it holds nothing to merge.")
                % {"loket": loket.name}
            )
        if LoketMerger.objects.filter(source=loket).exists():
            raise ValidationError(_("%(loket)s was merged already.") % {"loket": loket.name})
    if not schema_exists(source.schema_name):
        raise ValidationError(_("The schema of %(loket)s is gone.") % {"loket": source.name})


def _company_number(value: str) -> str:
    digits = "".join(char for char in value if char.isdigit())
    return digits.zfill(10) if digits else ""


def organizer_matches(
    report: MergeReport, source: Loket, target: Loket, organizer_ids: set[int] | None = None
) -> dict[int, int]:
    """B's organizers (of ``organizer_ids`` only, when given) that are one of A's: B's id →
    A's id (and the report's lines)."""
    with tenant_context(target):
        theirs = list(Organizer.objects.all())
    with tenant_context(source):
        ours = Organizer.objects.all()
        if organizer_ids is not None:
            ours = ours.filter(pk__in=organizer_ids)
        ours = list(ours)
    by_number = {_company_number(o.company_number): o for o in theirs if o.company_number}
    by_name: dict[str, list[Organizer]] = {}
    for organizer in theirs:
        by_name.setdefault(fold(organizer.name), []).append(organizer)
    same: dict[int, int] = {}
    for organizer in ours:
        number = _company_number(organizer.company_number)
        if number and number in by_number:
            match = by_number[number]
            same[organizer.pk] = match.pk
            report.conflicts.append(
                Conflict(
                    "same_company_number",
                    _(
                        "Company number %(number)s: %(source)s and %(target)s are one "
                        "organizer (%(target)s is kept)."
                    )
                    % {
                        "number": organizer.company_number,
                        "source": organizer.name,
                        "target": match.name,
                    },
                )
            )
            continue
        for match in by_name.get(fold(organizer.name), []):
            other = _company_number(match.company_number)
            if number and other and number != other:
                report.conflicts.append(
                    Conflict(
                        "same_organizer_name",
                        _(
                            "Organizer %(name)s twice, with company numbers %(source)s and "
                            "%(target)s: kept as two organizers; check them."
                        )
                        % {
                            "name": organizer.name,
                            "source": organizer.company_number,
                            "target": match.company_number,
                        },
                    )
                )
                continue
            same[organizer.pk] = match.pk
            report.conflicts.append(
                Conflict(
                    "same_organizer_name",
                    _("Organizer %(name)s in both lokets: one organizer (the target's).")
                    % {"name": organizer.name},
                )
            )
            break
    return same


def location_conflicts(
    report: MergeReport, source: Loket, target: Loket, location_ids: set[int] | None = None
) -> None:
    """The same Opgroeien dossier number in both lokets blocks (of ``location_ids`` only,
    when given: the locations that move)."""
    with tenant_context(target):
        theirs = {
            location.dossier_number: location.name
            for location in Location.objects.exclude(dossier_number="")
        }
    with tenant_context(source):
        ours = Location.objects.exclude(dossier_number="")
        if location_ids is not None:
            ours = ours.filter(pk__in=location_ids)
        for location in ours:
            if location.dossier_number in theirs:
                report.conflicts.append(
                    Conflict(
                        "same_dossier_number",
                        _(
                            "Dossier number %(number)s: location %(source)s is also "
                            "%(target)s in the target loket. Remove one of them first."
                        )
                        % {
                            "number": location.dossier_number,
                            "source": location.name,
                            "target": theirs[location.dossier_number],
                        },
                        blocking=True,
                    )
                )


def _round_conflicts(report: MergeReport, source: Loket, target: Loket) -> None:
    with tenant_context(target):
        theirs = list(AllocationRound.objects.filter(status__in=LIVE_ROUND_STATUSES))
    with tenant_context(source):
        ours = list(AllocationRound.objects.filter(status__in=LIVE_ROUND_STATUSES))
    for round_ in ours:
        for other in theirs:
            if (
                round_.start_month_from <= other.start_month_to
                and other.start_month_from <= round_.start_month_to
            ):
                report.conflicts.append(
                    Conflict(
                        "overlapping_round",
                        _(
                            "An allocation round for %(first)s–%(last)s overlaps one of the "
                            "target loket: close or cancel one first."
                        )
                        % {
                            "first": f"{round_.start_month_from:%m/%Y}",
                            "last": f"{round_.start_month_to:%m/%Y}",
                        },
                        blocking=True,
                    )
                )


def same_child_joins(
    report: MergeReport, source_entries: list[RegistryEntry], target_entries: list[RegistryEntry]
) -> dict[int, RegistryEntry]:
    """B's open requests of a child that has an open request in A of the same family:
    B's request id → A's registry entry (the request it joins)."""
    open_target: dict[tuple[int, str], RegistryEntry] = {}
    for entry in target_entries:
        if entry.status == RequestStatus.OPEN and entry.family_key:
            open_target.setdefault((entry.child_id, entry.family_key), entry)
    joins = {}
    for entry in source_entries:
        if entry.status != RequestStatus.OPEN or not entry.family_key:
            continue
        match = open_target.get((entry.child_id, entry.family_key))
        if match is None:
            continue
        joins[entry.request_id] = match
        report.conflicts.append(
            Conflict(
                "same_child",
                _(
                    "Request %(source)s and request %(target)s are one child: one request "
                    "with the choices of both, ranked by registration time."
                )
                % {"source": entry.reference, "target": match.reference},
            )
        )
    return joins


def joined_requests_rank(
    target: Loket,
    joins: dict[int, RegistryEntry],
    transfer: Transfer,
    first_at: dict[int, datetime],
) -> None:
    """The joined requests: the earliest registration time, both priorities, the choices of
    both ranked by the registration time of the request they came from."""
    with tenant_context(target):
        for source_request_id, entry in joins.items():
            request = ChildcareRequest.objects.select_for_update().get(pk=entry.request_id)
            source_registered_at, source_priorities, source_urgent = first_at[source_request_id]
            moved_choice_ids = set(transfer.ids.get("requests.requestchoice", {}).values())
            choices = list(request.choices.all())

            def order(
                choice: RequestChoice,
                moved: set[int] = moved_choice_ids,
                source_at: datetime = source_registered_at,
                target_at: datetime = request.registered_at,
            ) -> tuple:
                came_from_source = choice.pk in moved
                return (source_at if came_from_source else target_at, came_from_source, choice.rank)

            ordered = sorted(choices, key=order)
            # Ranks are unique only per request and location: renumber in one go.
            for rank, choice in enumerate(ordered, 1):
                choice.rank = rank
            RequestChoice.objects.bulk_update(ordered, ["rank"])
            request.registered_at = min(request.registered_at, source_registered_at)
            request.priorities = list(dict.fromkeys([*request.priorities, *source_priorities]))
            request.is_urgent = request.is_urgent or source_urgent
            request.save(update_fields=["registered_at", "priorities", "is_urgent"])
            entry.registered_at = request.registered_at
            entry.has_priority = bool(request.priorities)


def registry_entries_move(
    *,
    source: Loket,
    target: Loket,
    transfer: Transfer,
    source_entries: list[RegistryEntry],
    joins: dict[int, RegistryEntry],
) -> None:
    """B's registry entries become A's (A's ids and references); a joined one goes, and its
    location answers and possible duplicates go to the entry it joined."""
    request_ids = transfer.ids.get("requests.childcarerequest", {})
    location_ids = transfer.ids.get("providers.location", {})
    references = transfer_references(transfer, target)
    for answer in RegistryAnswer.objects.filter(entry__in=source_entries):
        answer.location_id = location_ids.get(answer.location_id, answer.location_id)
        answer.save(update_fields=["location_id"])
    for entry in source_entries:
        joined = joins.get(entry.request_id)
        if joined is None:
            entry.loket = target
            entry.reference = references[entry.request_id]
            entry.request_id = request_ids[entry.request_id]
            entry.save(update_fields=["loket", "reference", "request_id", "updated_at"])
            continue
        RegistryAnswer.objects.filter(entry=entry).update(entry=joined)
        for duplicate in PossibleDuplicate.objects.filter(Q(entry=entry) | Q(other=entry)):
            one = joined if duplicate.entry_id == entry.pk else duplicate.entry
            other = joined if duplicate.other_id == entry.pk else duplicate.other
            if (
                one.pk == other.pk
                or PossibleDuplicate.objects.filter(entry=one, other=other)
                .exclude(pk=duplicate.pk)
                .exists()
            ):
                duplicate.delete()
            else:
                duplicate.entry, duplicate.other = one, other
                duplicate.save(update_fields=["entry", "other"])
        joined.has_offer = joined.has_offer or entry.has_offer
        joined.save(update_fields=["registered_at", "has_priority", "has_offer", "updated_at"])
        entry.delete()


def transfer_references(transfer: Transfer, target: Loket) -> dict[int, str]:
    """The new reference of each moved request, by its id in the source."""
    found = getattr(transfer, "_references", None)
    if found is None:
        new_ids = transfer.ids.get("requests.childcarerequest", {})
        with tenant_context(target):
            by_new = dict(
                ChildcareRequest.objects.filter(pk__in=new_ids.values()).values_list(
                    "pk", "reference"
                )
            )
        found = {old: by_new[new] for old, new in new_ids.items()}
        transfer._references = found
    return found


def _move_public_rows(*, source: Loket, target: Loket, transfer: Transfer, report: MergeReport):
    location_ids = transfer.ids.get("providers.location", {})
    for row in CatalogueLocation.objects.filter(loket=source):
        # Kept (with the location's new id), so drafts that chose it still find it.
        row.loket = target
        row.region = target.region
        row.location_id = location_ids[row.location_id]
        row.save()
    drafts = RequestDraft.objects.filter(loket=source).update(loket=target)
    report.moves[str(RequestDraft._meta.verbose_name_plural)] = drafts
    kept = 0
    for membership in Membership.objects.filter(loket=source).select_related("user"):
        if Membership.objects.filter(
            user=membership.user, role=membership.role, loket=target
        ).exists():
            report.conflicts.append(
                Conflict(
                    "staff_member_twice",
                    _("%(person)s is %(role)s in both lokets: one membership.")
                    % {"person": membership.user.email, "role": membership.get_role_display()},
                )
            )
            membership.delete()
            continue
        membership.loket = target
        membership.save(update_fields=["loket"])
        kept += 1
    report.moves[str(Membership._meta.verbose_name_plural)] = kept
    domains = Domain.objects.filter(tenant=source).update(
        tenant=target, is_primary=False, redirects_to_primary=True
    )
    report.moves[str(Domain._meta.verbose_name_plural)] = domains
    target.municipalities.add(*source.municipalities.all())


def table_name(model_label: str) -> str:
    from django.apps import apps

    return str(apps.get_model(model_label)._meta.verbose_name_plural)


@transaction.atomic
def _merge(*, source: Loket, target: Loket, now: datetime, by: str, report: MergeReport) -> None:
    # 1. The loket rows, then the registry entries of both lokets in id order.
    Loket.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk").count()
    entries = list(
        RegistryEntry.objects.select_for_update().filter(loket__in=[source, target]).order_by("pk")
    )
    source_entries = [entry for entry in entries if entry.loket_id == source.pk]
    target_entries = [entry for entry in entries if entry.loket_id == target.pk]

    # 2. What both have.
    if source.region_id != target.region_id:
        report.conflicts.append(
            Conflict(
                "other_region",
                _("The lokets are in different regions: the locations join %(region)s.")
                % {"region": target.region or _("no region")},
            )
        )
    same_organizers = organizer_matches(report, source, target)
    location_conflicts(report, source, target)
    _round_conflicts(report, source, target)
    joins = same_child_joins(report, source_entries, target_entries)
    report.children = len({entry.child_id for entry in entries})
    if report.blocking and not report.dry_run:
        raise MergeRefused(report, _("The merge is blocked: see the conflicts."))

    # 3. B's schema into A's.
    with tenant_context(source):
        first_at = {
            request.pk: (request.registered_at, request.priorities, request.is_urgent)
            for request in ChildcareRequest.objects.filter(pk__in=joins)
        }
        old_references = dict(ChildcareRequest.objects.values_list("pk", "reference"))
    joined_ids = {request_id: entry.request_id for request_id, entry in joins.items()}

    def organizer_match(row: Organizer) -> int | None:
        match = same_organizers.get(row._old_pk)
        if match is not None:
            existing = Organizer.objects.get(pk=match)
            for name in ("email", "phone", "website", "company_number"):
                if not getattr(existing, name) and getattr(row, name):
                    setattr(existing, name, getattr(row, name))
            existing.save()
        return match

    def request_match(row: ChildcareRequest) -> int | None:
        return joined_ids.get(row._old_pk)

    def request_adjust(row: ChildcareRequest, old: int) -> bool:
        row.pk, row.reference = new_reference(target, row.registered_at)
        return True

    def audit_adjust(row: AuditEvent, old: int) -> bool:
        kinds = {
            AuditEvent.ObjectType.REQUEST: "requests.childcarerequest",
            AuditEvent.ObjectType.NOTE: "requests.requestnote",
            AuditEvent.ObjectType.LOCATION: "providers.location",
        }
        if row.object_id is not None and row.object_type in kinds:
            row.object_id = transfer.new_id(kinds[row.object_type], row.object_id) or row.object_id
        if row.reference:
            row.reference = reference_after.get(row.reference, row.reference)
        row.details = {**row.details, "merged_from": source.slug}
        return True

    def notice_adjust(row: RequestNotice, old: int) -> bool:
        # A joined request keeps one notice per kind and day (never sent twice).
        return not RequestNotice.objects.filter(
            request_id=row.request_id, kind=row.kind, period=row.period
        ).exists()

    reference_after: dict[str, str] = {}
    transfer = Transfer(
        source=source,
        target=target,
        match={"providers.organizer": organizer_match, "requests.childcarerequest": request_match},
        adjust={
            "requests.childcarerequest": request_adjust,
            "requests.requestnotice": notice_adjust,
            "audit.auditevent": audit_adjust,
        },
        # The daily digest of overdue answers is the target's own record.
        skip={"allocation.overduedigest"},
    )
    remember_old_pks(transfer)
    _copy_until_audit(transfer, reference_after, old_references, target)

    with tenant_context(target):
        references = transfer_references(transfer, target)
        FormerReference.objects.bulk_create(
            FormerReference(
                request_id=transfer.ids["requests.childcarerequest"][old],
                reference=old_reference,
                loket_name=source.name,
                recorded_at=now,
            )
            for old, old_reference in old_references.items()
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                action=AuditEvent.Action.CHANGED,
                object_type=AuditEvent.ObjectType.REQUEST,
                object_id=transfer.ids["requests.childcarerequest"][old],
                reference=references[old],
                details={
                    "event": "loket_merged",
                    "merged_from": source.slug,
                    "former_reference": old_reference,
                },
                at=now,
            )
            for old, old_reference in old_references.items()
        )
    report.references = {old_references[old]: new for old, new in references.items()}
    report.joined = {old_references[request_id]: references[request_id] for request_id in joins}
    joined_requests_rank(target, joins, transfer, first_at)

    # 4. The public schema.
    registry_entries_move(
        source=source,
        target=target,
        transfer=transfer,
        source_entries=source_entries,
        joins=joins,
    )
    _move_public_rows(source=source, target=target, transfer=transfer, report=report)
    with tenant_context(target):
        for location in Location.objects.filter(
            pk__in=transfer.ids.get("providers.location", {}).values()
        ):
            free_places_publish(location=location)
        analyze_models(*tenant_models())
    analyze_models(RegistryEntry, RegistryAnswer, CatalogueLocation, Membership)

    counts = {**transfer.inserted}
    counts["requests.childcarerequest"] = counts.get("requests.childcarerequest", 0) + len(joins)
    for model_label in transfer.matched:
        counts[model_label] = counts.get(model_label, 0)
    report.moves = {
        **{table_name(model_label): count for model_label, count in counts.items()},
        str(RegistryEntry._meta.verbose_name_plural): len(source_entries),
        **report.moves,
    }

    # 5. B: inactive, read-only, remembered.
    source.is_active = False
    source.save(update_fields=["is_active"], verbosity=0)
    report.merged = not report.dry_run
    LoketMerger.objects.create(
        source=source,
        target=target,
        source_name=source.name,
        source_slug=source.slug,
        source_schema=source.schema_name,
        source_reference_prefix=source.reference_prefix,
        merged_at=now,
        merged_by=by,
        report=report.as_dict(),
    )
    if report.dry_run:
        transaction.set_rollback(True)


def remember_old_pks(transfer: Transfer) -> None:
    """Hooks see the row's id in the source as ``row._old_pk``."""
    for name, hook in list(transfer.match.items()):

        def remembering(row, hook=hook):
            row._old_pk = row.pk
            return hook(row)

        transfer.match[name] = remembering


def _copy_until_audit(
    transfer: Transfer,
    reference_after: dict[str, str],
    old_references: dict[int, str],
    target: Loket,
) -> None:
    """Copy every table; the audit trail last but one, once every request has its new
    reference (its events name requests by reference)."""
    transfer._map_content_types()
    for model in tenant_models():
        model_label = label(model)
        if model_label in transfer.skip:
            continue
        if model_label == "audit.auditevent":
            references = transfer_references(transfer, target)
            reference_after.update({old_references[old]: new for old, new in references.items()})
        transfer._copy(model)


def loket_merge(
    *,
    source: Loket,
    target: Loket,
    dry_run: bool = False,
    now: datetime | None = None,
    by: str = "",
) -> MergeReport:
    """Merge ``source`` into ``target`` (or, with ``dry_run``, only say what that does).

    Raises ``MergeRefused`` (with the report) when a conflict blocks it, and
    ``ValidationError`` for lokets that cannot be merged at all; then nothing changed.
    """
    merge_check(source=source, target=target)
    report = MergeReport(source=source.name, target=target.name, dry_run=dry_run)
    try:
        _merge(source=source, target=target, now=now or timezone.now(), by=by, report=report)
    finally:
        connection.set_schema_to_public()
    if dry_run:
        # Rolled back: the lokets are as they were.
        source.refresh_from_db()
        target.refresh_from_db()
    return report


def merged_schema_keep_days() -> int:
    """How long a merged loket's schema is kept, read-only (``OPVANGLOKET_MERGED_SCHEMA_KEEP_DAYS``,
    90 days unless set)."""
    configured = getattr(settings, "OPVANGLOKET_MERGED_SCHEMA_KEEP_DAYS", None)
    if configured is None:
        configured = os.environ.get("OPVANGLOKET_MERGED_SCHEMA_KEEP_DAYS", "90")
    return int(configured)


def merged_schemas_due(*, now: datetime) -> list[LoketMerger]:
    """Mergers whose read-only period is over and whose schema is still there."""
    keep = timedelta(days=merged_schema_keep_days())
    return list(
        LoketMerger.objects.filter(schema_dropped_at__isnull=True, merged_at__lte=now - keep)
        .select_related("source")
        .order_by("merged_at")
    )


@transaction.atomic
def merged_schema_drop(*, merger: LoketMerger, now: datetime) -> None:
    """Drop the merged loket's schema and its row (what it held lives in the target now).

    Its reference prefix stays taken (``LoketMerger.source_reference_prefix``).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(merger.source_schema)} CASCADE"
        )
    source = merger.source
    merger.schema_dropped_at = now
    merger.source = None
    merger.save(update_fields=["schema_dropped_at", "source"])
    if source is not None:
        # Its job runs and its own catalogue rows (none after the merge) go with it.
        Loket.objects.filter(pk=source.pk).delete()


def source_rows_by_table(loket: Loket) -> dict[str, int]:
    """How many rows each table of the loket holds, named in the reader's language."""
    return {table_name(name): count for name, count in count_rows(loket).items()}
