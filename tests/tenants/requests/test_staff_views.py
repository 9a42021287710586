"""Loket staff's request pages and API inside one loket: list, filters, detail, notes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.vocabulary import add_months
from tenants.requests.models import ChildcareRequest, RequestEvent, RequestNote
from tenants.requests.parts import part_set_status
from tenants.requests.selectors import linked_lokets, loket_requests
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

LIST = "/beheer/aanvragen/"


def valid_national_number(prefix: str = "250315123") -> str:
    """A national register number of a child born from 2000 on, with its check digits."""
    return prefix + f"{97 - int('2' + prefix) % 97:02d}"


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def staff(client_for):
    client = client_for("alpha", user="staff_alpha")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def locations(alpha):
    return make_location(alpha, name="Bengeltjes"), make_location(alpha, name="Speelvogel")


def register(*locations, child: str, **overrides) -> str:
    """Register a request for a child called ``child`` Peeters; its reference in the first loket."""
    return submit(*locations, child_first_name=child, child_last_name="Peeters", **overrides)[
        0
    ].reference


def references_on(response) -> list[str]:
    """References in the order the list shows them (each row links to its detail)."""
    return re.findall(r'href="/beheer/aanvragen/([A-Z]{3}-\d{4}-\d+)/"', response.content.decode())


# --- The list --------------------------------------------------------------------------


def test_the_list_shows_requests_in_the_order_of_registration(staff, locations):
    now = timezone.now()
    later = register(locations[0], child="Later", now=now - timedelta(hours=1))
    earlier = register(locations[1], child="Earlier", now=now - timedelta(hours=3))
    middle = register(locations[0], child="Middle", now=now - timedelta(hours=2))

    response = staff.get(LIST)

    assert response.status_code == 200
    assert references_on(response) == [earlier, middle, later]
    page = response.content.decode()
    assert "Bengeltjes" in page and "Speelvogel" in page
    assert "Earlier Peeters" in page


@pytest.fixture
def varied(alpha, locations, world):
    """Five requests, each differing from the others in one filterable way."""
    bengeltjes, speelvogel = locations
    month = add_months(timezone.localdate(), 2)
    later_month = add_months(timezone.localdate(), 4)
    refs = {
        "plain": register(bengeltjes, child="Plain", desired_start=month + timedelta(days=3)),
        "later": register(bengeltjes, child="Later", desired_start=later_month),
        "both": register(
            bengeltjes, speelvogel, child="Both", desired_start=month, priorities=["sibling"]
        ),
        "work": register(
            speelvogel,
            child="Work",
            desired_start=month + timedelta(days=10),
            priorities=["work_or_training"],
        ),
        "desk": register(
            speelvogel,
            child="Desk",
            desired_start=month,
            registered_by=world.users["staff_alpha"],
        ),
    }
    with tenant_context(alpha):
        part_set_status(
            ChildcareRequest.objects.get(reference=refs["plain"]),
            status="withdrawn",
            now=timezone.now(),
        )
    return refs, month, later_month


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"plain", "later", "both", "work", "desk"}),
        ({"status": "open"}, {"later", "both", "work", "desk"}),
        ({"status": "withdrawn"}, {"plain"}),
        ({"status": "placed"}, set()),
        ({"start_month": "month"}, {"plain", "both", "work", "desk"}),
        ({"start_month": "later_month"}, {"later"}),
        ({"location": "bengeltjes"}, {"plain", "later", "both"}),
        ({"location": "speelvogel"}, {"both", "work", "desk"}),
        ({"priority": "sibling"}, {"both"}),
        ({"priority": "work_or_training"}, {"work"}),
        ({"priority": "foster_child"}, set()),
        ({"priority": "any"}, {"both", "work"}),
        ({"priority": "none"}, {"plain", "later", "desk"}),
        ({"registered_by": "staff"}, {"desk"}),
        ({"registered_by": "parent"}, {"plain", "later", "both", "work"}),
        ({"status": "open", "location": "speelvogel", "priority": "any"}, {"both", "work"}),
    ],
)
def test_each_filter_returns_exactly_the_matching_requests(
    staff, varied, locations, query, expected
):
    refs, month, later_month = varied
    values = {
        "month": f"{month:%Y-%m}",
        "later_month": f"{later_month:%Y-%m}",
        "bengeltjes": str(locations[0].pk),
        "speelvogel": str(locations[1].pk),
    }
    params = {key: values.get(value, value) for key, value in query.items()}
    wanted = {refs[name] for name in expected}

    page = staff.get(LIST, params)
    assert page.status_code == 200
    assert set(references_on(page)) == wanted

    api = staff.get("/api/v1/requests/", params)
    assert api.status_code == 200
    assert {row["reference"] for row in api.json()["results"]} == wanted


@pytest.mark.parametrize(
    "query",
    [{"start_month": "september"}, {"status": "lost"}, {"location": "999999"}, {"priority": "x"}],
)
def test_an_invalid_filter_is_explained_not_ignored(staff, varied, query):
    page = staff.get(LIST, query)
    assert page.status_code == 200
    assert "Please correct the filters" in page.content.decode()
    assert references_on(page) == []
    api = staff.get("/api/v1/requests/", query)
    assert api.status_code == 400
    assert set(api.json()) == set(query)


def test_the_filter_form_has_a_label_for_every_field(staff, locations):
    page = staff.get(LIST).content.decode()
    for name in ("status", "start_month", "location", "priority", "registered_by"):
        assert f'<label for="id_{name}">' in page


def test_the_list_is_paginated(staff, locations):
    now = timezone.now()
    refs = [
        register(locations[0], child=f"Kind{number}", now=now - timedelta(minutes=60 - number))
        for number in range(27)
    ]
    first = staff.get(LIST)
    assert references_on(first) == refs[:25]
    assert "Page 1 of 2" in first.content.decode()
    second = staff.get(LIST, {"page": 2})
    assert references_on(second) == refs[25:]
    api = staff.get("/api/v1/requests/", {"page": 2}).json()
    assert api["count"] == 27
    assert [row["reference"] for row in api["results"]] == refs[25:]


def test_the_list_page_runs_the_same_queries_for_one_request_or_many(staff, locations, world):
    def queries_for_list() -> int:
        staff.get(LIST)  # warm up: session, content types
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(LIST)
        assert response.status_code == 200
        return len(queries)

    register(*locations, child="One")
    with_one = queries_for_list()
    for number in range(6):
        register(
            *locations,
            child=f"Many{number}",
            priorities=["sibling"],
            registered_by=world.users["staff_alpha"],
        )
    assert queries_for_list() == with_one
    api_counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            staff.get("/api/v1/requests/")
        api_counts.append(len(queries))
    register(*locations, child="More")
    with CaptureQueriesContext(connection) as queries:
        staff.get("/api/v1/requests/")
    assert len(queries) == api_counts[-1]


def test_the_selector_prefetches_choices_and_locations(alpha, locations):
    register(*locations, child="Prefetched")
    with tenant_context(alpha):
        requests = list(loket_requests())
        with CaptureQueriesContext(connection) as queries:
            names = [[c.location.name for c in r.choices.all()] for r in requests]
        assert names == [["Bengeltjes", "Speelvogel"]]
        assert len(queries) == 0


# --- The detail ------------------------------------------------------------------------


def test_the_detail_shows_the_whole_request_and_masks_the_national_number(staff, locations):
    number = valid_national_number()
    reference = register(
        *locations,
        child="Lotte",
        national_number=number,
        priorities=["work_or_training", "sibling"],
        care_plan=["mon_am", "mon_pm", "wed_am", "fri_pm"],
        remarks="Allergic to nuts.",
        contact_phone="0470 99 88 77",
    )

    response = staff.get(f"{LIST}{reference}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lotte Peeters" in page
    assert "Sara Peeters" in page and "sara@example.be" in page and "0470 99 88 77" in page
    assert "Kerkstraat 4" in page and "Herent" in page
    assert "Allergic to nuts." in page
    assert "work or follow training" in page and "brother or sister" in page
    assert page.index("Bengeltjes") < page.index("Speelvogel")
    assert "In review" in page
    assert "Request registered" in page  # history
    # The national register number: only its last two digits.
    assert f"••.••.••-•••.{number[-2:]}" in page
    assert number not in page
    assert number[:6] not in page
    # The care plan as a week: four half-days needed, six not.
    assert page.count('class="needed"') == 4
    assert re.search(r"<caption[^>]*>Care plan", page)


def test_the_detail_of_an_unknown_reference_is_404(staff):
    assert staff.get(f"{LIST}ALP-2000-99999/").status_code == 404
    assert staff.get("/api/v1/requests/ALP-2000-99999/").status_code == 404


def test_the_api_detail_holds_the_same_facts(staff, locations):
    number = valid_national_number()
    reference = register(*locations, child="Lotte", national_number=number)
    data = staff.get(f"/api/v1/requests/{reference}/").json()
    assert data["reference"] == reference
    assert data["national_number"] == f"••.••.••-•••.{number[-2:]}"
    assert number not in str(data)
    assert [choice["location"]["name"] for choice in data["choices"]] == [
        "Bengeltjes",
        "Speelvogel",
    ]
    assert data["guardians"][0]["name"] == "Sara Peeters"
    assert [event["kind"] for event in data["events"]] == ["submitted"]
    assert data["linked_lokets"] == []
    assert data["registered_by_staff"] is False


# --- Notes -----------------------------------------------------------------------------


def test_staff_add_a_note_which_shows_on_the_detail_and_in_the_history(
    staff, alpha, locations, world
):
    reference = register(locations[0], child="Noted")
    response = staff.post(f"{LIST}{reference}/notities/", {"text": "Called the mother back."})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{reference}/#notes"

    page = staff.get(f"{LIST}{reference}/").content.decode()
    assert "Called the mother back." in page
    assert "Note added" in page
    with tenant_context(alpha):
        note = RequestNote.objects.get(request__reference=reference)
        event = RequestEvent.objects.get(request__reference=reference, kind="note")
    assert note.author == world.users["staff_alpha"]
    assert event.actor == world.users["staff_alpha"]
    # The history says a note was added, never what it says.
    assert "Called" not in str(event.details)
    api = staff.get(f"/api/v1/requests/{reference}/").json()
    assert [note["text"] for note in api["notes"]] == ["Called the mother back."]


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_an_empty_or_too_long_note_is_refused(staff, alpha, locations, text):
    reference = register(locations[0], child="Noted")
    response = staff.post(f"{LIST}{reference}/notities/", {"text": text})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    with tenant_context(alpha):
        assert not RequestNote.objects.exists()
        assert not RequestEvent.objects.filter(kind="note").exists()


def test_a_refused_note_brings_you_to_the_notes_and_back_is_the_request_page(staff, locations):
    reference = register(locations[0], child="Noted")
    detail = f"{LIST}{reference}/"
    assert "data-answer-to-post" not in staff.get(detail).content.decode()

    html = staff.post(f"{detail}notities/", {"text": ""}).content.decode()

    # The forms post to their section's anchor: the answer opens at the error, not at the top.
    assert f'action="{detail}notities/#notes"' in html
    assert 'id="notes"' in html
    assert f'action="{detail}kind/#child"' in html
    assert '<details id="child"' in html
    # The answer's history entry becomes the request's page (its own address takes only
    # POST), so Back never asks to send the form again.
    assert f'<body data-answer-to-post="{detail}">' in html
    assert 'src="/static/opvangloket/post_answer.js"' in html


def test_a_note_is_added_by_post_only(staff, locations):
    reference = register(locations[0], child="Noted")
    assert staff.get(f"{LIST}{reference}/notities/").status_code == 405


# --- Links between lokets --------------------------------------------------------------


def test_linked_lokets_name_the_other_lokets_of_the_same_child(world, alpha, locations):
    beta = world.lokets["beta"]
    zonnestraal = make_location(beta, name="Zonnestraal")
    reference = register(locations[0], zonnestraal, child="Linked")
    register(locations[1], child="Someone Else")
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(reference=reference)
        links = linked_lokets(request=request)
    assert [(link.loket_name, link.status) for link in links] == [("Loket Beta", "open")]


def test_the_detail_page_runs_the_same_queries_however_long_its_history(staff, locations):
    reference = register(*locations, child="Busy")
    path = f"{LIST}{reference}/"

    def queries_for_detail() -> int:
        staff.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(path).status_code == 200
        return len(queries)

    staff.post(f"{path}notities/", {"text": "First."})
    with_one_note = queries_for_detail()
    for number in range(4):
        staff.post(f"{path}notities/", {"text": f"Note {number}."})
    assert queries_for_detail() == with_one_note


def test_the_staff_area_links_to_the_requests_for_loket_staff_only(client_for):
    staff_home = client_for("alpha", user="staff_alpha").get("/beheer/").content.decode()
    assert 'href="/beheer/aanvragen/"' in staff_home
    provider_home = client_for("alpha", user="provider_alpha").get("/beheer/").content.decode()
    assert 'href="/beheer/aanvragen/"' not in provider_home


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_start_month_past_any_calendar_is_explained(staff, varied, month):
    page = staff.get(LIST, {"start_month": month}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose a month from 2000-01 to 2099-12." in page.content.decode()
    api = staff.get("/api/v1/requests/", {"start_month": month})
    assert api.status_code == 400
    assert list(api.json()) == ["start_month"]
