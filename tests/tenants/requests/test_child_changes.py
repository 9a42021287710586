"""The child after birth: one change fills in the child in every part, registry and identity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from shared.catalogue.vocabulary import age_group_at
from shared.lokets.models import OutgoingEmail
from shared.lokets.outbox import outbox_send_due
from shared.registry.identity import child_keys
from shared.registry.models import Child, PossibleDuplicate, RegistryEntry, RequestStatus
from shared.statistics.selectors import Scope, figures_compute, period_of_year
from tenants.requests import child_changes
from tenants.requests.birth_reminders import BIRTH_REMINDER_DAYS, birth_reminders_send
from tenants.requests.changes import request_withdraw
from tenants.requests.child_changes import request_update_child, request_update_child_by_staff
from tenants.requests.history import describe_event
from tenants.requests.models import ChildcareRequest, RequestEvent, RequestNotice
from tenants.requests.parts import RequestNotFound
from tenants.requests.services import request_submit
from tests.shared.portal.test_wizard import valid_national_number
from tests.support.emails import sent_after_commit
from tests.support.providers import make_location
from tests.support.requests import request_data, some_day, submit

pytestmark = pytest.mark.django_db

UNBORN = {"is_expected_birth": True, "child_first_name": ""}


@pytest.fixture
def places(world):
    return {
        "alpha": make_location(world.lokets["alpha"], name="De Appel"),
        "beta": make_location(world.lokets["beta"], name="De Kers"),
    }


@pytest.fixture
def unborn(world, places):
    """Registered before birth (due in ten days) at alpha and beta: one submission."""
    return submit(
        places["alpha"],
        places["beta"],
        parent=world.users["parent"],
        child_birth_date=some_day(10),
        **UNBORN,
    )


def requests_of(entries) -> list[ChildcareRequest]:
    found = []
    for entry in entries:
        with tenant_context(entry.loket):
            found.append(ChildcareRequest.objects.get(pk=entry.request_id))
    return found


def events_of(entry) -> list[RequestEvent]:
    with tenant_context(entry.loket):
        return list(RequestEvent.objects.filter(request_id=entry.request_id))


def children_counted() -> int:
    figures = figures_compute(
        scope=Scope(key="all", label="all"), period=period_of_year(timezone.localdate().year)
    )
    return figures["totals"]["unique_requests"]


def born(world, submission, **changes):
    values = {"first_name": "Lena", "birth_date": timezone.localdate()}
    values.update(changes)
    return request_update_child(
        user=world.users["parent"], submission=submission, now=timezone.now(), **values
    )


def test_the_birth_is_filled_in_in_every_part_and_every_registry_entry(world, unborn):
    child = unborn[0].child_id
    today = timezone.localdate()
    number = valid_national_number(birth=today.strftime("%y%m%d"))
    born(world, unborn[0].submission, national_number=number)

    keys = child_keys(
        first_name="Lena", last_name="Vermeulen", birth_date=today, national_number=number
    )
    for request in requests_of(unborn):
        assert (request.child_first_name, request.child_birth_date) == ("Lena", today)
        assert request.is_expected_birth is False
        assert request.national_number == number
    entries = RegistryEntry.objects.filter(pk__in=[entry.pk for entry in unborn])
    for entry in entries:
        assert (entry.name_key, entry.national_number_key) == (
            keys.name_key,
            keys.national_number_key,
        )
        assert entry.expected_birth is None
        assert entry.age_group == age_group_at(today, entry.desired_start)
    assert {entry.child_id for entry in entries} == {child}  # the identity stays
    assert children_counted() == 1
    assert not PossibleDuplicate.objects.exists()


def test_the_history_of_each_part_says_what_changed_without_the_national_number(world, unborn):
    number = valid_national_number(birth=timezone.localdate().strftime("%y%m%d"))
    born(world, unborn[0].submission, national_number=number)
    for entry in unborn:
        event = events_of(entry)[-1]
        assert (event.kind, event.details["field"]) == ("changed", "child")
        assert number not in str(event.details)
        assert event.details["to"]["first_name"] == "Lena"
        assert event.details["from"]["is_expected_birth"] is True
    with translation.override("en"):
        text = describe_event(kind=event.kind, details=event.details)
    assert text.startswith("The child's details were updated: Lena was born on ")


def test_another_identity_of_the_family_that_is_now_the_same_child_merges(world, places, unborn):
    # Registered again after the birth as "another child": an identity of its own.
    later = request_submit(
        data=request_data(places["beta"], child_first_name="Lena", child_birth_date=some_day(0)),
        parent=world.users["parent"],
        now=timezone.now(),
        another_child=True,
    )
    assert later[0].child_id != unborn[0].child_id
    assert children_counted() == 2

    born(world, unborn[0].submission)
    assert set(RegistryEntry.objects.values_list("child_id", flat=True)) == {unborn[0].child_id}
    assert not Child.objects.filter(pk=later[0].child_id).exists()  # merged away
    assert children_counted() == 1


def test_unborn_twins_stay_two_children_when_one_is_filled_in(world, places):
    twins = request_submit(
        data=request_data(places["alpha"], child_birth_date=some_day(10), **UNBORN),
        parent=world.users["parent"],
        now=timezone.now(),
        expected_children=2,
    )
    born(world, twins[0].submission)
    assert len(set(RegistryEntry.objects.values_list("child_id", flat=True))) == 2


def test_the_same_child_in_another_family_is_a_possible_duplicate(world, places, unborn):
    theirs = submit(
        places["alpha"],
        parent=world.users["other_parent"],
        child_first_name="Lena",
        child_birth_date=timezone.localdate(),
    )
    born(world, unborn[0].submission)
    duplicate = PossibleDuplicate.objects.get()
    assert (duplicate.entry_id, duplicate.other_id) == (unborn[0].pk, theirs[0].pk)
    # Counted once meanwhile; the other family's identity is kept.
    assert set(RegistryEntry.objects.values_list("child_id", flat=True)) == {theirs[0].child_id}
    assert children_counted() == 1
    with tenant_context(theirs[0].loket):
        assert ChildcareRequest.objects.get(pk=theirs[0].request_id).status == RequestStatus.OPEN


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"birth_date": some_day(1)}, "birth_date"),  # not born yet
        ({"birth_date": some_day(-60)}, "birth_date"),  # far from the due date
        ({"national_number": "12345678901"}, "national_number"),
        ({"postcode": "3000"}, "postcode"),  # not in the municipality of residence
        ({"street": ""}, "street"),
    ],
)
def test_details_that_break_a_rule_are_refused_and_nothing_changes(world, unborn, changes, field):
    with pytest.raises(ValidationError) as refused:
        born(world, unborn[0].submission, **changes)
    assert field in refused.value.message_dict
    for request in requests_of(unborn):
        assert request.is_expected_birth and request.child_first_name == ""
    assert set(RegistryEntry.objects.values_list("expected_birth", flat=True)) == {some_day(10)}


def test_a_new_address_and_phone_are_kept_when_given(world, unborn):
    born(world, unborn[0].submission, street="Stationsstraat 12", contact_phone="0470 00 00 00")
    for request in requests_of(unborn):
        assert (request.street, request.postcode) == ("Stationsstraat 12", "3020")
        assert request.contact_phone == "0470 00 00 00"


def test_a_failure_in_the_second_loket_leaves_everything_as_it_was(world, unborn, monkeypatch):
    real_record = child_changes.record_changed

    def fail_for_beta(request, **kwargs):
        if connection.tenant.slug == "beta":
            raise RuntimeError("database went away")
        return real_record(request, **kwargs)

    monkeypatch.setattr(child_changes, "record_changed", fail_for_beta)
    with pytest.raises(RuntimeError):
        born(world, unborn[0].submission)
    for request in requests_of(unborn):
        assert request.is_expected_birth and request.child_first_name == ""
    for entry in RegistryEntry.objects.all():
        assert entry.expected_birth == some_day(10)
        assert entry.name_key == unborn[0].name_key
    assert [event.kind for event in events_of(unborn[0])] == ["submitted"]


def test_another_family_cannot_fill_in_the_child(world, unborn):
    with pytest.raises(RequestNotFound):
        request_update_child(
            user=world.users["other_parent"],
            submission=unborn[0].submission,
            first_name="Lena",
            birth_date=timezone.localdate(),
            now=timezone.now(),
        )
    assert all(request.is_expected_birth for request in requests_of(unborn))


def test_a_closed_request_can_no_longer_be_changed(world, unborn):
    request_withdraw(
        user=world.users["parent"], submission=unborn[0].submission, now=timezone.now()
    )
    with pytest.raises(ValidationError) as refused:
        born(world, unborn[0].submission)
    assert refused.value.code == "not_changeable"


def test_loket_staff_fill_in_the_child_in_their_own_loket_only(world, unborn):
    alpha = world.lokets["alpha"]
    with tenant_context(alpha):
        request = ChildcareRequest.objects.get(pk=unborn[0].request_id)
        request_update_child_by_staff(
            request=request,
            actor=world.users["staff_alpha"],
            first_name="Lena",
            birth_date=timezone.localdate(),
            now=timezone.now(),
        )
    # Alpha's part is filled in; beta's is beta's to change (or the parent's), never alpha's.
    assert [r.child_first_name for r in requests_of(unborn)] == ["Lena", ""]
    entries = {entry.loket.slug: entry for entry in RegistryEntry.objects.select_related("loket")}
    assert entries["alpha"].expected_birth is None
    assert entries["beta"].expected_birth is not None
    assert entries["alpha"].child_id == entries["beta"].child_id  # still one child
    assert events_of(unborn[0])[-1].actor == world.users["staff_alpha"]
    assert all(event.actor != world.users["staff_alpha"] for event in events_of(unborn[1]))


def overdue(entries, days: int = BIRTH_REMINDER_DAYS):
    """The due date was ``days`` ago (registering with a past due date is refused)."""
    due = timezone.localdate() - timedelta(days=days)
    for entry in entries:
        with tenant_context(entry.loket):
            ChildcareRequest.objects.filter(pk=entry.request_id).update(child_birth_date=due)
        RegistryEntry.objects.filter(pk=entry.pk).update(expected_birth=due)


def run_reminders(world) -> int:
    sent = 0
    for slug in ("alpha", "beta"):
        with tenant_context(world.lokets[slug]), sent_after_commit():
            sent += birth_reminders_send(loket=world.lokets[slug], now=timezone.now())["sent"]
    return sent


def test_the_family_is_reminded_once_to_fill_in_the_birth(world, unborn):
    overdue(unborn, days=BIRTH_REMINDER_DAYS - 1)
    assert run_reminders(world) == 0  # not yet

    overdue(unborn)
    assert run_reminders(world) == 1  # one e-mail for the request, not one per loket
    assert run_reminders(world) == 0
    (message,) = mail.outbox
    assert message.to == ["sara@example.be"]
    assert f"/mijn-aanvragen/{unborn[0].submission}/kind/" in message.body
    assert "Is je kindje geboren?" in message.subject
    with tenant_context(world.lokets["alpha"]):
        assert RequestNotice.objects.get().kind == RequestNotice.Kind.BIRTH_REMINDER


def test_a_birth_reminder_the_mail_server_refuses_is_sent_by_the_outbox_once(
    world, unborn, monkeypatch
):
    overdue(unborn)
    with monkeypatch.context() as refusing:

        def refuse(*args, **kwargs):
            raise OSError("mail server unreachable")

        refusing.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        assert run_reminders(world) == 1  # written, with its e-mail waiting in the outbox
    assert mail.outbox == []
    with tenant_context(world.lokets["alpha"]):
        notice = RequestNotice.objects.get()
    row = OutgoingEmail.objects.get(pk=notice.outgoing_email_id)
    assert row.sent_at is None and "unreachable" in row.last_error

    assert run_reminders(world) == 0  # not written twice
    outbox_send_due(now=timezone.now() + timedelta(hours=1))
    outbox_send_due(now=timezone.now() + timedelta(hours=2))
    sent = [message.subject for message in mail.outbox if message.to == ["sara@example.be"]]
    assert ["Is je kindje geboren?" in subject for subject in sent].count(True) == 1


def test_a_born_child_gets_no_reminder(world, unborn):
    born(world, unborn[0].submission, birth_date=timezone.localdate())
    overdue([])  # nothing unborn left to move
    assert run_reminders(world) == 0
    assert mail.outbox == []
