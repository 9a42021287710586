"""Loket staff answer a desk family's access and erasure requests, for their own loket only."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry, RequestStatus
from tenants.audit.models import AuditEvent
from tenants.requests.models import ChildcareRequest, RequestNote
from tenants.requests.notes import request_note_add
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(world):
    """Two desk registrations of one family (same e-mail) at alpha; another family's too."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Bengeltjes")
    staff = world.users["staff_alpha"]
    first = submit(location, registered_by=staff, contact_email="fam@example.be")[0]
    second = submit(
        location,
        registered_by=staff,
        contact_email="fam@example.be",
        child_first_name="Noor",
    )[0]
    stranger = submit(
        location,
        registered_by=staff,
        contact_email="ander@example.be",
        child_first_name="Mats",
        child_last_name="Janssens",
    )[0]
    account = submit(location, parent=world.users["parent"], child_first_name="Jules")[0]
    with tenant_context(alpha):
        request_note_add(
            request=ChildcareRequest.objects.get(pk=first.request_id),
            author=staff,
            text="Papa werkt in ploegen.",
        )
    return {"first": first, "second": second, "stranger": stranger, "account": account}


def url(entry, tail: str) -> str:
    return f"/beheer/aanvragen/{entry.reference}/{tail}"


def test_the_request_page_offers_download_and_erasure(client_for, desk):
    page = client_for("alpha", "staff_alpha").get(url(desk["first"], "")).content.decode()
    assert url(desk["first"], "gegevens.pdf") in page
    assert url(desk["first"], "gegevens-wissen/") in page


def test_staff_download_the_family_s_requests_and_nothing_else(client_for, world, desk):
    client = client_for("alpha", "staff_alpha")
    response = client.get(url(desk["first"], "gegevens.json"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert sorted(item["child"]["first_name"] for item in data["requests"]) == ["Lotte", "Noor"]
    assert data["requests"][0]["notes"][0]["text"] == "Papa werkt in ploegen."
    text = json.dumps(data)
    for absent in ("Mats", "ander@example.be", "Jules", "name_key", "family_key"):
        assert absent not in text
    pdf = client.get(url(desk["first"], "gegevens.pdf"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(
            reference=desk["second"].reference, details__event="data_exported"
        ).exists()


def test_a_request_with_an_account_is_left_to_the_parent(client_for, world, desk):
    client = client_for("alpha", "staff_alpha")
    response = client.get(url(desk["account"], "gegevens.json"))
    assert response.status_code == 302
    erase = client.post(url(desk["account"], "gegevens-wissen/"), {"confirm": "on"})
    assert erase.status_code == 302
    with tenant_context(world.lokets["alpha"]):
        assert ChildcareRequest.objects.get(pk=desk["account"].request_id).anonymised_at is None


@pytest.mark.parametrize(
    ("host", "user", "expected"),
    [
        ("beta", "staff_beta", 404),  # another loket does not have that reference
        ("alpha", "staff_beta", 403),
        ("alpha", "provider_alpha", 403),
        ("alpha", "parent", 403),
    ],
)
def test_others_cannot_download_or_erase(client_for, world, desk, host, user, expected):
    client = client_for(host, user)
    assert client.get(url(desk["first"], "gegevens.json")).status_code == expected
    assert client.get(url(desk["first"], "gegevens.pdf")).status_code == expected
    posted = client.post(url(desk["first"], "gegevens-wissen/"), {"confirm": "on"})
    assert posted.status_code == expected
    with tenant_context(world.lokets["alpha"]):
        assert ChildcareRequest.objects.get(pk=desk["first"].request_id).anonymised_at is None


def test_staff_erase_the_family_after_confirming(client_for, world, desk):
    alpha = world.lokets["alpha"]
    client = client_for("alpha", "staff_alpha")
    confirm = client.get(url(desk["first"], "gegevens-wissen/"))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert desk["second"].reference in page and desk["stranger"].reference not in page
    assert client.post(url(desk["first"], "gegevens-wissen/"), {}).status_code == 200
    with tenant_context(alpha):
        assert ChildcareRequest.objects.get(pk=desk["first"].request_id).anonymised_at is None

    done = client.post(url(desk["first"], "gegevens-wissen/"), {"confirm": "on"})

    assert done.status_code == 302
    with tenant_context(alpha):
        for key in ("first", "second"):
            request = ChildcareRequest.objects.get(pk=desk[key].request_id)
            assert request.status == RequestStatus.WITHDRAWN
            assert request.anonymised_at is not None
            assert (request.child_first_name, request.contact_email) == ("", "")
            assert RegistryEntry.objects.get(pk=desk[key].pk).status == RequestStatus.WITHDRAWN
        assert set(RequestNote.objects.values_list("text", flat=True)) == {""}
        stranger = ChildcareRequest.objects.get(pk=desk["stranger"].request_id)
        assert (stranger.child_first_name, stranger.anonymised_at) == ("Mats", None)
        recorded = AuditEvent.objects.filter(details__event="anonymised")
        assert {(event.reference, event.actor_id, event.details["why"]) for event in recorded} == {
            (desk["first"].reference, world.users["staff_alpha"].pk, "erasure_at_desk"),
            (desk["second"].reference, world.users["staff_alpha"].pk, "erasure_at_desk"),
        }
    # The request page says so, and still opens.
    page = client.get(url(desk["first"], "")).content.decode()
    assert "were removed on" in page or "verwijderd op" in page
