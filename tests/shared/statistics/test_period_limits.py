"""The period of figures a request may ask for is bounded: a clear message, never a long run.

``/beheer/cijfers/export.csv?start=0500-01-01&end=2027-01-01&split=month`` once ran five
queries for each of 18,300 months until gunicorn killed the worker; a year 9999 answered
500. Pages answer with the figures form and its error (keeping what was typed), the API
with a 400 in the one error shape.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared.statistics.selectors import FIGURES_FROM, FIGURES_UNTIL, MAX_SPLIT_PERIODS

pytestmark = pytest.mark.django_db

LOKET_PAGES = ("/beheer/cijfers/overzicht/", "/beheer/cijfers/verantwoording/")
LOKET_DOWNLOADS = ("/beheer/cijfers/export.csv", "/beheer/cijfers/export.xlsx")
TOO_MUCH = {
    "the first millennium split per month": "start=0500-01-01&end=2027-01-01&split=month",
    "a year 9999": "year=9999",
    "ending in the year 9999": "start=2026-01-01&end=9999-12-31",
    "ending after the last day": "start=9998-01-01&end=9999-12-31&split=month",
    "more months than a split allows": "start=2000-01-01&end=2026-01-01&split=month",
    "an end before the start": "start=2026-06-01&end=2026-01-01",
    "a start without an end": "start=2026-06-01",
    "not a date": "start=geen-datum&end=2027-01-01",
}


@pytest.fixture
def staff(client_for):
    client = client_for("alpha", "staff_alpha")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nl"
    return client


@pytest.fixture
def coordinator(client_for, world):
    client = client_for(world.region.domain, "coordinator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nl"
    return client


def _timed(client, url: str):
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, time.monotonic() - started, len(queries)


@pytest.mark.parametrize("query", TOO_MUCH.values(), ids=TOO_MUCH.keys())
def test_pages_and_downloads_refuse_a_period_with_the_form_and_what_was_typed(staff, query):
    for path in LOKET_PAGES + LOKET_DOWNLOADS:
        response, seconds, queries = _timed(staff, f"{path}?{query}")
        assert response.status_code == 400, (path, response.status_code)
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert 'class="error"' in page or 'class="form-errors"' in page, path
        typed = query.split("&")[0].split("=")[1]
        assert f'value="{typed}"' in page, (path, "keeps what was typed")
        assert seconds < 2 and queries < 40, (path, seconds, queries)


def test_the_message_is_in_the_users_language(staff):
    query = "start=2000-01-01&end=2026-01-01&split=month"
    dutch = staff.get(f"/beheer/cijfers/export.csv?{query}").content.decode()
    assert f"hoogstens {MAX_SPLIT_PERIODS} maanden" in dutch
    french = staff.get(f"/beheer/cijfers/export.csv?{query}", HTTP_ACCEPT_LANGUAGE="fr")
    assert f"{MAX_SPLIT_PERIODS} mois" in french.content.decode()


def test_the_portal_download_and_figures_refuse_too_much_too(coordinator):
    for path in ("/cijfers/", "/cijfers/export.csv", "/cijfers/export.xlsx"):
        response, seconds, _queries = _timed(
            coordinator, f"{path}?start=0500-01-01&end=2027-01-01&split=month"
        )
        assert response.status_code == 400, path
        assert 'value="0500-01-01"' in response.content.decode()
        assert seconds < 2


@pytest.mark.parametrize("query", TOO_MUCH.values(), ids=TOO_MUCH.keys())
def test_the_api_answers_400_in_the_one_shape(staff, coordinator, query):
    for client, path in (
        (staff, "/api/v1/figures/"),
        (staff, "/api/v1/figures/reconciliation/"),
        (coordinator, "/api/v1/figures/"),
    ):
        response, seconds, _queries = _timed(client, f"{path}?{query}")
        assert response.status_code == 400, (path, response.content[:200])
        body = response.json()
        assert body and all(isinstance(messages, list) for messages in body.values()), body
        assert set(body) <= {"start", "end", "year", "split", "non_field_errors"}, body
        assert seconds < 2


def test_the_longest_allowed_split_is_answered_quickly(staff):
    last = FIGURES_UNTIL.replace(year=FIGURES_UNTIL.year - 1)
    start = last.replace(year=last.year - MAX_SPLIT_PERIODS // 12)
    response, seconds, _queries = _timed(
        staff, f"/beheer/cijfers/export.csv?start={start}&end={last}&split=month"
    )
    assert response.status_code == 200
    assert seconds < 10


def test_the_first_and_last_allowed_days_are_answered(staff):
    response = staff.get(f"/api/v1/figures/?start={FIGURES_FROM}&end={FIGURES_UNTIL}")
    assert response.status_code == 200
    assert response.json()["period"] == {
        "start": FIGURES_FROM.isoformat(),
        "end": FIGURES_UNTIL.isoformat(),
    }


def test_a_good_period_is_still_answered(staff):
    assert staff.get("/beheer/cijfers/overzicht/?year=2026").status_code == 200
    assert staff.get("/beheer/cijfers/export.csv?year=2026&split=month").status_code == 200
    assert staff.get("/beheer/cijfers/overzicht/").status_code == 200  # this year
