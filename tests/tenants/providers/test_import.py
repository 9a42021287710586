"""Importing locations from CSV: all rows or none, and a report per row (row, field, message)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueLocation
from tenants.providers.imports import COLUMNS, example_csv, locations_import
from tenants.providers.models import Location, Organizer
from tests.support.providers import make_location, make_organizer

pytestmark = pytest.mark.django_db

HEADER = (
    "organisator;ondernemingsnummer;naam;soort;dossiernummer;straat;postcode;plaats;nis_code;"
    "capaciteit;leeftijd;openingsdagen;uren;tarief;dagprijs;talen;inclusief;telefoon;e-mail;"
    "gepubliceerd"
)
GOOD_ROWS = [
    "Vzw Zonnekind;0411.905.847;De Zonnebloem;groepsopvang;KDV-1;Dorpsstraat 1;3020;Herent;"
    "24038;18;0-36;ma,di,wo,do,vr;07:00-18:30;inkomenstarief;;nl,fr;ja;016 11 11 11;"
    "info@zonnebloem.test;ja",
    "Vzw Zonnekind;0411905847;De Regenboog;kinderdagverblijf;KDV-2;Kerkstraat 2;3020;Winksele;"
    "24038;28;0-36;1-5;7:30-18:00;vrije prijs;32,50;nl;nee;;;ja",
    "Els Peeters;;Onthaalouder Els;onthaalouder;;Veldweg 7;3020;Veltem-Beisem;24038;4;0-36;"
    "ma,di,do;;inkomenstarief;;nl;;;;nee",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def run(loket, text: str, **options):
    with tenant_context(loket):
        return locations_import(text=text, **options)


def problems(report) -> set[tuple[int, str]]:
    return {(problem.row, problem.field) for problem in report.problems}


def counts(loket) -> tuple[int, int, int]:
    with tenant_context(loket):
        return (
            Organizer.objects.count(),
            Location.objects.count(),
            CatalogueLocation.objects.filter(loket=loket).count(),
        )


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


def test_a_correct_file_is_imported_with_its_organizers(alpha):
    report = run(alpha, csv_text(*GOOD_ROWS))
    assert report.problems == []
    assert (report.rows, report.locations_created, report.organizers_created) == (3, 3, 2)
    with tenant_context(alpha):
        first = Location.objects.get(name="De Zonnebloem")
        second = Location.objects.get(name="De Regenboog")
        els = Location.objects.get(name="Onthaalouder Els")
        assert first.organizer == second.organizer  # the same company number, written twice
        assert Organizer.objects.filter(name="Vzw Zonnekind").count() == 1
    assert (first.kind, first.opening_days, first.languages, first.is_inclusive) == (
        "group",
        [1, 2, 3, 4, 5],
        ["nl", "fr"],
        True,
    )
    assert (str(first.opens_at), str(first.closes_at)) == ("07:00:00", "18:30:00")
    assert (second.tariff, str(second.daily_price), str(second.opens_at)) == (
        "free_price",
        "32.50",
        "07:30:00",
    )
    assert (els.kind, els.opening_days, els.opens_at, els.is_published) == (
        "family",
        [1, 2, 4],
        None,
        False,
    )
    published = set(CatalogueLocation.objects.filter(loket=alpha).values_list("name", flat=True))
    assert published == {"De Zonnebloem", "De Regenboog"}


def test_one_wrong_row_imports_nothing_and_is_reported(alpha):
    before = counts(alpha)
    wrong = GOOD_ROWS[2].replace(";4;0-36;", ";vier;0-36;")
    report = run(alpha, csv_text(GOOD_ROWS[0], GOOD_ROWS[1], wrong))
    assert not report.is_valid
    assert problems(report) == {(4, "capaciteit")}
    assert report.problems[0].message
    assert report.locations_created == report.organizers_created == 0
    assert counts(alpha) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("groepsopvang", "zwembad"), {"soort"}),
        (("ma,di,wo,do,vr", "ma,xx"), {"openingsdagen"}),
        (("ma,di,wo,do,vr", "vr-ma"), {"openingsdagen"}),
        (("07:00-18:30", "7 tot 18"), {"uren"}),
        (("07:00-18:30", "18:30-07:00"), {"uren"}),
        (("07:00-18:30", "07:00-25:00"), {"uren"}),
        ((";0-36;", ";36-0;"), {"leeftijd"}),
        ((";0-36;", ";baby;"), {"leeftijd"}),
        (("inkomenstarief;;", "vrije prijs;;"), {"dagprijs"}),
        (("inkomenstarief", "gratis"), {"tarief"}),
        (("24038", "24107"), {"nis_code"}),  # Tienen: beta's, not alpha's
        (("24038", "99999"), {"nis_code"}),
        ((";3020;Herent;", ";3300;Herent;"), {"postcode"}),
        ((";3020;Herent;", ";30200;Herent;"), {"postcode"}),
        (("0411.905.847", "0411.905.848"), {"ondernemingsnummer"}),
        (("Vzw Zonnekind;", ";"), {"organisator"}),
        (("De Zonnebloem", ""), {"naam"}),
        (("nl,fr", "nl,xx"), {"talen"}),
        (("ja;016", "misschien;016"), {"inclusief"}),
        (("info@zonnebloem.test", "info@"), {"e-mail"}),
        ((";18;", ";0;"), {"capaciteit"}),
        (("Dorpsstraat 1", ""), {"straat"}),
    ],
)
def test_each_problem_is_reported_under_its_column_and_nothing_is_imported(alpha, change, expected):
    old, new = change
    row = GOOD_ROWS[0].replace(old, new, 1)
    assert row != GOOD_ROWS[0]
    before = counts(alpha)
    report = run(alpha, csv_text(GOOD_ROWS[1], row))
    assert problems(report) == {(3, column) for column in expected}, report.problems
    assert counts(alpha) == before


def test_problems_of_several_rows_are_all_reported(alpha):
    rows = [
        GOOD_ROWS[0].replace("groepsopvang", "zwembad"),
        GOOD_ROWS[1],
        GOOD_ROWS[2].replace("ma,di,do", "ma,zz").replace(";4;", ";-4;"),
    ]
    report = run(alpha, csv_text(*rows))
    assert problems(report) == {(2, "soort"), (4, "openingsdagen"), (4, "capaciteit")}
    assert [problem.row for problem in report.problems] == sorted(
        problem.row for problem in report.problems
    )


def test_duplicates_in_the_file_and_in_the_loket_are_refused(alpha):
    make_location(alpha, dossier_number="KDV-2")
    twice = GOOD_ROWS[2].replace("Veltem-Beisem", "Herent")
    report = run(alpha, csv_text(GOOD_ROWS[0], GOOD_ROWS[0], GOOD_ROWS[1], twice, twice))
    assert problems(report) == {(3, "dossiernummer"), (4, "dossiernummer"), (6, "naam")}
    assert {p.message for p in report.problems if p.row == 3} != {
        p.message for p in report.problems if p.row == 4
    }


def test_existing_organizers_are_reused(alpha):
    existing = make_organizer(alpha, name="Vzw Zonnekind", company_number="0411905847")
    also = make_organizer(alpha, name="Els Peeters")
    report = run(alpha, csv_text(*GOOD_ROWS))
    assert report.is_valid
    assert report.organizers_created == 0
    with tenant_context(alpha):
        assert Location.objects.get(name="De Zonnebloem").organizer == existing
        assert Location.objects.get(name="Onthaalouder Els").organizer == also


def test_english_headers_commas_and_windows_encoding_are_read(alpha):
    header = ",".join(column.name for column in COLUMNS)
    row = (
        'Crèche Ã‰lan,,Crèche Élan,group,,"Rue 1",3020,Herent,24038,12,0-36,"1,2,3",'
        '08:00-17:00,free_price,"31,00",fr,no,,,yes'
    )
    data = f"{header}\r\n{row}\r\n".encode("cp1252", errors="ignore")
    with tenant_context(alpha):
        report = locations_import(csv_file=io.BytesIO(data))
    assert report.problems == [], report.problems
    with tenant_context(alpha):
        location = Location.objects.get(name="Crèche Élan")
    assert (location.opening_days, str(location.daily_price)) == ([1, 2, 3], "31.00")


def test_a_missing_column_is_reported_once_in_the_header(alpha):
    header = HEADER.replace("nis_code;", "")
    rows = [row.replace(";24038;", ";") for row in GOOD_ROWS]
    report = run(alpha, csv_text(*rows, header=header))
    assert problems(report) == {(1, "nis_code")}


def test_unknown_and_repeated_columns_are_reported(alpha):
    header = HEADER + ";opmerking;naam"
    rows = [row + ";iets;" for row in GOOD_ROWS]
    report = run(alpha, csv_text(*rows, header=header))
    assert (1, "opmerking") in problems(report)
    assert (1, "naam") in problems(report)
    assert counts(alpha)[1] == 0


@pytest.mark.parametrize("text", ["", "\n\n", HEADER + "\n", HEADER + "\n;;;\n"])
def test_an_empty_file_is_reported(alpha, text):
    report = run(alpha, text)
    assert not report.is_valid
    assert report.rows == 0


def test_a_dry_run_checks_everything_and_saves_nothing(alpha):
    before = counts(alpha)
    report = run(alpha, csv_text(*GOOD_ROWS), dry_run=True)
    assert report.is_valid
    assert (report.locations_created, report.organizers_created) == (3, 2)
    assert not report.imported
    assert counts(alpha) == before


def test_the_example_file_imports_in_every_loket(world):
    for slug in ("alpha", "beta", "gamma"):
        loket = world.lokets[slug]
        report = run(loket, example_csv(loket=loket))
        assert report.problems == [], (slug, report.problems)
        assert report.locations_created == 2


def test_an_import_runs_only_in_the_lokets_own_schema(world):
    with (
        tenant_context(world.lokets["alpha"]),
        pytest.raises(RuntimeError),
    ):
        locations_import(text=csv_text(*GOOD_ROWS), loket=world.lokets["beta"])


# --- The page -------------------------------------------------------------------------


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("locaties.csv", text.encode(), content_type="text/csv")


def test_the_import_page_imports_and_goes_to_the_locations(client_for, alpha):
    client = client_for("alpha", user="staff_alpha")
    response = client.post("/beheer/opvang/import/", {"file": upload(csv_text(*GOOD_ROWS))})
    assert response.status_code == 302
    assert response["Location"] == "/beheer/opvang/"
    page = client.get("/beheer/opvang/").content.decode()
    assert "De Zonnebloem" in page


def test_the_import_page_shows_the_report_and_imports_nothing(client_for, alpha):
    client = client_for("alpha", user="staff_alpha")
    wrong = GOOD_ROWS[1].replace("vrije prijs;32,50", "vrije prijs;")
    response = client.post(
        "/beheer/opvang/import/", {"file": upload(csv_text(GOOD_ROWS[0], wrong))}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>3</td><td>dagprijs</td>" in html
    assert counts(alpha)[1] == 0


def test_the_import_page_can_only_check(client_for, alpha):
    client = client_for("alpha", user="staff_alpha")
    response = client.post(
        "/beheer/opvang/import/", {"file": upload(csv_text(*GOOD_ROWS)), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert response.context["report"].is_valid
    assert counts(alpha)[1] == 0


def test_the_example_file_can_be_downloaded(client_for, alpha):
    response = client_for("alpha", user="staff_alpha").get("/beheer/opvang/import/voorbeeld.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER + ";extern_id"
    assert ";24038;" in text


def test_a_workbook_with_external_ids_is_imported_once_and_a_second_run_changes_nothing(alpha):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER.split(";"), "extern_id"])
    for number, row in enumerate(GOOD_ROWS, start=1):
        sheet.append([*next(csv.reader([row], delimiter=";")), f"OUD-{number}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = counts(alpha)
    with tenant_context(alpha):
        first = locations_import(csv_file=io.BytesIO(buffer.getvalue()))
        assert (first.problems, first.locations_created) == ([], 3)
        second = locations_import(csv_file=io.BytesIO(buffer.getvalue()))
    assert (second.problems, second.locations_created, second.unchanged) == ([], 0, 3)
    added = tuple(now - then for now, then in zip(counts(alpha), before, strict=True))
    assert added == (2, 3, 2)  # the third is not published


def test_a_cell_longer_than_any_csv_field_is_reported_not_a_server_error(alpha):
    # Python's csv module stops at 131,072 characters in one field.
    row = GOOD_ROWS[0].replace("De Zonnebloem", '"' + "Z" * 140_000 + '"')
    report = run(alpha, csv_text(row, GOOD_ROWS[1]))
    assert not report.is_valid
    assert (2, "") in problems(report)
    assert "131072" in report.problems[0].message.replace(".", "").replace(" ", "")
    assert counts(alpha)[1] == 0


@pytest.mark.parametrize("column", range(len(HEADER.split(";"))))
def test_a_nul_character_in_any_cell_is_reported(alpha, column):
    cells = GOOD_ROWS[0].split(";")
    cells[column] = cells[column][:2] + "\x00" + cells[column][2:]
    report = run(alpha, csv_text(";".join(cells)))
    assert not report.is_valid
    assert problems(report) == {(2, "")}
    assert counts(alpha)[1] == 0


def planner_rows(schema: str, table: str) -> float:
    """What the planner believes a table holds (-1: never analysed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            [schema, table],
        )
        return cursor.fetchone()[0]


def test_an_import_leaves_the_planner_knowing_the_rows_it_wrote(alpha):
    # A fresh loket's tables were never analysed; after the import the planner counts
    # exactly what is there (catalogue searches then plan for the real numbers).
    report = run(alpha, csv_text(*GOOD_ROWS))
    assert report.imported
    organizers, locations, _ = counts(alpha)
    assert planner_rows(alpha.schema_name, "providers_location") == locations
    assert planner_rows(alpha.schema_name, "providers_organizer") == organizers
    assert planner_rows("public", "catalogue_cataloguelocation") == (
        CatalogueLocation.objects.count()
    )
