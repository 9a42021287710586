"""The order of the priority groups of a location: set by loket staff, each group once."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.providers.models import Location
from tests.support.providers import api, grant_location, location_post_data, make_location

pytestmark = pytest.mark.django_db

SIBLINGS_FIRST = ["sibling", "foster_child", "work_or_training"]


def order_of(loket, location) -> list[str]:
    with tenant_context(loket):
        return Location.objects.get(pk=location.pk).priority_order


def edit(location) -> str:
    return f"/beheer/opvang/locaties/{location.pk}/bewerken/"


def ranks(order: list[str]) -> dict[str, str]:
    return {f"priority_order_{rank}": group for rank, group in enumerate(order)}


def test_loket_staff_set_the_order_in_the_location_form(client_for, world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    staff = client_for("alpha", "staff_alpha")
    assert 'name="priority_order_0"' in staff.get(edit(location)).content.decode()
    data = location_post_data(location, **ranks(SIBLINGS_FIRST))
    assert staff.post(edit(location), data).status_code == 302
    assert order_of(alpha, location) == SIBLINGS_FIRST


@pytest.mark.parametrize(
    "order",
    [
        ["sibling", "sibling", "foster_child"],
        ["sibling", "foster_child", ""],
        ["sibling", "foster_child", "nonsense"],
    ],
)
def test_an_order_that_is_not_each_group_once_is_refused(client_for, world, order):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    staff = client_for("alpha", "staff_alpha")
    response = staff.post(edit(location), location_post_data(location, **ranks(order)))
    assert response.status_code == 200
    assert order_of(alpha, location) == ["work_or_training", "sibling", "foster_child"]


def test_provider_staff_cannot_change_the_order(client_for, world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    grant_location(alpha, location, world.users["provider_alpha"])
    provider = client_for("alpha", "provider_alpha")
    assert 'name="priority_order_0"' not in provider.get(edit(location)).content.decode()
    provider.post(edit(location), location_post_data(location, **ranks(SIBLINGS_FIRST)))
    path = f"/api/v1/providers/locations/{location.pk}/"
    assert api(provider, "patch", path, {"priority_order": SIBLINGS_FIRST}).status_code == 200
    assert order_of(alpha, location) == ["work_or_training", "sibling", "foster_child"]


def test_loket_staff_set_the_order_through_the_api_and_it_is_validated(client_for, world):
    alpha = world.lokets["alpha"]
    location = make_location(alpha)
    staff = client_for("alpha", "staff_alpha")
    path = f"/api/v1/providers/locations/{location.pk}/"
    assert staff.get(path).json()["priority_order"] == [
        "work_or_training",
        "sibling",
        "foster_child",
    ]
    refused = api(staff, "patch", path, {"priority_order": ["sibling", "sibling"]})
    assert refused.status_code == 400 and "priority_order" in refused.json()
    assert api(staff, "patch", path, {"priority_order": SIBLINGS_FIRST}).status_code == 200
    assert order_of(alpha, location) == SIBLINGS_FIRST
