"""The loket's rules for a location, enforced by the services whoever calls them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import tenant_context

from shared.geography.models import Municipality
from tenants.providers import services
from tenants.providers.models import Location
from tests.support.providers import make_location, make_organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


def fields(organizer, **changes):
    values = {
        "organizer": organizer,
        "name": "Regelkind",
        "kind": "group",
        "street": "Kerkstraat 1",
        "postcode": "3020",
        "place": "Herent",
        "municipality": Municipality.objects.get(nis_code="24038"),
        "licensed_capacity": 12,
        "tariff": "income_related",
    }
    values.update(changes)
    return values


def refusal(loket, service, **arguments) -> dict[str, list[str]]:
    """The errors by field name, in English (the msgids)."""
    with translation.override("en"), tenant_context(loket):
        with pytest.raises(ValidationError) as refused:
            service(**arguments)
        return refused.value.message_dict


def test_location_create_refuses_a_municipality_outside_the_working_area(alpha):
    organizer = make_organizer(alpha)
    tienen = Municipality.objects.get(nis_code="24107")  # beta's
    errors = refusal(
        alpha,
        services.location_create,
        **fields(organizer, municipality=tienen, postcode="3300", place="Tienen"),
    )
    assert errors == {"municipality": ["Tienen is not in this loket's working area."]}
    with tenant_context(alpha):
        assert not Location.objects.filter(name="Regelkind").exists()


def test_location_create_refuses_a_postcode_of_another_municipality(alpha):
    organizer = make_organizer(alpha)
    errors = refusal(alpha, services.location_create, **fields(organizer, postcode="3300"))
    assert errors == {"postcode": ["Postcode 3300 does not lie in Herent."]}


def test_location_create_reports_the_rules_with_the_models_own_checks(alpha):
    organizer = make_organizer(alpha)
    errors = refusal(
        alpha,
        services.location_create,
        **fields(organizer, postcode="3300", age_min_months=20, age_max_months=10),
    )
    assert {"postcode", "age_max_months"} <= set(errors)


def test_location_update_refuses_a_move_out_of_the_working_area(alpha):
    location = make_location(alpha)
    tienen = Municipality.objects.get(nis_code="24107")
    errors = refusal(alpha, services.location_update, location=location, municipality=tienen)
    assert set(errors) == {"municipality"}
    with tenant_context(alpha):
        location.refresh_from_db()  # the refused change was set on the instance
    errors = refusal(alpha, services.location_update, location=location, postcode="3300")
    assert errors == {"postcode": ["Postcode 3300 does not lie in Herent."]}
    with tenant_context(alpha):
        stored = Location.objects.get(pk=location.pk)
    assert (stored.municipality.nis_code, stored.postcode) == ("24038", "3020")


def test_location_update_leaves_an_existing_address_alone_when_other_fields_change(alpha):
    location = make_location(alpha)
    with tenant_context(alpha):
        # The geography changed after the location was saved: it is not checked again
        # until the address itself changes.
        Location.objects.filter(pk=location.pk).update(postcode="3300")
        location.refresh_from_db()
        services.location_update(location=location, name="Nieuwe Naam")
        assert Location.objects.get(pk=location.pk).name == "Nieuwe Naam"


@pytest.mark.parametrize(
    "order",
    [["sibling", "sibling", "foster_child"], ["sibling", "foster_child"], ["sibling", "nonsense"]],
)
def test_location_update_refuses_an_order_that_is_not_each_priority_group_once(alpha, order):
    location = make_location(alpha)
    errors = refusal(alpha, services.location_update, location=location, priority_order=order)
    assert errors == {"priority_order": ["Put each of the three priority groups in order once."]}
    with tenant_context(alpha):
        assert Location.objects.get(pk=location.pk).priority_order == [
            "work_or_training",
            "sibling",
            "foster_child",
        ]


def test_location_create_refuses_a_wrong_priority_order(alpha):
    organizer = make_organizer(alpha)
    errors = refusal(
        alpha, services.location_create, **fields(organizer, priority_order=["sibling"])
    )
    assert set(errors) == {"priority_order"}
