"""A loket's staff download all of its data in the documented format; nobody else may."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from shared.lokets.export import export_format, loket_export_read
from tenants.audit.models import AuditEvent
from tests.support.allocation import register
from tests.support.providers import make_location

DOCS = Path(__file__).resolve().parents[3] / "docs" / "export-format.md"


def test_loket_staff_download_every_record_of_their_loket_and_it_is_audited(world, client_for):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Export Eén")
    register(location, name="Mila", national_number="", parent=world.users["parent"])
    response = client_for("alpha", "staff_alpha").post("/beheer/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    files = loket_export_read(b"".join(response.streaming_content))
    manifest = files["manifest.json"][0]
    assert manifest["format_version"] == 1 and manifest["loket"]["slug"] == "alpha"
    assert [loc["name"] for loc in files["providers_location.jsonl"]] == ["Export Eén"]
    (request,) = files["requests_childcarerequest.jsonl"]
    assert request["child_first_name"] == "Mila" and "national_number" in request
    assert "national_number_encrypted" not in request
    (entry,) = files["registry_entries.jsonl"]
    assert entry["reference"] == request["reference"] and "name_key" not in entry
    with tenant_context(alpha):
        event = AuditEvent.objects.get(object_type=AuditEvent.ObjectType.LOKET_DATA)
    assert event.actor == world.users["staff_alpha"] and event.details["channel"] == "page"


def test_the_api_answers_the_same_zip(world, client_for):
    response = client_for("beta", "staff_beta").get("/api/v1/loket/export/")
    assert response.status_code == 200
    files = loket_export_read(b"".join(response.streaming_content))
    assert files["loket.json"][0]["slug"] == "beta"


@pytest.mark.parametrize(
    ("host", "user"),
    [
        ("alpha", "provider_alpha"),
        ("alpha", "staff_beta"),
        ("alpha", "auditor"),
        ("alpha", "parent"),
        ("audit", "auditor"),
    ],
)
def test_nobody_but_the_loket_own_staff_gets_its_data(world, client_for, host, user):
    client = client_for(host, user)
    assert client.post("/beheer/export/").status_code in (403, 404)
    assert client.get("/api/v1/loket/export/").status_code in (403, 404)
    with tenant_context(world.lokets["alpha"]):
        assert not AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.LOKET_DATA)


def test_the_page_says_what_the_file_holds(world, client_for):
    response = client_for("alpha", "staff_alpha").get("/beheer/export/")
    assert response.status_code == 200
    assert "requests_childcarerequest.jsonl" in response.content.decode()


def test_every_field_of_every_file_is_documented():
    text = DOCS.read_text()
    missing = []
    for record_file in export_format():
        section = re.search(rf"### `{re.escape(record_file.name)}`\n(.*?)(?=\n### |\Z)", text, re.S)
        if section is None:
            missing.append(record_file.name)
            continue
        missing += [
            f"{record_file.name}: {column.name}"
            for column in record_file.columns
            if f"| `{column.name}` |" not in section.group(1)
        ]
    assert missing == []


def test_the_export_page_says_what_each_file_holds_in_the_reader_s_language(world, client_for):
    staff = client_for("alpha", "staff_alpha")
    for language in ("nl", "fr"):
        page = staff.get("/beheer/export/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for english in (
            "the loket (one JSON object, not lines)",
            "a staff role in the loket",
            "closing period",
            "request event",
        ):
            assert english not in page, (language, english)
    dutch = staff.get("/beheer/export/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "sluitingsperiode" in dutch and "het loket (één JSON-object, geen regels)" in dutch
    english = staff.get("/beheer/export/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "the loket (one JSON object, not lines)" in english
