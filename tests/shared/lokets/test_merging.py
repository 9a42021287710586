"""Merging loket B into loket A: everything moves, the legal order and references stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.geography.models import Municipality
from shared.lokets.models import Loket, LoketMerger
from shared.lokets.services import loket_create
from shared.registry.models import RegistryEntry
from tenants.requests.models import ChildcareRequest
from tenants.requests.selectors import request_detail
from tests.support.allocation import register
from tests.support.providers import make_location

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

    call_command("merge_lokets", "merge-b", "merge-a", "--dry-run")
    assert not LoketMerger.objects.exists()
    assert RegistryEntry.objects.filter(loket=b).count() == 2

    call_command("merge_lokets", "merge-b", "merge-a")
    assert RegistryEntry.objects.filter(loket=b).count() == 0
    with tenant_context(a):
        moved = list(ChildcareRequest.objects.order_by("registered_at"))
        assert [r.child_first_name for r in moved] == ["Noor", "Emma"]
        assert request_detail(reference=old_references[0]).child_first_name == "Noor"
    response = client_for("merge-b.localhost").get("/beheer/aanvragen/")
    assert response.status_code == 301
    assert response["Location"].startswith("http://merge-a.localhost/beheer/aanvragen/")
