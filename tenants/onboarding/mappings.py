"""Mapping files: another system's column names mapped to ours, one small TOML file each.

A file in ``tenants/onboarding/mappings/`` reads::

    label = "Waiting list from an Excel list"    # shown on the import page (English)
    label_nl = "Wachtlijst uit een Excel-lijst"  # and in each language of the UI
    label_fr = "Liste d'attente d'une liste Excel"
    kind = "requests"                            # locations, requests or free_places
    [columns]
    "Voornaam kind" = "child_first_name"         # their header = our column name
    "Dossier intern" = ""                        # their column, not imported

Column names of ours are the English names of ``docs/operations.md``. The label is data,
not a msgid (makemessages does not read these files), so each file carries it in every
language of the UI; a language without one shows the English ``label``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


@dataclass(frozen=True)
class Mapping:
    slug: str
    labels: dict[str, str]  # language code → label; "en" is the file's ``label``
    kind: str
    columns: dict[str, str]

    @property
    def label(self) -> str:
        """The label in the active language (English when the file has none in it)."""
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return self.labels.get(language) or self.labels["en"]


@cache
def all_mappings() -> dict[str, Mapping]:
    found = {}
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found[path.stem] = Mapping(
            slug=path.stem,
            labels={
                "en": str(data["label"]),
                **{
                    code: str(data[f"label_{code}"])
                    for code, _name in settings.LANGUAGES
                    if f"label_{code}" in data
                },
            },
            kind=str(data["kind"]),
            columns={str(theirs): str(ours) for theirs, ours in data["columns"].items()},
        )
    return found


def mappings_for(kind: str | None = None) -> list[Mapping]:
    return [mapping for mapping in all_mappings().values() if kind in (None, mapping.kind)]


def mapping_named(slug: str) -> Mapping | None:
    return all_mappings().get(slug) if slug else None
