"""Loket staff find a child in the registry before a desk registration: page and API."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.requests.child_search import REGISTRY_SEARCH
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import part_set_status
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

PAGE = "/beheer/kind-zoeken/"
API = "/api/v1/registry/children/"


def valid_national_number(prefix: str = "250315123") -> str:
    """A national register number of a child born from 2000 on, with its check digits."""
    return prefix + f"{97 - int('2' + prefix) % 97:02d}"


NUMBER = valid_national_number()


@pytest.fixture
def wout(world):
    """Wout Claes, registered once for a location in alpha and one in beta; beta withdrawn.

    Also a Wout Claes born on another day (another child), in alpha.
    """
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    birth_date = timezone.localdate() - timedelta(days=200)
    entries = submit(
        make_location(alpha, name="Bengeltjes Alpha"),
        make_location(beta, name="Zonnestraal Beta"),
        parent=world.users["parent"],
        child_first_name="Wout",
        child_last_name="Claes",
        child_birth_date=birth_date,
        national_number=NUMBER,
    )
    beta_entry = next(entry for entry in entries if entry.loket_id == beta.pk)
    with tenant_context(beta):
        part_set_status(
            ChildcareRequest.objects.get(pk=beta_entry.request_id),
            status="withdrawn",
            now=timezone.now(),
        )
    namesake = submit(
        make_location(alpha, name="Speelvogel Alpha"),
        parent=world.users["other_parent"],
        child_first_name="Wout",
        child_last_name="Claes",
        child_birth_date=birth_date - timedelta(days=30),
    )
    alpha_entry = next(entry for entry in entries if entry.loket_id == alpha.pk)
    return {
        "birth_date": birth_date,
        "alpha": alpha_entry,
        "beta": RegistryEntry.objects.get(pk=beta_entry.pk),
        "child_id": str(alpha_entry.child.public_id),
        "namesake": namesake[0],
    }


@pytest.fixture
def staff(client_for):
    client = client_for("alpha", user="staff_alpha")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def by_name(wout, **overrides) -> dict:
    return {
        "first_name": "wout",  # capitals do not matter
        "last_name": "CLAES",
        "birth_date": wout["birth_date"].isoformat(),
        **overrides,
    }


def searches_in(loket) -> list[AuditEvent]:
    with tenant_context(loket):
        return list(AuditEvent.objects.filter(object_type=REGISTRY_SEARCH).order_by("at", "id"))


# --- The page --------------------------------------------------------------------------


def test_staff_find_the_child_by_name_with_every_loket_but_only_their_own_references(staff, wout):
    response = staff.post(PAGE, by_name(wout))
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 child found" in page
    assert page.count("New request for this child") == 1  # the namesake is another child
    assert f'href="/beheer/aanvragen/{wout["alpha"].reference}/"' in page
    assert "Loket Beta" in page and "Withdrawn" in page
    assert wout["beta"].reference not in page
    assert wout["namesake"].reference not in page
    assert f'href="/beheer/aanvraag/nieuw/?kind={wout["child_id"]}"' in page
    assert 'href="/beheer/aanvraag/nieuw/"' in page  # "Register a new child"
    # Nothing of the request's content, nor of the family.
    assert "Bengeltjes" not in page and "Zonnestraal" not in page and "Sara" not in page


def test_staff_find_the_child_by_national_number_alone(staff, wout):
    page = staff.post(PAGE, {"national_number": f"{NUMBER[:2]}.{NUMBER[2:4]}.{NUMBER[4:]}"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 child found" in text and f"?kind={wout['child_id']}" in text


def test_a_child_the_registry_does_not_know_offers_only_a_new_registration(staff, wout):
    page = staff.post(PAGE, by_name(wout, first_name="Mila")).content.decode()
    assert "0 children found" in page and "New request for this child" not in page
    assert "Register a new child" in page


def test_an_unborn_child_cannot_be_searched_by_last_name_and_due_date(staff, wout, world):
    due = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = staff.post(PAGE, {"last_name": "Claes", "birth_date": due})
    page = response.content.decode()
    assert response.status_code == 400
    assert "An unborn child has no first name yet" in page
    assert "children found" not in page
    assert 'value="Claes"' in page and f'value="{due}"' in page  # what was typed is kept
    assert searches_in(world.lokets["alpha"]) == []  # nothing was searched


def test_bad_input_gets_a_message_per_field_and_keeps_what_was_typed(staff, wout):
    response = staff.post(PAGE, {"first_name": "Wout", "last_name": "", "birth_date": "31-31-2024"})
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_birth_date_error".*Enter a date', page, re.S)
    assert 'value="31-31-2024"' in page and 'value="Wout"' in page
    wrong = staff.post(PAGE, {"national_number": NUMBER[:-1] + "0"}).content.decode()
    assert "This national register number is not valid" in wrong
    empty = staff.post(PAGE, {}).content.decode()
    assert "or the national register number" in empty


def test_every_search_is_audited_without_what_was_searched(staff, wout, world):
    staff.post(PAGE, by_name(wout))
    staff.get(API, {"national_number": NUMBER, **by_name(wout, first_name="Mila")})
    events = searches_in(world.lokets["alpha"])
    assert [(event.action, event.details) for event in events] == [
        (AuditEvent.Action.VIEWED, {"children": 1}),
        (AuditEvent.Action.VIEWED, {"children": 1}),
    ]
    assert all(event.actor == world.users["staff_alpha"] for event in events)
    stored = " ".join(f"{event} {event.details} {event.reference}" for event in events).lower()
    assert "wout" not in stored and "claes" not in stored and NUMBER not in stored
    assert searches_in(world.lokets["beta"]) == []


def test_the_page_speaks_french(client_for, wout):
    client = client_for("alpha", user="staff_alpha")
    page = client.post(PAGE, by_name(wout), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chercher un enfant dans le registre" in page
    assert "Nouvelle demande pour cet enfant" in page
    refused = client.post(PAGE, {"last_name": "Claes"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Un enfant à naître n'a pas encore de prénom" in html.unescape(refused.content.decode())


def test_staff_home_and_the_desk_link_to_the_search(staff):
    assert f'href="{PAGE}"' in staff.get("/beheer/").content.decode()
    assert f'href="{PAGE}"' in staff.get("/beheer/aanvraag/nieuw/").content.decode()


# --- The API ---------------------------------------------------------------------------


def test_the_api_lists_the_child_with_references_only_of_this_loket(staff, wout, world):
    for query in (by_name(wout), {"national_number": NUMBER}):
        response = staff.get(API, query)
        assert response.status_code == 200
        assert response.json() == [
            {
                "child_id": wout["child_id"],
                "requests": [
                    {
                        "loket": "Loket Alpha",
                        "status": "open",
                        "registered_on": timezone.localdate().isoformat(),
                        "reference": wout["alpha"].reference,
                    },
                    {
                        "loket": "Loket Beta",
                        "status": "withdrawn",
                        "registered_on": timezone.localdate().isoformat(),
                        "reference": None,
                    },
                ],
            }
        ]


def test_the_api_answers_bad_input_per_field(staff, wout):
    unborn = staff.get(API, {"last_name": "Claes", "birth_date": "2026-09-01"})
    assert unborn.status_code == 400
    assert "An unborn child has no first name yet" in unborn.json()["first_name"][0]
    date = staff.get(API, {"first_name": "Wout", "last_name": "Claes", "birth_date": "morgen"})
    assert date.status_code == 400 and list(date.json()) == ["birth_date"]
    number = staff.get(API, {"national_number": "123"})
    assert number.json() == {"national_number": ["A national register number has 11 digits."]}


# --- Who may search --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "user", "page_status", "api_status"),
    [
        ("alpha", "provider_alpha", 403, 403),
        ("alpha", "parent", 403, 403),
        ("alpha", "auditor", 403, 403),
        ("audit", "auditor", 403, 403),
        ("alpha", "staff_beta", 403, 403),
        ("alpha", None, 302, 403),  # the login page first
    ],
)
def test_only_this_lokets_staff_may_search(
    client_for, wout, world, host, user, page_status, api_status
):
    client = client_for(host, user=user)
    assert client.post(PAGE, by_name(wout)).status_code == page_status
    assert client.get(PAGE).status_code == page_status
    answer = client.get(API, by_name(wout))
    assert answer.status_code in ({api_status, 401} if user is None else {api_status})
    assert wout["alpha"].reference not in answer.content.decode()
    assert searches_in(world.lokets["alpha"]) == []


def test_a_portal_has_no_child_search(client_for, world, wout):
    client = client_for(world.region.domain, user="staff_alpha")
    assert client.get(PAGE).status_code == 404
    assert client.get(API, by_name(wout)).status_code == 404
