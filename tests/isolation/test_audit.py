"""The audit trail of a loket is for its own loket staff only."""

import pytest
from django_tenants.utils import tenant_context

from tenants.audit.models import AuditEvent
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewed_in_alpha(world, client_for):
    reference = submit(make_location(world.lokets["alpha"]))[0].reference
    client_for("alpha", user="staff_alpha").get(f"/beheer/aanvragen/{reference}/")
    return reference


@pytest.mark.parametrize(
    "user", ["staff_beta", "provider_alpha", "parent", "auditor", "coordinator", "operator"]
)
@pytest.mark.parametrize("path", ["/beheer/audit/", "/api/v1/audit/events/"])
def test_only_loket_staff_of_the_loket_see_its_audit_trail(client_for, viewed_in_alpha, user, path):
    response = client_for("alpha", user=user).get(path)
    assert response.status_code == 403
    assert viewed_in_alpha not in response.content.decode()


@pytest.mark.parametrize("path", ["/beheer/audit/", "/api/v1/audit/events/"])
def test_staff_of_another_loket_see_only_their_own_trail_at_home(client_for, viewed_in_alpha, path):
    response = client_for("beta", user="staff_beta").get(path)
    assert response.status_code == 200
    assert viewed_in_alpha not in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(client_for, viewed_in_alpha):
    assert client_for("alpha").get("/beheer/audit/").status_code == 302
    assert client_for("alpha").get("/api/v1/audit/events/").status_code == 403


def test_events_stay_in_the_schema_of_their_loket(world, viewed_in_alpha):
    with tenant_context(world.lokets["beta"]):
        assert not AuditEvent.objects.filter(reference=viewed_in_alpha).exists()
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(reference=viewed_in_alpha).exists()
