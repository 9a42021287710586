"""Drafts of the request wizard: saved at every step, encrypted, resumable by their owner only.

The public schema never holds a readable name or national register number: the payload
is JSON encrypted with ``opvangloket.crypto`` (Fernet). Its shape::

    {
      "mode": "parent" | "desk",
      "completed": ["child", "family", ...],          # steps saved at least once
      "child_id": Child.public_id,                     # desk only, optional: the registered
                                                      # child staff started from (?kind=)
      "child": {"first_name", "last_name", "birth_date" (ISO), "is_expected_birth",
                "national_number" (digits),
                "known_child": Child.public_id | "another" | "",   # which child registered
                                                      # before ("": none was asked)
                "multiple_birth", "expected_children" (2-4, or null)},
      "family": {"guardian_1_name", "guardian_1_email", "guardian_1_phone",
                 "guardian_2_name", "guardian_2_email", "guardian_2_phone",
                 "street", "postcode", "residence" (NIS code), "language"},
      "need": {"desired_start" (ISO), "care_plan" (DAY_PARTS), "is_flexible"},
      "choices": [catalogue location id, ...],          # ranked, first is most wanted
      "priority": {"priorities": [Priority values]},
      "remarks": {"remarks", "consent"},
    }

A draft belongs to one owner on one host (``loket`` is the loket of the host, or None on
a portal) and one mode: a parent's own request, or loket staff registering at the desk.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from opvangloket.crypto import decrypt_text, encrypt_text
from shared.accounts.models import User
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.selectors import CatalogueQuery, search_catalogue
from shared.geography.models import Municipality
from shared.lokets.models import Loket, Region
from shared.portal.models import RequestDraft
from tenants.requests.services import RequestData

PARENT = "parent"
DESK = "desk"
MODES = (PARENT, DESK)

# The wizard's steps in order; every step but the review saves a part of the payload.
STEPS = ("child", "family", "need", "choices", "priority", "remarks", "review")
FORM_STEPS = STEPS[:-1]

# "known_child" of the child step: none of the children registered before.
ANOTHER_CHILD = "another"


@dataclass
class Draft:
    record: RequestDraft
    payload: dict[str, Any]

    @property
    def id(self) -> int:
        return self.record.pk

    @property
    def mode(self) -> str:
        return self.payload.get("mode", PARENT)

    @property
    def updated_at(self) -> datetime:
        return self.record.updated_at

    @property
    def completed(self) -> list[str]:
        return list(self.payload.get("completed", []))

    def section(self, step: str) -> Any:
        return self.payload.get(step)

    @property
    def choice_ids(self) -> list[int]:
        return [int(pk) for pk in self.payload.get("choices", [])]

    @property
    def first_open_step(self) -> str:
        """The first step not saved yet; the review when every step is."""
        done = set(self.completed)
        return next((step for step in FORM_STEPS if step not in done), "review")

    @property
    def resume_step(self) -> str:
        """Where to carry on: the step saved in the draft, unless an earlier one is open."""
        stored = self.record.step if self.record.step in STEPS else STEPS[0]
        first_open = self.first_open_step
        return min(stored, first_open, key=STEPS.index)

    def is_reachable(self, step: str) -> bool:
        """A step can be opened once every step before it has been saved."""
        return STEPS.index(step) <= STEPS.index(self.first_open_step)

    @property
    def linked_child_id(self) -> str:
        """The registered child the desk started from (``?kind=``); "" for none."""
        return self.payload.get("child_id", "")

    @property
    def child_name(self) -> str:
        child = self.section("child") or {}
        return f"{child.get('first_name', '')} {child.get('last_name', '')}".strip()


def _encrypt(payload: dict[str, Any]) -> str:
    return encrypt_text(json.dumps(payload, separators=(",", ":")))


def _decrypt(record: RequestDraft) -> Draft:
    return Draft(record=record, payload=json.loads(decrypt_text(record.encrypted_payload)))


def draft_create(
    *,
    owner: User,
    loket: Loket | None,
    mode: str,
    child_id: uuid.UUID | None = None,
    first_choice: CatalogueLocation | None = None,
) -> Draft:
    """A new draft; at the desk ``child_id`` links it to a registered child from the start.

    ``first_choice``: the location the parent asked a place at ("Vraag hier een plaats
    aan" on its page), already chosen when the wizard reaches the locations.
    """
    if mode not in MODES:
        raise ValueError(f"unknown wizard mode {mode!r}")
    payload: dict[str, Any] = {"mode": mode, "completed": []}
    if child_id is not None and mode == DESK:
        payload["child_id"] = str(child_id)
    if first_choice is not None:
        payload["choices"] = [first_choice.pk]
    record = RequestDraft.objects.create(
        owner=owner, loket=loket, encrypted_payload=_encrypt(payload), step=STEPS[0]
    )
    return Draft(record=record, payload=payload)


def draft_get(
    *, draft_id: int, owner: User, loket: Loket | None, mode: str, for_update: bool = False
) -> Draft:
    """The owner's draft on this host and in this mode; ``RequestDraft.DoesNotExist`` if none.

    Someone else's draft, or a draft of another host or mode, does not exist for the caller.
    """
    records = RequestDraft.objects.filter(pk=draft_id, owner=owner, loket=loket)
    if for_update:
        records = records.select_for_update()
    draft = _decrypt(records.get())
    if draft.mode != mode:
        raise RequestDraft.DoesNotExist
    return draft


def drafts_of_owner(*, owner: User, loket: Loket | None, mode: str) -> list[Draft]:
    """The owner's open drafts on this host and in this mode, most recently saved first."""
    records = RequestDraft.objects.filter(owner=owner, loket=loket).order_by("-updated_at")
    return [draft for draft in map(_decrypt, records) if draft.mode == mode]


@transaction.atomic
def draft_save_step(*, draft: Draft, step: str, values: Any, next_step: str) -> Draft:
    """Save one step's values (JSON-ready) and mark the step as done."""
    if step not in FORM_STEPS or next_step not in STEPS:
        raise ValueError(f"unknown step {step!r} or {next_step!r}")
    payload = {**draft.payload, step: values}
    if step not in payload.get("completed", []):
        payload["completed"] = [*payload.get("completed", []), step]
    draft.record.encrypted_payload = _encrypt(payload)
    draft.record.step = next_step
    draft.record.save(update_fields=["encrypted_payload", "step", "updated_at"])
    draft.payload = payload
    return draft


def draft_set_choices(*, draft: Draft, location_ids: list[int]) -> Draft:
    """Save the ranked choices without marking the step done (the parent is still choosing)."""
    payload = {**draft.payload, "choices": list(dict.fromkeys(int(pk) for pk in location_ids))}
    draft.record.encrypted_payload = _encrypt(payload)
    draft.record.step = "choices"
    draft.record.save(update_fields=["encrypted_payload", "step", "updated_at"])
    draft.payload = payload
    return draft


def draft_delete(*, draft: Draft) -> None:
    draft.record.delete()


def draft_choices(
    *, draft: Draft, region: Region | None, loket: Loket | None
) -> list[CatalogueLocation]:
    """The chosen catalogue locations still visible from this host, in the parent's order.

    A location that left the catalogue (unpublished, closed) simply drops out.
    """
    return choices_visible(ids=draft.choice_ids, region=region, loket=loket)


def choices_visible(
    *, ids: list[int], region: Region | None, loket: Loket | None
) -> list[CatalogueLocation]:
    """The catalogue locations ``ids`` that may be chosen from this host, in that order.

    The host's region only (``search_catalogue``); any other id simply drops out.
    """
    if not ids:
        return []
    found = {
        location.pk: location
        for location in search_catalogue(query=CatalogueQuery(), region=region, loket=loket).filter(
            pk__in=ids
        )
    }
    return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class ChildChoice:
    """Which child the request is for, as ``request_submit`` takes it."""

    child_id: uuid.UUID | None = None  # one of the children registered before
    another_child: bool = False  # none of them
    expected_children: int = 1  # unborn multiples: one request per child


def draft_child_choice(*, draft: Draft) -> ChildChoice:
    """What the child step says about which child it is (and how many are expected)."""
    child = draft.section("child") or {}
    known = child.get("known_child") or ""
    multiple = child.get("multiple_birth") and child.get("is_expected_birth")
    return ChildChoice(
        child_id=uuid.UUID(known) if known and known != ANOTHER_CHILD else None,
        another_child=known == ANOTHER_CHILD,
        expected_children=int(child.get("expected_children") or 1) if multiple else 1,
    )


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def draft_request_data(*, draft: Draft, choices: list[CatalogueLocation]) -> RequestData:
    """The draft as ``RequestData``; every form step must have been saved and be valid."""
    child, family, need = draft.section("child"), draft.section("family"), draft.section("need")
    priority, remarks = draft.section("priority") or {}, draft.section("remarks") or {}
    guardians = [
        {
            "name": family[f"guardian_{number}_name"],
            "email": family.get(f"guardian_{number}_email", ""),
            "phone": family.get(f"guardian_{number}_phone", ""),
        }
        for number in (1, 2)
        if family.get(f"guardian_{number}_name")
    ]
    return RequestData(
        child_first_name=child.get("first_name", ""),
        child_last_name=child["last_name"],
        child_birth_date=_date(child["birth_date"]),
        is_expected_birth=bool(child.get("is_expected_birth")),
        national_number=child.get("national_number", ""),
        street=family["street"],
        postcode=family["postcode"],
        residence=Municipality.objects.get(nis_code=family["residence"]),
        guardians=guardians,
        # The first parent or guardian is the contact person.
        contact_email=family.get("guardian_1_email") or family.get("guardian_2_email") or "",
        contact_phone=family.get("guardian_1_phone") or family.get("guardian_2_phone") or "",
        language=family.get("language") or "nl",
        desired_start=_date(need["desired_start"]),
        care_plan=list(need.get("care_plan", [])),
        is_flexible=bool(need.get("is_flexible")),
        choices=choices,
        priorities=list(priority.get("priorities", [])),
        remarks=remarks.get("remarks", ""),
        consent=bool(remarks.get("consent")),
    )
