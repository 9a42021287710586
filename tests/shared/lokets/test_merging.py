"""Merging loket B into loket A: everything moves, the legal order and references stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.accounts.models import Membership
from shared.accounts.services import membership_grant, user_ensure
from shared.geography.models import Municipality
from shared.lokets.merging import MergeRefused, loket_merge, merged_schema_drop
from shared.lokets.models import Loket, LoketMerger
from shared.lokets.references import reference_prefix_choose
from shared.lokets.services import loket_create
from shared.lokets.transfer import count_rows
from shared.registry.models import RegistryEntry
from tenants.providers.selectors import locations_manageable_by
from tenants.providers.services import organizer_create
from tenants.requests.models import ChildcareRequest
from tenants.requests.selectors import request_detail
from tests.support.allocation import register
from tests.support.providers import grant_location, make_location

pytestmark = pytest.mark.django_db


def test_a_merge_moves_requests_keeps_their_times_and_old_references_redirect(world, client_for):
    a = loket_create(
        slug="merge-a",
        name="Loket A",
        kind=Loket.Kind.MUNICIPAL,
        region=world.region,
        municipalities=Municipality.objects.filter(nis_code="24062"),
    )
    b = loket_create(
        slug="merge-b",
        name="Loket B",
        kind=Loket.Kind.MUNICIPAL,
        region=world.region,
        municipalities=Municipality.objects.filter(nis_code="24135"),
    )
    make_location(a)
    location_b = make_location(b)
    now = timezone.now()
    early = register(location_b, name="Noor", registered_at=now - timedelta(days=20))
    late = register(location_b, name="Emma", registered_at=now - timedelta(days=5))
    old_references = [early[0].reference, late[0].reference]
    provider = user_ensure(email="provider.merge-b@test.test", password="x", full_name="P")
    membership_grant(user=provider, role=Membership.Role.PROVIDER_STAFF, loket=b)
    grant_location(b, location_b, provider)

    call_command("merge_lokets", "merge-b", "merge-a", "--dry-run")
    assert not LoketMerger.objects.exists()
    assert RegistryEntry.objects.filter(loket=b).count() == 2

    call_command("merge_lokets", "merge-b", "merge-a")
    assert RegistryEntry.objects.filter(loket=b).count() == 0
    with tenant_context(a):
        moved = list(ChildcareRequest.objects.order_by("registered_at"))
        assert [r.child_first_name for r in moved] == ["Noor", "Emma"]
        assert request_detail(reference=old_references[0]).child_first_name == "Noor"
        # The provider's grant on their location moved with it (a generic key: last).
        assert list(
            locations_manageable_by(user=provider, loket=a).values_list("name", flat=True)
        ) == [location_b.name]
    response = client_for("merge-b.localhost").get("/beheer/aanvragen/")
    assert response.status_code == 301
    assert response["Location"].startswith("http://merge-a.localhost/beheer/aanvragen/")


def _two_lokets(world, suffix: str) -> tuple[Loket, Loket]:
    made = [
        loket_create(
            slug=f"merge-{suffix}-{letter}",
            name=f"Loket {suffix.upper()} {letter.upper()}",
            kind=Loket.Kind.MUNICIPAL,
            region=world.region,
            municipalities=Municipality.objects.filter(nis_code=nis_code),
        )
        for letter, nis_code in (("a", "24062"), ("b", "24135"))
    ]
    return made[0], made[1]


def _unique_children(scope) -> int:
    from shared.statistics.selectors import figures_compute, period_of_year

    period = period_of_year(timezone.localdate().year)
    return figures_compute(scope=scope, period=period)["totals"]["unique_requests"]


def test_one_childs_requests_in_both_lokets_become_one_request_ranked_by_registration(world):
    """The same child of the same family, registered with B first and with A later: after
    the merge one request of A, registered at B's earlier time, B's choice ranked first;
    another family's child with the same name and birth date stays a request of its own."""
    from shared.statistics.selectors import scope_for_loket, scope_for_region

    a, b = _two_lokets(world, "join")
    location_a, location_b = make_location(a), make_location(b)
    now = timezone.now()
    parent, other_parent = world.users["parent"], world.users["other_parent"]
    first_at = now - timedelta(days=30)
    in_b = register(location_b, name="Mila", parent=parent, registered_at=first_at)
    in_a = register(location_a, name="Mila", parent=parent, registered_at=now - timedelta(days=8))
    namesake = register(
        location_b, name="Mila", parent=other_parent, registered_at=now - timedelta(days=20)
    )
    noor = register(location_b, name="Noor", parent=other_parent)
    assert in_a[0].child_id == in_b[0].child_id  # one child for the registry already
    region_children = _unique_children(scope_for_region(region=world.region))

    report = loket_merge(source=b, target=a, dry_run=True)
    assert report.joined == {in_b[0].reference: in_a[0].reference}
    assert "same_child" in [conflict.kind for conflict in report.conflicts]
    with tenant_context(a):
        assert ChildcareRequest.objects.count() == 1  # the dry run changed nothing

    report = loket_merge(source=b, target=a)
    assert report.merged
    with tenant_context(a):
        requests = list(ChildcareRequest.objects.order_by("registered_at"))
        assert len(requests) == 3  # Mila once, the other family's Mila, Noor
        joined = next(r for r in requests if r.pk == in_a[0].request_id)
        assert joined.registered_at == first_at
        choices = list(joined.choices.order_by("rank").select_related("location"))
        assert [choice.location.name for choice in choices] == [location_b.name, location_a.name]
        assert request_detail(reference=in_b[0].reference).pk == joined.pk
        assert request_detail(reference=namesake[0].reference).pk != joined.pk
        assert request_detail(reference=noor[0].reference).child_first_name == "Noor"
    entries = RegistryEntry.objects.filter(child_id=in_a[0].child_id, parent=parent)
    assert [(entry.loket_id, entry.registered_at) for entry in entries] == [(a.pk, first_at)]
    # Each child counts once, before and after: in the region, and now all in A (the other
    # family's Mila with the same name and birth date counts as Mila, by the registry's
    # rule for such coincidences: two children, Mila and Noor).
    assert _unique_children(scope_for_region(region=world.region)) == region_children
    assert _unique_children(scope_for_loket(loket=a)) == 2


