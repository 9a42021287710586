"""Structured answers: "no place" and "other start date" carry a reason code and an
optional note (pages and API); the figures count why no offer was made per municipality
and kind of care of the location, from the public schema only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from shared.registry.models import RegistryAnswer
from tenants.requests.history import describe_event, read_event
from tenants.requests.models import ChildcareRequest, RequestChoice, RequestEvent
from tenants.requests.retention import request_anonymise
from tests.support.allocation import choice_of, hours_ago, offer, register
from tests.support.providers import api, grant_location, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def gamma(world):
    """Gamma: a group-care location in Glabbeek and a childminder in Kortenaken, each asked
    by Mila and Noah."""
    loket = world.lokets["gamma"]
    group = make_location(loket, nis_code="24137", name="Glabbeek Groep")
    family = make_location(loket, nis_code="24054", name="Kortenaken Onthaal", kind="family")
    grant_location(loket, group, world.users["provider_gamma"])
    grant_location(loket, family, world.users["provider_gamma"])
    mila = register(group, name="Mila", also=[family], registered_at=hours_ago(4))
    noah = register(group, name="Noah", also=[family], registered_at=hours_ago(2))
    return {
        "loket": loket,
        "group": group,
        "family": family,
        "mila_group": choice_of(mila, loket, group),
        "mila_family": choice_of(mila, loket, family),
        "noah_group": choice_of(noah, loket, group),
        "noah_family": choice_of(noah, loket, family),
    }


def _page(location, choice, action: str) -> str:
    return f"/beheer/wachtlijst/{location.pk}/{choice.pk}/{action}/"


def _answer(client, gamma) -> None:
    """Glabbeek: no place for Mila (those days) and Noah (age); Kortenaken: another start
    date for Mila (start date)."""
    group, family = gamma["group"], gamma["family"]
    ok = client.post(
        _page(group, gamma["mila_group"], "geen-plaats"),
        {"reason_code": "no_capacity_days", "note": "Woensdag is volzet"},
    )
    assert ok.status_code == 302
    response = api(
        client,
        "post",
        f"/api/v1/choices/{gamma['noah_group'].pk}/no-place/",
        {"reason_code": "age"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["answer_reason"] == "age"
    response = client.post(
        _page(family, gamma["mila_family"], "andere-datum"),
        {"proposed_start": some_day(150).isoformat(), "reason_code": "start_date"},
    )
    assert response.status_code == 302


def test_no_place_asks_why_and_keeps_the_note(world, client_for, gamma):
    client = client_for("gamma", "provider_gamma")
    url = _page(gamma["group"], gamma["mila_group"], "geen-plaats")
    form = client.get(url)
    assert form.status_code == 200 and 'name="reason_code"' in form.content.decode()
    refused = client.post(url, {"note": "zonder reden"})
    assert refused.status_code == 400 and 'id="id_reason_code_error"' in refused.content.decode()
    refused = client.post(url, {"reason_code": "weather"})
    assert refused.status_code == 400
    assert (
        client.post(url, {"reason_code": "care_plan", "note": "Enkel halve dagen"}).status_code
        == 302
    )
    with tenant_context(gamma["loket"]):
        choice = RequestChoice.objects.get(pk=gamma["mila_group"].pk)
        event = RequestEvent.objects.get(request_id=choice.request_id, kind="no_place")
    assert (choice.status, choice.answer_reason, choice.answer_note) == (
        "no_place",
        "care_plan",
        "Enkel halve dagen",
    )
    assert (
        event.details["reason_code"] == "care_plan" and event.actor == world.users["provider_gamma"]
    )
    (answer,) = RegistryAnswer.objects.all()
    assert (answer.answer, answer.reason, answer.location_kind) == (
        "no_place",
        "care_plan",
        "group",
    )
    assert answer.municipality.nis_code == "24137"


def test_the_api_refuses_an_answer_without_a_reason_code(client_for, gamma):
    client = client_for("gamma", "provider_gamma")
    path = f"/api/v1/choices/{gamma['noah_group'].pk}/no-place/"
    missing = api(client, "post", path, {})
    assert missing.status_code == 400 and "reason_code" in missing.json()
    unknown = api(client, "post", path, {"reason_code": "weather"})
    assert unknown.status_code == 400 and "reason_code" in unknown.json()
    # The free text of before reason codes is kept as the note.
    done = api(client, "post", path, {"reason_code": "other", "reason": "Verhuis"})
    assert done.status_code == 200 and done.json()["answer_note"] == "Verhuis"
    other_date = f"/api/v1/choices/{gamma['noah_family'].pk}/other-date/"
    no_code = api(client, "post", other_date, {"proposed_start": some_day(90).isoformat()})
    assert no_code.status_code == 400 and "reason_code" in no_code.json()


def test_the_figures_say_why_no_offer_per_municipality_and_kind(world, client_for, gamma):
    _answer(client_for("gamma", "provider_gamma"), gamma)
    staff = client_for("gamma", "staff_gamma")
    figures = staff.get("/api/v1/figures/").json()["why_no_offer"]
    assert figures["by_reason"] == {
        "no_capacity_days": 1,
        "age": 1,
        "start_date": 1,
        "care_plan": 0,
        "other": 0,
    }
    rows = {(row["nis_code"], row["location_kind"], row["reason"]): row for row in figures["rows"]}
    assert set(rows) == {
        ("24137", "group", "no_capacity_days"),
        ("24137", "group", "age"),
        ("24054", "family", "start_date"),
    }
    assert rows[("24137", "group", "age")]["children"] == 1

    page = staff.get("/beheer/cijfers/overzicht/").content.decode()
    section = page.split('id="why-no-offer"')[1].split("</section>")[0]
    assert "Glabbeek" in section and "Kortenaken" in section
    assert "Geen capaciteit voor die dagen" in section

    download = staff.get("/beheer/cijfers/export.csv", {"table": "why_no_offer"})
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode()), delimiter=";"))
    assert len(lines) == 4 and {line[1] for line in lines[1:]} == {"24137", "24054"}
    workbook = load_workbook(io.BytesIO(staff.get("/beheer/cijfers/export.xlsx").content))
    assert len(workbook.worksheets) == 2
    assert workbook.worksheets[1].max_row == 4
    # The region's coordinator sees the same breakdown over the region's lokets.
    region = client_for("testregio.localhost", "coordinator").get("/api/v1/figures/").json()
    assert region["why_no_offer"]["by_reason"]["age"] == 1


def test_an_offer_after_all_takes_the_answer_out_of_why_no_offer(world, client_for, gamma):
    _answer(client_for("gamma", "provider_gamma"), gamma)
    # Kortenaken offers Mila a place on the date it proposed.
    offer(
        gamma["loket"],
        gamma["mila_family"],
        world.users["provider_gamma"],
        start_date=some_day(150),
    )
    by_reason = client_for("gamma", "staff_gamma").get("/api/v1/figures/").json()["why_no_offer"]
    assert by_reason["by_reason"]["start_date"] == 0 and by_reason["by_reason"]["age"] == 1


def test_other_lokets_figures_do_not_count_gammas_answers(client_for, gamma):
    _answer(client_for("gamma", "provider_gamma"), gamma)
    alpha = client_for("alpha", "staff_alpha").get("/api/v1/figures/").json()["why_no_offer"]
    assert sum(alpha["by_reason"].values()) == 0 and alpha["rows"] == []
    # Provider staff get no figures at all.
    assert client_for("gamma", "provider_gamma").get("/api/v1/figures/").status_code == 403


def test_answers_recorded_before_reason_codes_read_back_as_they_were():
    old = {"location": "De Vlinder", "reason": "Volzet tot 2031"}
    event = read_event(kind=RequestEvent.Kind.NO_PLACE, details=old)
    assert event.to_details() == old
    with translation.override("nl"):
        assert describe_event(kind="no_place", details=old) == (
            "De Vlinder heeft geen plaats voor je kind."
        )
        new = {"location": "De Vlinder", "reason_code": "age", "note": "intern"}
        assert describe_event(kind="no_place", details=new) == (
            "De Vlinder heeft geen plaats voor je kind (de leeftijd van het kind)."
        )


def test_removing_a_requests_data_also_empties_the_locations_note(client_for, gamma):
    _answer(client_for("gamma", "provider_gamma"), gamma)
    with tenant_context(gamma["loket"]), transaction.atomic():
        request = ChildcareRequest.objects.get(pk=gamma["mila_group"].request_id)
        assert request_anonymise(request, now=timezone.now())
        choice = RequestChoice.objects.get(pk=gamma["mila_group"].pk)
    # The reason code is no personal data and stays for the figures; the note goes.
    assert (choice.answer_reason, choice.answer_note) == ("no_capacity_days", "")
