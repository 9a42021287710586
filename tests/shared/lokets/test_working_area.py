"""Renaming a loket, a new host for it and another organiser: references stay, old links
redirect, every change is in the loket's audit trail; and the operator's merge page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from shared.geography.models import Municipality
from shared.lokets.models import Domain, Loket, LoketMerger
from shared.lokets.services import loket_create
from shared.lokets.working_area import loket_organiser_change, loket_rename
from tenants.audit.models import AuditEvent
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


def _loket(world, slug: str, nis_code: str = "24062") -> Loket:
    return loket_create(
        slug=slug,
        name=f"Loket {slug}",
        kind=Loket.Kind.MUNICIPAL,
        region=world.region,
        municipalities=Municipality.objects.filter(nis_code=nis_code),
    )


def _loket_events(loket: Loket) -> list[dict]:
    with tenant_context(loket):
        return list(
            AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.LOKET)
            .order_by("id")
            .values_list("details", flat=True)
        )


def test_a_renamed_loket_keeps_its_references_and_its_old_host_redirects(world, client_for):
    loket = _loket(world, "oud-heverlee")
    entry = submit(make_location(loket))[0]

    loket_rename(loket=loket, name="Loket Heverlee", slug="heverlee", by="operator@test.test")

    loket.refresh_from_db()
    assert (loket.name, loket.slug) == ("Loket Heverlee", "heverlee")
    assert loket.get_primary_domain().domain == "heverlee.localhost"
    assert Domain.objects.get(domain="oud-heverlee.localhost").redirects_to_primary
    response = client_for("oud-heverlee.localhost").get("/opvang/?zoek=1")
    assert response.status_code == 301
    assert response["Location"] == "http://heverlee.localhost/opvang/?zoek=1"
    assert client_for("heverlee.localhost").get("/").status_code == 200
    with tenant_context(loket):
        from tenants.requests.models import ChildcareRequest

        assert ChildcareRequest.objects.get(pk=entry.request_id).reference == entry.reference
    events = _loket_events(loket)
    assert [event["event"] for event in events] == ["loket_slug_changed", "loket_name_changed"]
    assert events[1]["old"] == "Loket oud-heverlee"
    assert events[1]["by"] == "operator@test.test"


def test_a_rename_to_a_host_in_use_is_refused_and_changes_nothing(world):
    loket = _loket(world, "bierbeek")
    _loket(world, "boutersem", nis_code="24135")
    with pytest.raises(ValidationError) as refused:
        loket_rename(loket=loket, name="Nieuw", slug="boutersem")
    assert "boutersem.localhost" in str(refused.value)
    loket.refresh_from_db()
    assert (loket.name, loket.slug) == ("Loket bierbeek", "bierbeek")
    assert _loket_events(loket) == []


def test_another_organiser_is_recorded_shown_in_the_privacy_statement_and_audited(
    world, client_for
):
    loket = _loket(world, "lubbeek")
    loket_organiser_change(loket=loket, organiser_name="Welzijnsvereniging Hageland", by="op")
    page = client_for("lubbeek.localhost").get("/privacy/").content.decode()
    assert "Welzijnsvereniging Hageland" in page
    statement = client_for("lubbeek.localhost").get("/api/v1/privacy/").json()
    assert statement["controllers"][0]["organiser"] == "Welzijnsvereniging Hageland"
    assert _loket_events(loket)[0] == {
        "event": "loket_organiser_changed",
        "old": "",
        "new": "Welzijnsvereniging Hageland",
        "by": "op",
    }


def test_the_command_renames_and_refuses_unknown_lokets(world):
    loket = _loket(world, "kortenberg")
    call_command("change_loket", "kortenberg", "--name", "Loket Kortenberg", "--organiser", "OCMW")
    loket.refresh_from_db()
    assert (loket.name, loket.organiser_name) == ("Loket Kortenberg", "OCMW")
    with pytest.raises(CommandError):
        call_command("change_loket", "nergens", "--name", "X")
    with pytest.raises(CommandError):
        call_command("change_loket", "kortenberg")


def test_operators_merge_lokets_on_the_admin_page_after_a_dry_run(world, client_for):
    source, target = _loket(world, "admin-b", nis_code="24135"), _loket(world, "admin-a")
    make_location(source)
    operator = client_for("localhost", user="operator")
    page = operator.get("/admin/lokets/loket/")
    assert b"/admin/lokets/loket/merge/" in page.content
    form = {"source": source.pk, "target": target.pk}

    dry = operator.post("/admin/lokets/loket/merge/", {**form, "dry_run": "1"})
    assert dry.status_code == 200
    assert "Loket admin-b" in dry.content.decode()
    assert not LoketMerger.objects.exists()
    # "Merge" without ticking the confirmation is a dry run too.
    operator.post("/admin/lokets/loket/merge/", {**form, "merge": "1"})
    assert not LoketMerger.objects.exists()

    done = operator.post("/admin/lokets/loket/merge/", {**form, "merge": "1", "confirm": "on"})
    assert done.status_code == 200
    merger = LoketMerger.objects.get()
    assert (merger.source_id, merger.target_id, merger.merged_by) == (
        source.pk,
        target.pk,
        "operator@test.test",
    )
    # Staff of a loket never reach it (the admin is the operators').
    assert (
        client_for("localhost", user="staff_alpha").get("/admin/lokets/loket/merge/").status_code
        == 302
    )
