"""Loket staff decide possible duplicates on their pages and through the API; the other
family stays a loket name and a status, the audit trail keeps the decision, and the
figures (page, API, downloads, reconciliation) agree on every number."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from shared.registry.models import PossibleDuplicate, RegistryEntry, RequestStatus
from tenants.audit.models import AuditEvent
from tenants.requests.models import ChildcareRequest
from tests.support.allocation import accept, choice_of, offer
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"
FAMILY_B = {
    "guardians": [{"name": "Jan Janssens", "email": "jan@example.be", "phone": "0499 99 99 99"}],
    "contact_email": "jan@example.be",
    "street": "Molenstraat 99",
    "language": "fr",
}


@pytest.fixture
def english(client_for):
    def make(host, user=None):
        client = client_for(host, user=user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def places(world):
    return {
        "alpha": make_location(world.lokets["alpha"], name="Kinderdagverblijf Appel"),
        "beta": make_location(world.lokets["beta"], name="Onthaal Kers"),
    }


@pytest.fixture
def pair(world, places):
    """Family A in alpha, then family B in beta: the same born child (name, birth date)."""
    a = submit(places["alpha"], parent=world.users["parent"])[0]
    b = submit(places["beta"], parent=world.users["other_parent"], **FAMILY_B)[0]
    return a, b, PossibleDuplicate.objects.get()


def test_the_list_shows_our_request_and_of_the_other_only_loket_and_status(english, pair):
    a, b, duplicate = pair
    page = english("alpha", user="staff_alpha").get("/beheer/dubbels/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/beheer/aanvragen/{a.reference}/"' in html
    assert "loket Loket Beta, status open" in html
    assert "same names and date of birth" in html
    for secret in (b.reference, "Jan Janssens", "jan@example.be", "Molenstraat"):
        assert secret not in html
    assert f'href="/beheer/dubbels/{duplicate.pk}/"' in html


def test_staff_home_and_request_page_point_to_the_open_duplicate(english, pair):
    a, _b, duplicate = pair
    client = english("alpha", user="staff_alpha")
    home = client.get("/beheer/").content.decode()
    assert (
        '<a href="/beheer/dubbels/?status=open"><span class="work-count">1</span> '
        '<span class="work-text">possible duplicate to decide</span></a>'
    ) in home
    detail = client.get(f"/beheer/aanvragen/{a.reference}/").content.decode()
    assert "a possible duplicate to decide" in detail
    assert f'href="/beheer/dubbels/{duplicate.pk}/"' in detail


def test_rejecting_on_the_page_needs_a_reason_and_lands_in_the_audit_trail(world, english, pair):
    a, b, duplicate = pair
    client = english("alpha", user="staff_alpha")
    missing = client.post(f"/beheer/dubbels/{duplicate.pk}/", {"decision": "different"})
    assert missing.status_code == 400
    duplicate.refresh_from_db()
    assert duplicate.status == PossibleDuplicate.Status.OPEN

    done = client.post(
        f"/beheer/dubbels/{duplicate.pk}/",
        {"decision": "different", "reason": "Phoned both: two children."},
    )
    assert done.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == PossibleDuplicate.Status.REJECTED
    assert (
        RegistryEntry.objects.get(pk=a.pk).child_id != RegistryEntry.objects.get(pk=b.pk).child_id
    )
    with tenant_context(world.lokets["alpha"]):
        event = AuditEvent.objects.get(details__event="duplicate_rejected")
    assert event.actor == world.users["staff_alpha"]
    assert event.reference == a.reference
    assert event.details["duplicate_ids"] == [duplicate.pk]
    assert "Phoned" not in str(event.details)  # free text stays with the decision
    with tenant_context(world.lokets["beta"]):
        assert not AuditEvent.objects.filter(details__event="duplicate_rejected").exists()


def test_the_api_lists_and_confirms_with_a_reason(world, client_for, pair):
    a, _b, duplicate = pair
    client = client_for("beta", user="staff_beta")
    listed = client.get("/api/v1/duplicates/").json()
    assert [item["id"] for item in listed] == [duplicate.pk]
    assert (
        listed[0]["request"]["reference"]
        == RegistryEntry.objects.get(pk=duplicate.entry_id).reference
    )
    assert listed[0]["other"] == {"loket": "Loket Alpha", "status": "open", "reference": None}
    assert a.reference not in str(listed)

    url = f"/api/v1/duplicates/{duplicate.pk}/confirm/"
    assert "reason" in client.post(url, {}, content_type="application/json").json()
    answer = client.post(url, {"reason": "The same child"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "confirmed"
    with tenant_context(world.lokets["beta"]):
        assert AuditEvent.objects.filter(details__event="duplicate_confirmed").count() == 1


def test_staff_of_a_loket_without_an_entry_get_404(client_for, pair):
    _a, _b, duplicate = pair
    client = client_for("gamma", user="staff_gamma")
    assert client.get(f"/beheer/dubbels/{duplicate.pk}/").status_code == 404
    assert client.get("/api/v1/duplicates/").json() == []
    for action in ("confirm", "reject"):
        answer = client.post(
            f"/api/v1/duplicates/{duplicate.pk}/{action}/",
            {"reason": "not mine"},
            content_type="application/json",
        )
        assert answer.status_code == 404
    duplicate.refresh_from_db()
    assert duplicate.status == PossibleDuplicate.Status.OPEN
    # A parent is no loket staff at all.
    assert client_for("alpha", user="parent").get("/api/v1/duplicates/").status_code == 403


def test_family_a_sees_nothing_of_family_b(english, pair):
    _a, b, _duplicate = pair
    page = english(PORTAL, user="parent").get("/mijn-aanvragen/").content.decode()
    for secret in (b.reference, "Loket Beta", "Onthaal Kers", "Jan Janssens", "jan@example.be"):
        assert secret not in page


def test_placing_family_as_child_keeps_family_bs_request_open_and_tells_them(
    world, english, places, pair, mailoutbox, django_capture_on_commit_callbacks
):
    a, b, duplicate = pair
    alpha = world.lokets["alpha"]
    made = offer(alpha, choice_of([a], alpha, places["alpha"]), world.users["staff_alpha"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(alpha, made, world.users["parent"])

    with tenant_context(world.lokets["beta"]):
        assert ChildcareRequest.objects.get(pk=b.request_id).status == RequestStatus.OPEN
    assert RegistryEntry.objects.get(pk=b.pk).status == RequestStatus.OPEN
    duplicate.refresh_from_db()
    assert duplicate.placed_elsewhere_at is not None

    to_b = [mail for mail in mailoutbox if mail.to == ["jan@example.be"]]
    assert len(to_b) == 1
    assert "reste ouverte" in to_b[0].subject  # family B's language
    assert b.reference in to_b[0].body
    assert a.reference not in to_b[0].body and "Appel" not in to_b[0].body

    beta = english("beta", user="staff_beta")
    listed = beta.get("/beheer/dubbels/").content.decode()
    assert "a place was accepted there on" in listed
    assert "loket Loket Alpha, status placed" in listed
    dashboard = beta.get("/beheer/cijfers/")
    assert dashboard.context["duplicates"] == {"to_decide": 1, "placed_elsewhere": 1}


def _csv_totals(content: str) -> dict[str, int]:
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))[1:]
    return {
        "unique_requests": sum(int(row[3]) for row in rows),
        "unique_without_offer": sum(int(row[4]) for row in rows),
        "waiting": sum(int(row[5]) for row in rows),
    }


def test_page_api_downloads_and_reconciliation_give_the_same_numbers(
    world, client_for, places, pair
):
    a, _b, _duplicate = pair
    # A second child in alpha with an offer, and family A's child also in beta.
    other = submit(places["alpha"], parent=world.users["parent"], child_first_name="Mats")
    alpha = world.lokets["alpha"]
    offer(
        alpha,
        choice_of(other, alpha, places["alpha"]),
        world.users["staff_alpha"],
        passed_over_reason="Lotte starts later",
    )
    year = timezone.localdate().year
    query = f"start={year}-01-01&end={year + 1}-01-01"
    client = client_for("alpha", user="staff_alpha")

    page = client.get(f"/beheer/cijfers/overzicht/?{query}")
    api = client.get(f"/api/v1/figures/?{query}").json()
    csv_totals = _csv_totals(client.get(f"/beheer/cijfers/export.csv?{query}").content.decode())
    sheet = load_workbook(
        io.BytesIO(client.get(f"/beheer/cijfers/export.xlsx?{query}").content)
    ).active
    xlsx_rows = list(sheet.iter_rows(min_row=2, values_only=True))
    xlsx_totals = {
        "unique_requests": sum(row[3] for row in xlsx_rows),
        "unique_without_offer": sum(row[4] for row in xlsx_rows),
        "waiting": sum(row[5] for row in xlsx_rows),
    }
    reconciliation = client.get(f"/beheer/cijfers/verantwoording/?{query}")
    listed = reconciliation.context["reconciliation"]
    reconciled = client.get(f"/api/v1/figures/reconciliation/?{query}").json()

    expected = {"unique_requests": 2, "unique_without_offer": 1, "waiting": 2}
    for figure, number in expected.items():
        assert page.context["totals"][figure] == number
        assert api["totals"][figure] == number
        assert csv_totals[figure] == number
        assert xlsx_totals[figure] == number
        assert getattr(listed, figure) == number
        assert reconciled["totals"][figure] == number
    assert page.context["duplicates_to_decide"] == api["possible_duplicates_to_decide"] == 1
    html = reconciliation.content.decode()
    assert f'href="/beheer/aanvragen/{a.reference}/"' in html
    assert "Loket Beta" in html  # the other loket of the child, by name
    for child in reconciled["children"]:
        for request in child["requests"]:
            assert request["reference"].startswith(a.reference[:3])  # alpha's own only
