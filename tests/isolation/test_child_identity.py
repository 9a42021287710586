"""The child identity across families: counted once where it should, and never a lever.

A stranger who knows a child's name and date of birth (or even its national register
number) and registers "the same child" from another account learns nothing of the real
family's requests, cannot close, change or add to them, and the lokets get a possible
duplicate to decide. Real families are counted right: two families expecting a baby on
the same day, twins, a child registered before and after its birth.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.registry.models import Child, PossibleDuplicate, RegistryEntry, RequestStatus
from shared.statistics.selectors import Scope, figures_compute, period_of_year
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice
from tenants.requests.services import request_submit
from tests.shared.portal.test_wizard import PORTAL, Wizard, valid_national_number
from tests.support.allocation import accept, choice_of, offer
from tests.support.providers import make_location
from tests.support.requests import request_data, some_day, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    return {
        "alpha": make_location(world.lokets["alpha"], name="Kinderdagverblijf Appel"),
        "alpha_2": make_location(world.lokets["alpha"], name="Crèche Peer"),
        "beta": make_location(world.lokets["beta"], name="Onthaal Kers"),
    }


def children_counted(world) -> int:
    """Unique requests of this year in every loket of the region, as the figures say."""
    figures = figures_compute(
        scope=Scope(key="all", label="all"),
        period=period_of_year(timezone.localdate().year),
        supply_month=timezone.localdate().replace(day=1),
    )
    return figures["totals"]["unique_requests"]


def family_status(loket, entry) -> tuple[str, list[str]]:
    with tenant_context(loket):
        request = ChildcareRequest.objects.get(pk=entry.request_id)
        return request.status, [choice.status for choice in request.choices.all()]


def test_a_stranger_who_registers_the_same_child_learns_nothing_of_the_other_lokets(
    client_for, world, places
):
    submit(places["beta"], parent=world.users["parent"])  # the real family, in beta
    stranger = Wizard(client_for(PORTAL, user="other_parent")).start()
    stranger.fill(places_entry(places["alpha"]))
    review = stranger.get("overzicht").content.decode()
    assert "Loket Beta" not in review
    assert "already has an open request" not in review
    assert "al een open aanvraag" not in review


def places_entry(location):
    from shared.catalogue.models import CatalogueLocation

    return CatalogueLocation.objects.get(location_id=location.pk, loket__slug="alpha")


def test_a_strangers_accepted_place_closes_nothing_of_the_real_family(world, places):
    real = submit(places["beta"], places["alpha_2"], parent=world.users["parent"])
    fake = submit(places["alpha"], parent=world.users["other_parent"])
    assert {entry.child_id for entry in real + fake} == {real[0].child_id}  # counted once
    alpha = world.lokets["alpha"]
    made = offer(alpha, choice_of(fake, alpha, places["alpha"]), world.users["staff_alpha"])
    accept(alpha, made, world.users["other_parent"])

    for entry in real:
        status, choices = family_status(entry.loket, entry)
        assert status == RequestStatus.OPEN
        assert ChoiceStatus.CLOSED_ELSEWHERE not in choices
        assert RegistryEntry.objects.get(pk=entry.pk).status == RequestStatus.OPEN
    duplicate = PossibleDuplicate.objects.get(entry=fake[0])
    assert duplicate.status == PossibleDuplicate.Status.OPEN
    assert duplicate.placed_elsewhere_at is not None


def test_a_stranger_cannot_add_locations_to_the_real_familys_request(world, places):
    real = submit(places["alpha_2"], parent=world.users["parent"])
    fake = request_submit(
        data=request_data(places["alpha"]),
        parent=world.users["other_parent"],
        now=timezone.now(),
        add_to_open_requests=True,
    )
    # A request of the stranger's own, never a choice added to the family's.
    assert fake[0].request_id != real[0].request_id
    with tenant_context(world.lokets["alpha"]):
        assert list(
            RequestChoice.objects.filter(request_id=real[0].request_id).values_list(
                "location__name", flat=True
            )
        ) == ["Crèche Peer"]


def test_a_stranger_with_the_childs_national_number_changes_nothing_and_is_a_duplicate(
    world, places
):
    number = valid_national_number(
        birth=(timezone.localdate() - timedelta(days=120)).strftime("%y%m%d")
    )
    real = submit(places["beta"], parent=world.users["parent"], national_number=number)
    fake = submit(
        places["alpha"],
        parent=world.users["other_parent"],
        national_number=number,
        child_first_name="Someone",
        child_last_name="Else",
    )
    assert fake[0].child_id == real[0].child_id  # the same number is the same child
    duplicate = PossibleDuplicate.objects.get(entry=fake[0], other=real[0])
    assert duplicate.reason == PossibleDuplicate.Reason.NATIONAL_NUMBER
    # Knowing the id of a child of the family gives nothing: it is not one of the stranger's.
    sibling = submit(places["beta"], parent=world.users["parent"], child_first_name="Mats")
    with pytest.raises(ValidationError) as refused:
        request_submit(
            data=request_data(places["alpha_2"]),
            parent=world.users["other_parent"],
            now=timezone.now(),
            child_id=Child.objects.get(pk=sibling[0].child_id).public_id,
        )
    assert "child_id" in refused.value.message_dict
    stranger_in_alpha = RegistryEntry.objects.filter(family_key=fake[0].family_key)
    assert list(stranger_in_alpha) == [fake[0]]  # nothing registered by the refused attempt


def test_two_families_expecting_a_baby_on_the_same_day_are_two_children(world, places):
    due = some_day(90)
    unborn = {
        "is_expected_birth": True,
        "child_first_name": "",
        "child_birth_date": due,
        "desired_start": some_day(150),
    }
    one = submit(places["alpha"], parent=world.users["parent"], child_last_name="Peeters", **unborn)
    two = submit(
        places["alpha"], parent=world.users["other_parent"], child_last_name="Peeters", **unborn
    )
    assert one[0].child_id != two[0].child_id
    assert not PossibleDuplicate.objects.exists()
    assert children_counted(world) == 2


def test_unborn_twins_of_one_family_are_two_children(world, places):
    entries = request_submit(
        data=request_data(
            places["alpha"],
            places["beta"],
            is_expected_birth=True,
            child_first_name="",
            child_birth_date=some_day(90),
            desired_start=some_day(150),
        ),
        parent=world.users["parent"],
        now=timezone.now(),
        expected_children=2,
    )
    assert len(entries) == 4  # two children, each with a part in alpha and in beta
    assert len({entry.child_id for entry in entries}) == 2
    assert len({entry.submission for entry in entries}) == 2
    assert children_counted(world) == 2


def test_born_children_are_registered_one_by_one(world, places):
    with pytest.raises(ValidationError) as refused:
        request_submit(
            data=request_data(places["alpha"]),
            parent=world.users["parent"],
            now=timezone.now(),
            expected_children=2,
        )
    assert "expected_children" in refused.value.message_dict


def test_a_child_registered_before_and_after_birth_by_one_family_is_one_child(world, places):
    due = some_day(20)
    before = submit(
        places["alpha"],
        parent=world.users["parent"],
        is_expected_birth=True,
        child_first_name="",
        child_birth_date=due,
    )
    after = submit(
        places["beta"],
        parent=world.users["parent"],
        child_first_name="Lena",
        child_birth_date=timezone.localdate() - timedelta(days=1),  # born three weeks early
        desired_start=some_day(60),
    )
    assert before[0].child_id == after[0].child_id
    assert children_counted(world) == 1


def test_a_misspelt_name_with_the_same_national_number_is_one_child(world, places):
    number = valid_national_number(
        birth=(timezone.localdate() - timedelta(days=120)).strftime("%y%m%d")
    )
    first = submit(places["alpha"], parent=world.users["parent"], national_number=number)
    second = submit(
        places["beta"],
        parent=world.users["parent"],
        national_number=number,
        child_first_name="Lote",  # a typo
    )
    assert first[0].child_id == second[0].child_id
    assert not PossibleDuplicate.objects.exists()  # one family: nothing to decide
    assert children_counted(world) == 1


def test_twins_born_are_two_children_in_the_figures(world, places):
    born = timezone.localdate() - timedelta(days=100)
    submit(
        places["alpha"],
        parent=world.users["parent"],
        child_first_name="Noor",
        child_birth_date=born,
    )
    submit(
        places["alpha"], parent=world.users["parent"], child_first_name="Lou", child_birth_date=born
    )
    assert children_counted(world) == 2
