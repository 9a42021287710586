"""Copying a loket's rows into another loket's schema, with new ids (for mergers and moves).

Every table of the loket apps (``TENANT_APPS``) is copied in the order of its foreign
keys, and every key to another loket table is translated to the new row's id; keys to
public tables (accounts, municipalities, permissions) stay. Tables added later are
copied the same way without a change here. What is special is said once, in the hooks of
the caller (``shared.lokets.merging``, ``shared.lokets.working_area``): which rows go,
which organizer is already there, which request a child's request joins.

The connection's ``search_path`` moves between the two schemas inside the caller's
transaction, so the copy is all or nothing with everything else the caller writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django_tenants.utils import tenant_context

from shared.lokets.models import Loket

# Keys in a row's JSON ``details`` (history, audit trail) that name rows of the loket.
DETAIL_KEYS = {
    "location_id": "providers.location",
    "choice_id": "requests.requestchoice",
    "request_id": "requests.childcarerequest",
    "round_id": "allocation.allocationround",
    "offer_id": "allocation.offer",
}


# Loket apps whose rows never move: planning software's credentials belong to the host
# they were issued on (a merged loket's software is registered again on the target).
NOT_TRANSFERRED_APPS = frozenset({"oauth2_provider", "tenants.planning_clients"})


def tenant_models() -> list[type[models.Model]]:
    """Every model of the loket apps, each after the models its foreign keys point to."""
    shared = set(settings.SHARED_APPS) | NOT_TRANSFERRED_APPS
    found = [
        model
        for config in apps.get_app_configs()
        if config.name in settings.TENANT_APPS and config.name not in shared
        for model in config.get_models()
    ]
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    while len(ordered) < len(found):
        progressed = False
        for model in found:
            if model in placed:
                continue
            needs = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in found and f.related_model is not model
            }
            if needs <= placed:
                ordered.append(model)
                placed.add(model)
                progressed = True
        if not progressed:
            raise RuntimeError("loket tables refer to each other in a circle")
    # Rows naming another row by a generic key (guardian's object permissions: object_pk)
    # go last, once every row they may name has its new id.
    generic = [model for model in ordered if _has_generic_key(model)]
    return [model for model in ordered if model not in generic] + generic


def _has_generic_key(model: type[models.Model]) -> bool:
    return any(f.attname == "object_pk" for f in model._meta.concrete_fields)


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


@dataclass
class Transfer:
    """Rows of ``source``'s schema copied into ``target``'s; ``ids`` maps old to new ids.

    ``select``: per model label, a function from the source queryset to the rows that go
    (all rows of a table without one). ``match``: per label, a function ``(row) -> id``
    of a row already in the target that stands for it (then nothing is inserted), or None.
    ``adjust``: per label, a function changing a row before it is inserted (in the
    target's schema), returning False to leave it out.
    """

    source: Loket
    target: Loket
    select: dict[str, Callable[[models.QuerySet], models.QuerySet]] = field(default_factory=dict)
    match: dict[str, Callable[[models.Model], int | None]] = field(default_factory=dict)
    adjust: dict[str, Callable[[models.Model, int], bool]] = field(default_factory=dict)
    skip: set[str] = field(default_factory=set)
    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    inserted: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    _content_types: dict[int, int] = field(default_factory=dict)
    # The target's content type ids → "app_label.model" (never Django's cache: it is
    # kept per database, not per schema).
    _content_type_labels: dict[int, str] = field(default_factory=dict)

    def new_id(self, model_label: str, old: Any) -> Any:
        if old is None:
            return None
        return self.ids.get(model_label, {}).get(int(old))

    def run(self) -> None:
        self._map_content_types()
        for model in tenant_models():
            if label(model) in self.skip:
                continue
            self._copy(model)

    def _map_content_types(self) -> None:
        # Each loket schema has its own django_content_type table (object permissions).
        with tenant_context(self.source):
            source = {(ct.app_label, ct.model): ct.pk for ct in ContentType.objects.all()}
        with tenant_context(self.target):
            for key, old in source.items():
                new, _ = ContentType.objects.get_or_create(app_label=key[0], model=key[1])
                self._content_types[old] = new.pk
                self._content_type_labels[new.pk] = f"{key[0]}.{key[1]}"

    def _copy(self, model: type[models.Model]) -> None:
        model_label = label(model)
        with tenant_context(self.source):
            queryset = model._default_manager.all().order_by("pk")
            if model_label in self.select:
                queryset = self.select[model_label](queryset)
            rows = list(queryset)
        mapping = self.ids.setdefault(model_label, {})
        if not rows:
            return
        relations = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in tenant_models_set()
        ]
        content_type_fields = [
            f
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is ContentType
        ]
        # auto_now(_add) would stamp the copy with today: the original times are kept.
        stamped = [
            f
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        to_insert: list[tuple[int, models.Model, dict[str, Any]]] = []
        with tenant_context(self.target):
            for row in rows:
                old = row.pk
                missing = False
                for relation in relations:
                    value = getattr(row, relation.attname)
                    if value is None:
                        continue
                    new = self.new_id(label(relation.related_model), value)
                    if new is None:
                        missing = True
                        break
                    setattr(row, relation.attname, new)
                if missing:
                    # Its parent row stayed behind (a selection): it stays with it.
                    continue
                for relation in content_type_fields:
                    value = getattr(row, relation.attname)
                    setattr(row, relation.attname, self._content_types.get(value, value))
                if hasattr(row, "object_pk") and content_type_fields:
                    content_type = self._content_type_labels.get(
                        getattr(row, content_type_fields[0].attname), ""
                    )
                    new = self.new_id(content_type, row.object_pk)
                    if new is None:
                        continue
                    row.object_pk = str(new)
                details = getattr(row, "details", None)
                if isinstance(details, dict):
                    row.details = self.translated_details(details)
                if model_label in self.match:
                    existing = self.match[model_label](row)
                    if existing is not None:
                        mapping[old] = existing
                        self.matched[model_label] = self.matched.get(model_label, 0) + 1
                        continue
                row.pk = None
                row._state.adding = True
                # A hook may give the row its id (a request's id goes with its reference).
                if model_label in self.adjust and self.adjust[model_label](row, old) is False:
                    continue
                originals = {f.attname: getattr(row, f.attname) for f in stamped}
                to_insert.append((old, row, originals))
            if not to_insert:
                return
            made = model._default_manager.bulk_create([row for _old, row, _originals in to_insert])
            for (old, _row, _originals), new_row in zip(to_insert, made, strict=True):
                mapping[old] = new_row.pk
            if stamped:
                for _old, row, originals in to_insert:
                    for attname, value in originals.items():
                        setattr(row, attname, value)
                model._default_manager.bulk_update(
                    [row for _old, row, _originals in to_insert], [f.name for f in stamped]
                )
        self.inserted[model_label] = self.inserted.get(model_label, 0) + len(to_insert)

    def translated_details(self, details: dict) -> dict:
        translated = dict(details)
        for key, model_label in DETAIL_KEYS.items():
            value = translated.get(key)
            if isinstance(value, int):
                translated[key] = self.new_id(model_label, value) or value
        for key in ("location_ids", "choice_ids"):
            values = translated.get(key)
            if isinstance(values, list):
                model_label = DETAIL_KEYS[key[:-1]]
                translated[key] = [
                    self.new_id(model_label, value) or value if isinstance(value, int) else value
                    for value in values
                ]
        return translated


_TENANT_MODELS: set[type[models.Model]] = set()


def tenant_models_set() -> set[type[models.Model]]:
    if not _TENANT_MODELS:
        _TENANT_MODELS.update(tenant_models())
    return _TENANT_MODELS


def count_rows(loket: Loket, model_labels: Iterable[str] | None = None) -> dict[str, int]:
    """How many rows each loket table holds (for a report)."""
    with tenant_context(loket):
        return {
            label(model): model._default_manager.count()
            for model in tenant_models()
            if model_labels is None or label(model) in model_labels
        }