def test_a_dry_run_reports_every_conflict_and_a_blocking_one_refuses_the_merge(world):
    a, b = _two_lokets(world, "conflict")
    with tenant_context(a):
        kept = organizer_create(name="VZW Kindertuin", company_number="0412.345.614")
    with tenant_context(b):
        same = organizer_create(name="Kindertuin vzw", company_number="0412345614")
        twin = organizer_create(name="Het Nest", company_number="0999.888.767")
    with tenant_context(a):
        organizer_create(name="Het Nest", company_number="0111.222.376")
    make_location(a, organizer=kept, dossier_number="KDV-1234")
    make_location(b, organizer=same, dossier_number="KDV-1234")
    make_location(b, organizer=twin)
    before = count_rows(a)

    report = loket_merge(source=b, target=a, dry_run=True)
    kinds = sorted(conflict.kind for conflict in report.conflicts)
    assert kinds == ["same_company_number", "same_dossier_number", "same_organizer_name"]
    assert [conflict.kind for conflict in report.blocking] == ["same_dossier_number"]
    assert any("KDV-1234" in line for line in report.lines())
    assert count_rows(a) == before

    with pytest.raises(MergeRefused) as refused:
        loket_merge(source=b, target=a)
    assert refused.value.report.blocking
    assert count_rows(a) == before
    assert Loket.objects.get(pk=b.pk).is_active
    assert not LoketMerger.objects.filter(source=b).exists()


def test_a_merged_lokets_reference_prefix_is_never_given_again(world):
    a, b = _two_lokets(world, "prefix")
    prefix = b.reference_prefix
    loket_merge(source=b, target=a)
    merger = LoketMerger.objects.get(source=b)
    merged_schema_drop(merger=merger, now=timezone.now())
    assert not Loket.objects.filter(reference_prefix=prefix).exists()
    slug = "merge-prefix-c"  # a slug whose first free prefix among the lokets is B's
    lokets_prefixes = Loket.objects.values_list("reference_prefix", flat=True)
    assert reference_prefix_choose(slug=slug, taken=lokets_prefixes) == prefix
    again = loket_create(
        slug=slug,
        name="A new loket with the old name",
        kind=Loket.Kind.MUNICIPAL,
        region=world.region,
        municipalities=Municipality.objects.filter(nis_code="24135"),
    )
    assert again.reference_prefix != prefix
