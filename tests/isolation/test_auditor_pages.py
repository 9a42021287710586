"""Auditors' pages: every loket's requests, read through the read-only alias, never a name.

The auditor alias is a connection of its own: it sees only committed rows. So this
module commits one request in alpha for its tests (and removes it afterwards), instead
of writing inside each test's transaction.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.accounts.models import User
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.providers.models import Location
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])

CHILD_FIRST, CHILD_LAST = "Zebedeus", "Vandenbroucke"
NATIONAL_NUMBER = "25031512345"[:9] + f"{97 - int('2250315123') % 97:02d}"
CONTACT = "zebedeus.ouders@example.be"
PARENT, STAFF = "parent@test.test", "staff_alpha@test.test"


@pytest.fixture(scope="module")
def committed_request(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        alpha = Loket.objects.get(slug="alpha")
        location = make_location(alpha, name="Kinderdagverblijf Zonnebloem")
        entry = submit(
            location,
            child_first_name=CHILD_FIRST,
            child_last_name=CHILD_LAST,
            national_number=NATIONAL_NUMBER,
            contact_email=CONTACT,
            guardians=[{"name": "Griet Vandenbroucke", "email": CONTACT, "phone": "0470 99 88 77"}],
        )[0]
        with tenant_context(alpha):
            for actor in (None, *User.objects.filter(email__in=[PARENT, STAFF])):
                AuditEvent.objects.create(
                    actor=actor,
                    action="viewed",
                    object_type="request",
                    reference=entry.reference,
                    at=entry.registered_at,
                )
        connection.set_schema_to_public()
    yield entry.reference
    with django_db_blocker.unblock():
        with tenant_context(alpha):
            AuditEvent.objects.filter(reference=entry.reference).delete()
            ChildcareRequest.objects.filter(pk=entry.request_id).delete()
            location_delete(location=Location.objects.get(pk=location.pk))
        RegistryEntry.objects.filter(pk=entry.pk).delete()
        connection.set_schema_to_public()


@pytest.fixture
def auditor(client_for):
    client = client_for("audit", user="auditor")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def main_of(response) -> str:
    page = response.content.decode()
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_auditors_see_every_loket_but_their_own_tenant(auditor):
    page = main_of(auditor.get("/controle/"))
    assert all(name in page for name in ("Loket Alpha", "Loket Beta", "Loket Gamma"))
    assert "/controle/audit/" not in page


def test_a_lokets_requests_are_read_through_the_auditor_alias(auditor, committed_request):
    with CaptureQueriesContext(connections[AUDITOR_ALIAS]) as reads:
        response = auditor.get("/controle/alpha/aanvragen/")
    assert response.status_code == 200
    page = main_of(response)
    assert committed_request in page
    assert "Kinderdagverblijf Zonnebloem" in page
    assert "In review" in page or "in review" in page
    assert any("requests_childcarerequest" in query["sql"] for query in reads.captured_queries)
    assert not any("child_first_name" in query["sql"] for query in reads.captured_queries)


def test_no_auditor_page_shows_a_name_a_national_number_or_contact_data(auditor, committed_request):
    pages = ["/controle/", "/controle/alpha/aanvragen/", "/controle/alpha/audit/"]
    pages.append(f"/controle/alpha/audit/?reference={committed_request}")
    for path in pages:
        response = auditor.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for secret in (CHILD_FIRST, CHILD_LAST, NATIONAL_NUMBER, CONTACT, "0470 99 88 77"):
            assert secret not in page, (path, secret)
        assert not re.search(r"<form[^>]*method=\"post\"", main_of(response), re.I), path


def test_auditors_see_a_lokets_audit_trail(auditor, committed_request):
    page = main_of(auditor.get("/controle/alpha/audit/", {"reference": committed_request}))
    assert committed_request in page


def test_requests_of_one_loket_stay_out_of_another(auditor, committed_request):
    assert committed_request not in auditor.get("/controle/beta/aanvragen/").content.decode()


@pytest.mark.parametrize("path", ["/controle/audit/aanvragen/", "/controle/nowhere/aanvragen/"])
def test_unknown_lokets_and_the_auditor_tenant_itself_are_not_found(auditor, path):
    assert auditor.get(path).status_code == 404


@pytest.mark.parametrize("user", ["staff_alpha", "parent", "coordinator", "operator"])
def test_only_auditors_open_the_auditor_pages(client_for, user, committed_request):
    response = client_for("audit", user=user).get("/controle/alpha/aanvragen/")
    assert response.status_code == 403
    assert committed_request not in response.content.decode()


def test_the_auditor_pages_exist_only_on_the_auditor_host(client_for, world):
    from shared.accounts.services import membership_grant

    membership_grant(user=world.users["auditor"], role="auditor", loket=world.lokets["alpha"])
    assert client_for("alpha", user="auditor").get("/controle/").status_code == 404


def test_the_auditor_home_links_to_the_auditor_pages(auditor, client_for):
    assert 'href="/controle/"' in auditor.get("/").content.decode()
    assert 'href="/controle/"' not in client_for("audit").get("/").content.decode()


def test_the_trail_shows_auditors_a_parent_as_a_pseudonym_and_staff_by_e_mail(
    auditor, committed_request
):
    page = main_of(auditor.get("/controle/alpha/audit/", {"reference": committed_request}))
    assert PARENT not in page
    assert STAFF in page
    pseudonyms = re.findall(r"Parent ([0-9a-f]{8})", page)
    assert len(pseudonyms) == 1
    # The same parent has the same pseudonym on every visit, so events can be followed.
    again = main_of(auditor.get("/controle/alpha/audit/", {"reference": committed_request}))
    assert re.findall(r"Parent ([0-9a-f]{8})", again) == pseudonyms


def test_auditors_cannot_find_a_parents_events_by_e_mail(auditor, committed_request):
    by_parent = main_of(auditor.get("/controle/alpha/audit/", {"actor": PARENT}))
    assert committed_request not in by_parent
    by_staff = main_of(auditor.get("/controle/alpha/audit/", {"actor": STAFF}))
    assert committed_request in by_staff


@pytest.mark.parametrize(
    ("path", "object_type"),
    [("/controle/alpha/aanvragen/", "request_list"), ("/controle/alpha/audit/", "audit_trail")],
)
def test_what_an_auditor_looked_at_is_in_the_lokets_audit_trail(auditor, world, path, object_type):
    assert auditor.get(path).status_code == 200
    with tenant_context(world.lokets["alpha"]):
        events = list(AuditEvent.objects.filter(object_type=object_type))
    assert [(event.actor_id, event.action) for event in events] == [
        (world.users["auditor"].pk, "viewed")
    ]
    with tenant_context(world.lokets["beta"]):
        assert not AuditEvent.objects.filter(object_type=object_type).exists()


def test_loket_staff_see_that_an_auditor_looked(auditor, client_for):
    auditor.get("/controle/alpha/aanvragen/")
    staff = client_for("alpha", user="staff_alpha")
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = main_of(staff.get("/beheer/audit/", {"actor": "auditor@test.test"}))
    assert "auditor@test.test" in page
    assert "requests of the loket" in page
