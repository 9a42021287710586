"""A parent's own data: download everything (JSON, PDF) and erase the account, pages and API."""

from __future__ import annotations

import json
import re
from datetime import datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from opvangloket.crypto import encrypt_text
from shared.portal.models import RequestDraft
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.allocation.models import Offer
from tenants.allocation.services import offer_make
from tenants.requests.models import ChildcareRequest, RequestChoice
from tests.support.providers import make_location
from tests.support.requests import some_day, submit

pytestmark = pytest.mark.django_db

HOSTS = ["alpha", "testregio.localhost"]


@pytest.fixture
def families(world):
    """The parent's request at alpha and beta; another family's at alpha."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    bengeltjes = make_location(alpha, name="Bengeltjes")
    zonnestraal = make_location(beta, name="Zonnestraal")
    own = submit(
        bengeltjes,
        zonnestraal,
        parent=world.users["parent"],
        remarks="Lotte slaapt slecht.",
    )
    other = submit(
        bengeltjes,
        parent=world.users["other_parent"],
        child_first_name="Mats",
        child_last_name="Janssens",
        guardians=[{"name": "Ine Claes", "email": "ine@example.be", "phone": "0499 00 00 00"}],
        contact_email="ine@example.be",
    )
    return {"own": own, "other": other, "bengeltjes": bengeltjes}


def parent_json(client) -> dict:
    response = client.get("/mijn-aanvragen/mijn-gegevens/download.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


@pytest.mark.parametrize("host", HOSTS)
def test_the_parent_downloads_every_request_of_theirs_at_every_loket(
    client_for, world, families, host
):
    client = client_for(host, "parent")
    page = client.get("/mijn-aanvragen/")
    assert 'href="/mijn-aanvragen/mijn-gegevens/"' in page.content.decode()
    assert client.get("/mijn-aanvragen/mijn-gegevens/").status_code == 200

    data = parent_json(client)
    assert data["account"]["email"] == "parent@test.test"
    assert sorted(item["loket"]["name"] for item in data["requests"]) == [
        "Loket Alpha",
        "Loket Beta",
    ]
    first = data["requests"][0]
    assert first["child"]["first_name"] == "Lotte"
    assert first["need"]["remarks"] == "Lotte slaapt slecht."
    assert first["family"]["guardians"][0]["email"] == "sara@example.be"
    assert first["history"][0]["what"]
    text = json.dumps(data)
    # Minimal: no other family, no registry internals, no staff notes.
    for absent in ("Mats", "Janssens", "ine@example.be", "name_key", "family_key", "child_id"):
        assert absent not in text
    entry = RegistryEntry.objects.get(pk=families["own"][0].pk)
    for internal in (entry.name_key, str(entry.child.public_id)):
        assert internal not in text

    api = client.get("/api/v1/my/data/")
    assert api.status_code == 200
    assert api.json()["requests"] == data["requests"]


def test_the_pdf_is_a_readable_document_of_the_same_data(client_for, families):
    client = client_for("alpha", "parent")
    for path in ("/mijn-aanvragen/mijn-gegevens/download.pdf", "/api/v1/my/data/pdf/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        assert len(response.content) > 2000


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_reads_as_the_family_s_data_in_their_language(client_for, families):
    client = client_for("alpha", "parent")
    text = pdf_text(client.get("/mijn-aanvragen/mijn-gegevens/download.pdf").content)
    for present in ("Je gegevens", "Loket Alpha", "Loket Beta", "Lotte", "Vermeulen"):
        assert present in text
    assert "Lotte slaapt slecht." in text
    for absent in ("Mats", "Janssens", "ine@example.be"):
        assert absent not in text
    french = client.get(
        "/api/v1/my/data/pdf/", HTTP_ACCEPT_LANGUAGE="fr", HTTP_ACCEPT="application/pdf"
    )
    assert french.status_code == 200
    assert "Vos données" in pdf_text(french.content)


def test_strangers_and_anonymous_visitors_get_nothing(client_for, families):
    anonymous = client_for("alpha")
    for path in (
        "/mijn-aanvragen/mijn-gegevens/download.json",
        "/mijn-aanvragen/mijn-gegevens/account-wissen/",
    ):
        assert anonymous.get(path).status_code in (302, 403)
    assert anonymous.get("/api/v1/my/data/").status_code in (401, 403)
    assert anonymous.post("/api/v1/my/account/erase/", {"confirm": True}).status_code in (
        401,
        403,
    )
    # The other parent sees only their own request.
    data = parent_json(client_for("alpha", "other_parent"))
    assert [item["child"]["first_name"] for item in data["requests"]] == ["Mats"]
    assert "Lotte" not in json.dumps(data)


def test_an_unknown_format_is_not_found(client_for, families):
    client = client_for("alpha", "parent")
    assert client.get("/mijn-aanvragen/mijn-gegevens/download.xml").status_code == 404


def read(loket, entry) -> ChildcareRequest:
    with tenant_context(loket):
        return ChildcareRequest.objects.get(pk=entry.request_id)


def test_erasing_asks_first_then_withdraws_anonymises_and_closes_the_account(
    client_for, world, families
):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    parent = world.users["parent"]
    RequestDraft.objects.create(owner=parent, encrypted_payload="x", step="child")
    with tenant_context(alpha):
        choice = RequestChoice.objects.get(request_id=families["own"][0].request_id)
        offer = offer_make(
            choice=choice,
            actor=world.users["staff_alpha"],
            start_date=some_day(60),
            care_plan=["mon_am", "mon_pm"],
            now=timezone.now(),
        )
    client = client_for("alpha", parent)
    year = timezone.localdate().year
    staff = client_for("alpha", "staff_alpha")
    figures_before = staff.get(f"/api/v1/figures/?year={year}").json()

    confirm = client.get("/mijn-aanvragen/mijn-gegevens/account-wissen/")
    assert confirm.status_code == 200
    assert "Lotte" in confirm.content.decode()
    refused = client.post("/mijn-aanvragen/mijn-gegevens/account-wissen/", {})
    assert refused.status_code == 200  # not confirmed: nothing happens
    assert read(alpha, families["own"][0]).status == RequestStatus.OPEN

    done = client.post("/mijn-aanvragen/mijn-gegevens/account-wissen/", {"confirm": "on"})

    assert done.status_code == 302
    for loket, entry in ((alpha, families["own"][0]), (beta, families["own"][1])):
        request = read(loket, entry)
        assert request.status == RequestStatus.WITHDRAWN
        assert request.anonymised_at is not None
        assert (request.child_first_name, request.remarks, request.guardians) == ("", "", [])
        registry = RegistryEntry.objects.get(pk=entry.pk)
        assert registry.status == RequestStatus.WITHDRAWN
        assert registry.parent_id is None
    with tenant_context(alpha):
        offer.refresh_from_db()
        assert offer.status == Offer.Status.WITHDRAWN
    account = get_user_model().objects.get(pk=parent.pk)
    assert not account.is_active
    assert not account.has_usable_password()
    assert account.email.endswith("@erased.invalid")
    assert not RequestDraft.objects.filter(owner=parent).exists()
    # Logged out; and the other family is untouched.
    assert client.get("/mijn-aanvragen/").status_code in (302, 403)
    assert read(alpha, families["other"][0]).child_first_name == "Mats"
    # The figures count the same requests: the withdrawal is counted, nothing else moves.
    after = staff.get(f"/api/v1/figures/?year={year}").json()
    assert after["totals"]["unique_requests"] == figures_before["totals"]["unique_requests"]
    assert after["totals"]["withdrawn"] == figures_before["totals"]["withdrawn"] + 1


def test_erasing_by_the_api_needs_confirm_true(client_for, world, families):
    client = client_for("testregio.localhost", "parent")
    refused = client.post(
        "/api/v1/my/account/erase/",
        data=json.dumps({"confirm": False}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "confirm" in refused.json()
    assert read(world.lokets["alpha"], families["own"][0]).anonymised_at is None

    done = client.post(
        "/api/v1/my/account/erase/",
        data=json.dumps({"confirm": True}),
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json() == {"withdrawn": 2, "anonymised": 2}
    assert read(world.lokets["alpha"], families["own"][0]).anonymised_at is not None
    assert read(world.lokets["alpha"], families["other"][0]).anonymised_at is None


def test_an_account_with_a_staff_role_is_not_erased_here(client_for, world, families):
    client = client_for("alpha", "staff_alpha")
    page = client.get("/mijn-aanvragen/mijn-gegevens/account-wissen/")
    assert page.status_code == 200
    refused = client.post(
        "/api/v1/my/account/erase/",
        data=json.dumps({"confirm": True}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert get_user_model().objects.get(pk=world.users["staff_alpha"].pk).is_active


def test_the_openapi_document_describes_the_own_data_operations(client_for):
    document = client_for("alpha").get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    paths = json.loads(document.content)["paths"] if document.status_code == 200 else {}
    if not paths:
        pytest.fail(f"no OpenAPI document: {document.status_code}")
    for path in ("/api/v1/my/data/", "/api/v1/my/data/pdf/", "/api/v1/my/account/erase/"):
        assert path in paths, path


def test_the_pdf_shows_brussels_times_in_the_reader_s_format_and_the_json_stays_iso(
    client_for, world, families
):
    parent = world.users["parent"]
    parent.preferred_language = "nl"
    parent.save(update_fields=["preferred_language"])
    RequestDraft.objects.create(
        owner=parent, encrypted_payload=encrypt_text(json.dumps({"mode": "parent"})), step="child"
    )
    client = client_for("alpha", parent)
    data = parent_json(client)
    registered = data["requests"][0]["registered_at"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00", registered)  # JSON: ISO, UTC
    assert len(data["drafts"]) == 1

    text = pdf_text(client.get("/mijn-aanvragen/mijn-gegevens/download.pdf").content)
    with translation.override("nl"):
        local = formats.date_format(
            timezone.localtime(datetime.fromisoformat(registered)), "DATETIME_FORMAT"
        )
    assert local in text  # "4 november 2026, 20:59": Brussels time, Belgian Dutch
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    assert "Nederlands" in text and not re.search(r"Taal\s+nl\b", text)
    # The empty draft is not listed as an unfinished request.
    assert "Onafgewerkte aanvragen" not in text and "Bewaard op" not in text

    french = pdf_text(
        client.get("/mijn-aanvragen/mijn-gegevens/download.pdf", HTTP_ACCEPT_LANGUAGE="fr").content
    )
    with translation.override("fr"):
        local_fr = formats.date_format(
            timezone.localtime(datetime.fromisoformat(registered)), "DATETIME_FORMAT"
        )
    assert local_fr in french
