"""A location that parents chose is never deleted from under their requests."""

import pytest
from django_tenants.utils import tenant_context

from tenants.providers.models import Location
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


def test_a_chosen_location_cannot_be_deleted_on_the_page_or_through_the_api(client_for, world):
    alpha = world.lokets["alpha"]
    chosen = make_location(alpha, name="Gekozen Opvang")
    submit(chosen, parent=world.users["parent"])
    client = client_for("alpha", user="staff_alpha")

    page = client.post(f"/beheer/opvang/locaties/{chosen.pk}/verwijderen/", follow=True)
    assert page.status_code == 200
    assert [message.level_tag for message in page.context["messages"]] == ["error"]

    api = client.delete(f"/api/v1/providers/locations/{chosen.pk}/")
    assert api.status_code == 400
    with tenant_context(alpha):
        assert Location.objects.filter(pk=chosen.pk).exists()
