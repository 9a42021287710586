"""Register once: one request per loket, one registry entry each, all or nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from tenants.requests.models import ChildcareRequest, RequestChoice
from tenants.requests.services import open_registrations_of_child, request_submit
from tests.support.providers import make_location
from tests.support.requests import request_data, some_day, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def herent_and_tienen(world):
    return (
        make_location(world.lokets["alpha"], name="Bengeltjes"),
        make_location(world.lokets["alpha"], name="Speelvogel"),
        make_location(world.lokets["beta"], name="Zonnestraal"),
    )


def requests_in(loket):
    with tenant_context(loket):
        return list(ChildcareRequest.objects.prefetch_related("choices"))


def test_one_registration_makes_a_request_in_each_loket_and_counts_one_child(
    world, herent_and_tienen
):
    parent = world.users["parent"]
    entries = submit(*herent_and_tienen, parent=parent)

    assert [entry.loket.slug for entry in entries] == ["alpha", "beta"]
    assert len({entry.submission for entry in entries}) == 1
    assert len({entry.name_key for entry in entries}) == 1  # one child
    alpha_requests, beta_requests = (
        requests_in(world.lokets["alpha"]),
        requests_in(world.lokets["beta"]),
    )
    assert [[c.rank for c in r.choices.all()] for r in alpha_requests] == [[1, 2]]
    assert [r.choices.count() for r in beta_requests] == [1]
    assert requests_in(world.lokets["gamma"]) == []
    assert alpha_requests[0].reference.startswith("ALP-")
    assert alpha_requests[0].registered_at == beta_requests[0].registered_at


def test_a_valid_national_number_is_encrypted_in_the_loket_and_absent_from_public(
    world, herent_and_tienen
):
    number = "25031512345"
    base = int("2" + number[:9])
    number = number[:9] + f"{97 - base % 97:02d}"
    submit(*herent_and_tienen, national_number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(r)::text FROM registry_registryentry r")
        public_rows = " ".join(row[0] for row in cursor.fetchall())
    assert number not in public_rows
    assert "Lotte" not in public_rows and "Vermeulen" not in public_rows
    with tenant_context(world.lokets["alpha"]):
        request = ChildcareRequest.objects.get()
        assert number not in request.national_number_encrypted
        assert request.national_number == number


def test_a_failure_in_the_middle_leaves_no_partial_request_anywhere(
    world, herent_and_tienen, monkeypatch
):
    from tenants.requests import services

    real_create = RegistryEntry.objects.create
    calls = []

    def fail_on_second_loket(**fields):
        calls.append(fields["loket"].slug)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_create(**fields)

    monkeypatch.setattr(services.RegistryEntry.objects, "create", fail_on_second_loket)
    with pytest.raises(RuntimeError):
        submit(*herent_and_tienen, parent=world.users["parent"])
    assert calls == ["alpha", "beta"]
    assert requests_in(world.lokets["alpha"]) == []
    assert requests_in(world.lokets["beta"]) == []
    assert not RegistryEntry.objects.exists()
    with tenant_context(world.lokets["alpha"]):
        assert not RequestChoice.objects.exists()


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("lotte", "VERMEULEN"),
        ("Lotte ", " Vermeulen"),
        ("Lötte", "Vermeülen"),
        ("LOTTE", "ver meulen"),
        ("Lotte", "Ver-Meulen"),
    ],
)
def test_the_same_child_is_recognised_despite_capitals_accents_and_spaces(
    world, herent_and_tienen, first, last
):
    submit(herent_and_tienen[0], parent=world.users["parent"])
    data = request_data(herent_and_tienen[2], child_first_name=first, child_last_name=last)
    found = open_registrations_of_child(data=data, parent=world.users["parent"])
    assert [entry.loket.slug for entry in found] == ["alpha"]


def test_another_child_is_not_matched(world, herent_and_tienen):
    submit(herent_and_tienen[0], parent=world.users["parent"])
    data = request_data()
    data.child_birth_date += timedelta(days=1)
    assert not open_registrations_of_child(data=data, parent=world.users["parent"]).exists()


def test_registering_again_can_add_the_new_choices_to_the_open_request(world, herent_and_tienen):
    bengeltjes, speelvogel, zonnestraal = herent_and_tienen
    parent = world.users["parent"]
    first = submit(bengeltjes, parent=parent)
    again = request_submit(
        data=request_data(speelvogel, zonnestraal, child_first_name="LOTTE"),
        parent=parent,
        now=first[0].registered_at + timedelta(hours=1),
        add_to_open_requests=True,
    )
    assert [entry.loket.slug for entry in again] == ["alpha", "beta"]
    assert again[0].pk == first[0].pk  # the existing request in alpha
    assert again[1].submission == first[0].submission  # linked as one request
    (alpha_request,) = requests_in(world.lokets["alpha"])
    assert [c.location_id for c in alpha_request.choices.all()] == [bengeltjes.pk, speelvogel.pk]
    assert RegistryEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"desired_start": some_day(-1)}, "desired_start"),
        ({"desired_start": some_day(500)}, "desired_start"),
        ({"care_plan": []}, "care_plan"),
        ({"consent": False}, "consent"),
        ({"national_number": "12345678901"}, "national_number"),
        ({"is_expected_birth": True, "child_birth_date": some_day(260)}, "child_birth_date"),
        ({"child_birth_date": some_day(10)}, "child_birth_date"),
    ],
)
def test_rules_refuse_with_a_message_per_field(world, herent_and_tienen, overrides, field):
    with pytest.raises(ValidationError) as error:
        submit(herent_and_tienen[0], **overrides)
    assert field in error.value.message_dict
    assert not RegistryEntry.objects.exists()


def test_a_loket_maximum_of_choices_is_enforced(world, herent_and_tienen):
    alpha = world.lokets["alpha"]
    alpha.max_choices = 1
    alpha.save(update_fields=["max_choices"])
    with pytest.raises(ValidationError) as error:
        submit(*herent_and_tienen)
    assert "Loket Alpha" in " ".join(error.value.message_dict["choices"])


def test_an_unborn_child_may_be_registered_from_the_third_month_of_pregnancy(
    world, herent_and_tienen
):
    entries = submit(
        herent_and_tienen[0],
        is_expected_birth=True,
        child_first_name="",
        child_birth_date=some_day(150),
        desired_start=some_day(330),
    )
    assert entries[0].age_group == "baby"


def test_the_registration_window_counts_whole_months_to_the_day(world, herent_and_tienen):
    from datetime import date

    from tenants.requests.rules import rule_errors
    from tests.support.requests import catalogue_entry

    choices = [catalogue_entry(herent_and_tienen[0])]

    def errors(start):
        return rule_errors(
            today=date(2026, 11, 1),
            birth_date=date(2026, 9, 1),
            is_expected_birth=False,
            desired_start=start,
            choices=choices,
        )

    assert "desired_start" not in errors(date(2027, 11, 1))  # exactly 12 months ahead
    message = errors(date(2027, 11, 10))["desired_start"][0]
    assert "10/11/2026" in message  # register from 12 months before that start
