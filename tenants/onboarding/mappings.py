"""Mapping files: another system's column names mapped to ours, one small TOML file each.

A file in ``tenants/onboarding/mappings/`` reads::

    label = "Wachtlijst uit een Excel-lijst"     # shown on the import page
    kind = "requests"                            # locations, requests or free_places
    [columns]
    "Voornaam kind" = "child_first_name"         # their header = our column name
    "Dossier intern" = ""                        # their column, not imported

Column names of ours are the English names of ``docs/operations.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


@dataclass(frozen=True)
class Mapping:
    slug: str
    label: str
    kind: str
    columns: dict[str, str]


@cache
def all_mappings() -> dict[str, Mapping]:
    found = {}
    for path in sorted(MAPPINGS_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found[path.stem] = Mapping(
            slug=path.stem,
            label=str(data["label"]),
            kind=str(data["kind"]),
            columns={str(theirs): str(ours) for theirs, ours in data["columns"].items()},
        )
    return found


def mappings_for(kind: str | None = None) -> list[Mapping]:
    return [mapping for mapping in all_mappings().values() if kind in (None, mapping.kind)]


def mapping_named(slug: str) -> Mapping | None:
    return all_mappings().get(slug) if slug else None
