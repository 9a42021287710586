"""Loading municipalities and postcodes from files shaped like the Statbel and bpost lists."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from opvangloket.text import fold
from shared.geography.models import Municipality, Postcode

DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class GeographyImportReport:
    municipalities: int = 0
    postcodes: int = 0
    postcodes_without_municipality: int = 0


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def geography_import(
    *,
    municipalities_csv: Path,
    postcodes_csv: Path | None = None,
    localities_csv: Path | None = None,
) -> GeographyImportReport:
    """Create or update municipalities and postcodes; running it twice changes nothing.

    A postcode's municipality is found, in this order: the locality the postal list
    writes in capitals for that postcode (the municipality itself), the municipality
    whose main postcode it is, a municipality of the same name, and last the
    municipality of the nearest place already placed (sub-municipalities).
    """
    report = GeographyImportReport()
    by_name: dict[str, Municipality] = {}
    by_main_postcode: dict[str, Municipality] = {}
    for row in _read_csv(municipalities_csv):
        municipality, _ = Municipality.objects.update_or_create(
            nis_code=row["NIS_code"].strip(),
            defaults={
                "name_nl": row["municipality_NL"].strip(),
                "name_fr": row["municipality_FR"].strip(),
                "province_nl": row.get("province_NL", "").strip(),
                "province_fr": row.get("province_FR", "").strip(),
                "region_nl": row.get("region_NL", "").strip(),
                "main_postcode": row.get("zip", "").strip(),
            },
        )
        report.municipalities += 1
        by_name.setdefault(fold(municipality.name_nl), municipality)
        by_name.setdefault(fold(municipality.name_fr), municipality)
        if municipality.main_postcode:
            by_main_postcode.setdefault(municipality.main_postcode, municipality)
    for municipality in Municipality.objects.all():
        by_name.setdefault(fold(municipality.name_nl), municipality)
        by_name.setdefault(fold(municipality.name_fr), municipality)

    if postcodes_csv is None:
        return report

    capital_locality: dict[str, Municipality] = {}
    if localities_csv is not None:
        for row in _read_csv(localities_csv):
            locality = row["locality"].strip()
            if locality and locality == locality.upper() and fold(locality) in by_name:
                capital_locality.setdefault(row["postcode"].strip(), by_name[fold(locality)])

    placed: list[tuple[float, float, Municipality]] = []
    unplaced: list[Postcode] = []
    for row in _read_csv(postcodes_csv):
        code, place = row["postcode"].strip(), row["place"].strip()
        latitude = Decimal(row["lat"]).quantize(Decimal("0.000001")) if row.get("lat") else None
        longitude = Decimal(row["lon"]).quantize(Decimal("0.000001")) if row.get("lon") else None
        municipality = (
            capital_locality.get(code) or by_main_postcode.get(code) or by_name.get(fold(place))
        )
        postcode, _ = Postcode.objects.update_or_create(
            code=code,
            place=place,
            defaults={"latitude": latitude, "longitude": longitude, "municipality": municipality},
        )
        report.postcodes += 1
        if municipality is None:
            unplaced.append(postcode)
        elif latitude is not None and longitude is not None:
            placed.append((float(latitude), float(longitude), municipality))

    for postcode in unplaced:
        if postcode.latitude is None or not placed:
            report.postcodes_without_municipality += 1
            continue
        postcode.municipality = _nearest(
            placed, float(postcode.latitude), float(postcode.longitude)
        )
        postcode.save(update_fields=["municipality"])
    return report


def _nearest(
    placed: list[tuple[float, float, Municipality]], latitude: float, longitude: float
) -> Municipality:
    def distance(entry: tuple[float, float, Municipality]) -> float:
        return distance_km(latitude, longitude, entry[0], entry[1])

    return min(placed, key=distance)[2]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def geography_import_demo() -> GeographyImportReport:
    """The few municipalities and postcodes of the demo region, carried by the project."""
    return geography_import(
        municipalities_csv=DEMO_DATA_DIR / "demo-municipalities.csv",
        postcodes_csv=DEMO_DATA_DIR / "demo-postcodes.csv",
        localities_csv=DEMO_DATA_DIR / "demo-postcodes-localities.csv",
    )
