"""Moving a municipality from one loket to another: its locations go with their choices,
offers and placements; requests follow the locations they chose; each child counts once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from shared.accounts.models import Membership
from shared.accounts.services import membership_grant, user_ensure
from shared.catalogue.models import CatalogueLocation
from shared.geography.models import Municipality
from shared.lokets.models import Loket
from shared.lokets.municipality_move import MoveRefused, municipality_move
from shared.lokets.services import loket_create
from shared.lokets.transfer import count_rows
from shared.registry.models import RegistryEntry
from shared.statistics.selectors import figures_compute, period_of_year, scope_for_region
from tenants.allocation.models import Placement
from tenants.providers.models import Location
from tenants.providers.selectors import locations_manageable_by
from tenants.requests.models import ChildcareRequest
from tenants.requests.selectors import request_detail
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import grant_location, make_location

pytestmark = pytest.mark.django_db

GLABBEEK, KORTENAKEN, LINTER = "24137", "24054", "24133"


@pytest.fixture
def area(world):
    def loket(slug: str, *nis_codes: str) -> Loket:
        return loket_create(
            slug=slug,
            name=f"Loket {slug}",
            kind=Loket.Kind.INTERMUNICIPAL,
            region=world.region,
            municipalities=Municipality.objects.filter(nis_code__in=nis_codes),
        )

    source = loket("move-b", GLABBEEK, KORTENAKEN)
    target = loket("move-a", LINTER)
    return {
        "source": source,
        "target": target,
        "glabbeek": make_location(source, nis_code=GLABBEEK, name="De Glabbeekse Bij"),
        "kortenaken": make_location(source, nis_code=KORTENAKEN, name="Kortenaakse Kabouter"),
        "linter": make_location(target, nis_code=LINTER, name="Linterse Lieveheersbeestjes"),
        "glabbeek_municipality": Municipality.objects.get(nis_code=GLABBEEK),
    }


def _children_in_region(world) -> int:
    period = period_of_year(2026)
    figures = figures_compute(scope=scope_for_region(region=world.region), period=period)
    return figures["totals"]["unique_requests"]


def test_locations_move_with_their_requests_and_each_child_still_counts_once(world, area):
    source, target = area["source"], area["target"]
    glabbeek, kortenaken, linter = area["glabbeek"], area["kortenaken"], area["linter"]
    parent = world.users["parent"]
    anna = register(glabbeek, name="Anna")  # only Glabbeek: moves whole
    # Bram chose Kortenaken first and Glabbeek second: split between the lokets.
    bram = register(kortenaken, name="Bram", also=[glabbeek])
    cas = register(kortenaken, name="Cas", residence=area["glabbeek_municipality"])
    dina_a = register(linter, name="Dina", parent=parent)
    dina_b = register(glabbeek, name="Dina", parent=parent)
    assert dina_a[0].child_id == dina_b[0].child_id
    provider = user_ensure(email="kabouter@test.test", password="x", full_name="Provider")
    membership_grant(user=provider, role=Membership.Role.PROVIDER_STAFF, loket=source)
    grant_location(source, glabbeek, provider)
    children = _children_in_region(world)
    before = count_rows(source), count_rows(target)
    with tenant_context(source):
        anna_registered_at = ChildcareRequest.objects.get(pk=anna[0].request_id).registered_at

    dry = municipality_move(
        municipality=area["glabbeek_municipality"], source=source, target=target, dry_run=True
    )
    assert (count_rows(source), count_rows(target)) == before
    assert dry.locations == ["De Glabbeekse Bij"]
    assert set(dry.moved) == {anna[0].reference}
    assert set(dry.split) == {bram[0].reference}
    assert dry.joined == {dina_b[0].reference: dina_a[0].reference}
    assert dry.staying_residents == 1  # Cas lives in Glabbeek, chose Kortenaken only
    assert dry.staff == ["kabouter@test.test"]

    report = municipality_move(
        municipality=area["glabbeek_municipality"], source=source, target=target, by="op"
    )
    assert report.done
    assert list(source.municipalities.values_list("nis_code", flat=True)) == [KORTENAKEN]
    assert sorted(target.municipalities.values_list("nis_code", flat=True)) == sorted(
        [GLABBEEK, LINTER]
    )

    with tenant_context(source):
        assert list(Location.objects.values_list("name", flat=True)) == ["Kortenaakse Kabouter"]
        assert not ChildcareRequest.objects.filter(pk=anna[0].request_id).exists()
        bram_b = ChildcareRequest.objects.get(pk=bram[0].request_id)
        assert [c.location.name for c in bram_b.choices.all()] == ["Kortenaakse Kabouter"]
        assert [c.rank for c in bram_b.choices.all()] == [1]
        assert ChildcareRequest.objects.filter(pk=cas[0].request_id).exists()
    with tenant_context(target):
        moved_anna = request_detail(reference=anna[0].reference)  # the old reference
        assert moved_anna.child_first_name == "Anna"
        assert moved_anna.registered_at == anna_registered_at  # the legal order stays
        bram_a = ChildcareRequest.objects.get(reference=report.split[bram[0].reference])
        assert [(c.location.name, c.rank) for c in bram_a.choices.all()] == [
            ("De Glabbeekse Bij", 1)
        ]
        assert bram_a.submission == bram_b.submission
        dina = ChildcareRequest.objects.get(pk=dina_a[0].request_id)
        assert sorted(c.location.name for c in dina.choices.all()) == [
            "De Glabbeekse Bij",
            "Linterse Lieveheersbeestjes",
        ]
        assert list(
            locations_manageable_by(user=provider, loket=target).values_list("name", flat=True)
        ) == ["De Glabbeekse Bij"]
    catalogue = CatalogueLocation.objects.get(name="De Glabbeekse Bij")
    assert catalogue.loket_id == target.pk
    assert Membership.objects.filter(
        user=provider, loket=target, role=Membership.Role.PROVIDER_STAFF
    ).exists()
    # The registry: Bram has a part in each loket, Anna's is A's, Dina has one in A.
    assert sorted(
        RegistryEntry.objects.filter(child_id=bram[0].child_id).values_list("loket_id", flat=True)
    ) == sorted([source.pk, target.pk])
    assert RegistryEntry.objects.get(child_id=anna[0].child_id).loket_id == target.pk
    assert list(
        RegistryEntry.objects.filter(child_id=dina_a[0].child_id).values_list("loket_id", flat=True)
    ) == [target.pk]
    assert _children_in_region(world) == children


def test_a_child_placed_in_the_moved_municipality_is_placed_in_the_target(world, area):
    source, target = area["source"], area["target"]
    glabbeek, kortenaken = area["glabbeek"], area["kortenaken"]
    parent = world.users["parent"]
    emma = register(kortenaken, name="Emma", parent=parent, also=[glabbeek])
    staff = user_ensure(email="loket.move-b@test.test", password="x", full_name="Staff")
    membership_grant(user=staff, role=Membership.Role.LOKET_STAFF, loket=source)
    made = offer(source, choice_of(emma, source, glabbeek), staff)
    accept(source, made, parent)

    report = municipality_move(
        municipality=area["glabbeek_municipality"], source=source, target=target
    )

    statuses = dict(
        RegistryEntry.objects.filter(child_id=emma[0].child_id).values_list("loket_id", "status")
    )
    assert statuses == {target.pk: "placed", source.pk: "cancelled"}
    with tenant_context(target):
        placement = Placement.objects.select_related("location", "choice__request").get()
        assert placement.location.name == "De Glabbeekse Bij"
        assert placement.choice.request.reference == report.split[emma[0].reference]
    with tenant_context(source):
        assert not Placement.objects.exists()


def test_a_blocking_conflict_refuses_the_move_and_the_command_reports_it(world, area, capsys):
    source, target = area["source"], area["target"]
    with tenant_context(source):
        Location.objects.filter(pk=area["glabbeek"].pk).update(dossier_number="KDV-77")
    with tenant_context(target):
        Location.objects.filter(pk=area["linter"].pk).update(dossier_number="KDV-77")
    before = count_rows(source), count_rows(target)
    with pytest.raises(MoveRefused):
        municipality_move(municipality=area["glabbeek_municipality"], source=source, target=target)
    assert (count_rows(source), count_rows(target)) == before
    assert source.municipalities.filter(nis_code=GLABBEEK).exists()

    call_command("move_municipality", GLABBEEK, "move-b", "move-a", "--dry-run")
    assert "KDV-77" in capsys.readouterr().out
