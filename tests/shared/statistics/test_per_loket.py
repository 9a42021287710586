"""A region's figures per loket: each child once per loket and once in the region's total,
the same numbers on the page, in the API and in the downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shared.statistics.selectors import (
    figures_compute,
    figures_per_loket,
    period_of_year,
    scope_for_loket,
    scope_for_region,
)
from tests.support.allocation import register
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
FIELDS = ("unique_requests", "unique_without_offer", "waiting", "requests")


@pytest.fixture
def children(world):
    """Anna in alpha and beta (one request for both), Bert in alpha, Cas in gamma."""
    places = {slug: make_location(world.lokets[slug]) for slug in ("alpha", "beta", "gamma")}
    today = timezone.localdate()
    register(places["alpha"], name="Anna", also=(places["beta"],))
    register(places["alpha"], name="Bert", child_birth_date=today - timedelta(days=200))
    register(places["gamma"], name="Cas", child_birth_date=today - timedelta(days=300))
    return places


def year() -> int:
    return timezone.localdate().year


def test_a_child_in_two_lokets_counts_once_in_each_and_once_in_the_region(world, children):
    period = period_of_year(year())
    rows = {row["slug"]: row for row in figures_per_loket(region=world.region, period=period)}
    assert {slug: row["unique_requests"] for slug, row in rows.items()} == {
        "alpha": 2,
        "beta": 1,
        "gamma": 1,
    }
    region = figures_compute(scope=scope_for_region(region=world.region), period=period)
    assert region["totals"]["unique_requests"] == 3  # Anna once
    # Each row is the loket's own figures.
    for slug in ("alpha", "beta", "gamma"):
        own = figures_compute(scope=scope_for_loket(loket=world.lokets[slug]), period=period)
        for field in (*FIELDS, "placements", "priority", "lapsed", "withdrawn"):
            assert rows[slug][field] == own["totals"][field], (slug, field)
        assert rows[slug]["licensed_places"] == own["totals"]["licensed_places"] == 18


def page_rows(page: str) -> dict[str, list[int]]:
    found = {}
    for key, cells in re.findall(
        r'<tr id="per-loket-(\w+)"><th scope="row">[^<]*</th>(.*?)</tr>', page
    ):
        found[key] = [int(value) for value in re.findall(r"<td>(\d+)</td>", cells)]
    return found


def test_page_api_and_downloads_give_the_same_breakdown(client_for, world, children):
    client = client_for(PORTAL, user="coordinator")
    query = f"year={year()}"
    page = client.get(f"/cijfers/?{query}").content.decode()
    assert "één keer in het totaal van de regio" in page
    shown = page_rows(page)
    # Loket, unique requests, without offer, waiting, placements, requests, places, free.
    assert shown["alpha"][:5] == [2, 2, 2, 0, 2]
    assert shown["beta"][0] == shown["gamma"][0] == 1
    assert shown["total"][0] == 3  # Anna once
    assert shown["total"][4] == 4  # four loket requests

    api = client.get(f"/api/v1/figures/?{query}").json()
    assert api["totals"]["unique_requests"] == 3
    by_slug = {row["slug"]: row for row in api["lokets"]}
    for slug in ("alpha", "beta", "gamma"):
        assert [by_slug[slug][field] for field in (*FIELDS[:3], "placements", "requests")] == (
            shown[slug][:5]
        )

    response = client.get(f"/cijfers/export.csv?{query}&table=lokets", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="cijfers-per-loket-testregio-{year()}0101-{year()}1231.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["period", "loket", "unique requests"]
    csv_rows = {row[1]: [int(value) for value in row[2:]] for row in rows[1:]}
    assert csv_rows["Loket Alpha"][0] == by_slug["alpha"]["unique_requests"] == 2
    assert csv_rows["Loket Beta"][0] == 1
    assert csv_rows["Testregio: total, each child once"][0] == 3
    assert len(rows) == 1 + 3 + 1

    workbook = load_workbook(io.BytesIO(client.get(f"/cijfers/export.xlsx?{query}").content))
    sheet = workbook.worksheets[-1]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row[2] for row in values[1:]] == [2, 1, 1, 3]


def test_a_lokets_own_figures_have_no_breakdown(client_for, world, children):
    client = client_for("alpha", user="staff_alpha")
    assert client.get(f"/beheer/cijfers/export.csv?year={year()}&table=lokets").status_code == 404
    assert client.get(f"/api/v1/figures/?year={year()}").json()["lokets"] == []
    assert (
        'id="per-loket"'
        not in client.get(f"/beheer/cijfers/overzicht/?year={year()}").content.decode()
    )
