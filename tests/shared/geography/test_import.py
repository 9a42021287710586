"""Importing municipalities and postcodes, and placing each postcode in its municipality."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from shared.geography.models import Municipality, Postcode
from shared.geography.services import geography_import_demo

pytestmark = pytest.mark.django_db

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"


def municipality_of(code: str, place: str) -> str:
    return Postcode.objects.get(code=code, place=place).municipality.name_nl


def test_demo_geography_places_sub_municipalities_in_their_municipality():
    assert Municipality.objects.get(nis_code="24062").name_fr == "Louvain"
    assert municipality_of("3000", "Leuven") == "Leuven"
    assert municipality_of("3001", "Heverlee") == "Leuven"  # main postcode of Leuven
    assert municipality_of("3010", "Kessel Lo") == "Leuven"  # nearest placed locality
    assert municipality_of("3020", "Veltem-Beisem") == "Herent"
    # The same place name exists under two postcodes of two municipalities.
    assert municipality_of("3470", "Sint-Margriete-Houtem") == "Kortenaken"
    assert municipality_of("3300", "Sint-Margriete-Houtem") == "Tienen"
    # "Tielt" under 3390 is Tielt-Winge, not Tielt in West Flanders.
    assert municipality_of("3390", "Tielt") == "Tielt-Winge"


def test_importing_twice_changes_nothing():
    before = (Municipality.objects.count(), Postcode.objects.count())
    geography_import_demo()
    assert (Municipality.objects.count(), Postcode.objects.count()) == before


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="reference data folder ../shared/data absent")
def test_import_command_loads_every_belgian_municipality_and_postcode(capsys):
    call_command(
        "import_geography",
        municipalities=SHARED_DATA / "municipalities-2020.csv",
        postcodes=SHARED_DATA / "postcodes.csv",
        localities=SHARED_DATA / "postcodes-localities.csv",
    )
    assert Municipality.objects.count() == 581
    assert Municipality.objects.filter(region_nl="Vlaams Gewest").count() == 300
    with (SHARED_DATA / "postcodes.csv").open(encoding="utf-8") as handle:
        pairs = {(row["postcode"], row["place"]) for row in csv.DictReader(handle)}
    assert Postcode.objects.count() == len(pairs) > 2700
    assert Postcode.objects.filter(municipality__isnull=True).count() == 0
    assert municipality_of("9000", "Gent") == "Gent"
    assert municipality_of("8700", "Tielt") == "Tielt"
    assert municipality_of("2018", "Antwerpen") == "Antwerpen"
    assert "581 municipalities" in capsys.readouterr().out


def test_import_command_refuses_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_geography", municipalities=tmp_path / "missing.csv")
