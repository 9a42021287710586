"""Typed history events: one recorder per kind, the details stored as before, in words.

Every kind of ``RequestEvent`` is recorded through its typed recorder against a real
request in a test loket; the stored details keep the keys older rows have, the audit
trail gets the event, and the parent reads it in Dutch, French and English.
"""

from __future__ import annotations

import inspect
from datetime import date, timedelta
from typing import Any, NamedTuple

import pytest
from django.utils import timezone, translation
from django_tenants.utils import tenant_context

from tenants.audit.models import AuditEvent
from tenants.requests import history
from tenants.requests.history import describe_event, read_event
from tenants.requests.models import ChildcareRequest, RequestEvent
from tests.support.providers import make_location
from tests.support.requests import submit

Kind = RequestEvent.Kind
START = date(2030, 9, 2)
LATER = date(2030, 10, 1)
ANSWER_BY = date(2030, 6, 14)


class Sample(NamedTuple):
    kind: str
    recorder: Any
    arguments: dict[str, Any]
    details: dict[str, Any]  # as stored, with the keys rows already in databases have


SAMPLES: dict[str, Sample] = {
    "submitted": Sample(
        Kind.SUBMITTED, history.record_submitted, {"by_staff": False}, {"by_staff": False}
    ),
    "submitted_at_the_desk": Sample(
        Kind.SUBMITTED, history.record_submitted, {"by_staff": True}, {"by_staff": True}
    ),
    "submitted_by_adding_locations": Sample(
        Kind.SUBMITTED,
        history.record_submitted,
        {"by_staff": False, "locations": ["De Vlinder"]},
        {"by_staff": False, "locations": ["De Vlinder"]},
    ),
    "changed_desired_start": Sample(
        Kind.CHANGED,
        history.record_changed,
        {"field": "desired_start", "old": START.isoformat(), "new": LATER.isoformat()},
        {"field": "desired_start", "from": "2030-09-02", "to": "2030-10-01"},
    ),
    "changed_care_plan": Sample(
        Kind.CHANGED,
        history.record_changed,
        {"field": "care_plan", "old": ["mon_am"], "new": ["mon_am", "mon_pm", "wed_pm"]},
        {"field": "care_plan", "from": ["mon_am"], "to": ["mon_am", "mon_pm", "wed_pm"]},
    ),
    "changed_child_after_birth": Sample(
        Kind.CHANGED,
        history.record_changed,
        {
            "field": "child",
            "old": {"first_name": "", "birth_date": "2030-03-01", "is_expected_birth": True},
            "new": {"first_name": "Lena", "birth_date": "2030-02-26", "is_expected_birth": False},
        },
        {
            "field": "child",
            "from": {"first_name": "", "birth_date": "2030-03-01", "is_expected_birth": True},
            "to": {"first_name": "Lena", "birth_date": "2030-02-26", "is_expected_birth": False},
        },
    ),
    "changed_another_field": Sample(
        Kind.CHANGED,
        history.record_changed,
        {"field": "is_flexible", "old": False, "new": True},
        {"field": "is_flexible", "from": False, "to": True},
    ),
    "choice_order_changed": Sample(
        Kind.CHANGED,
        history.record_choice_order_changed,
        {"locations": ["Het Nest", "De Vlinder"]},
        {"field": "choice_order", "locations": ["Het Nest", "De Vlinder"]},
    ),
    "choices_added": Sample(
        Kind.CHOICES_ADDED,
        history.record_choices_added,
        {"locations": ["De Vlinder", "Het Nest"]},
        {"locations": ["De Vlinder", "Het Nest"]},
    ),
    "choice_removed": Sample(
        Kind.CHOICE_REMOVED,
        history.record_choice_removed,
        {"location": "Het Nest"},
        {"location": "Het Nest"},
    ),
    "withdrawn": Sample(
        Kind.WITHDRAWN,
        history.record_withdrawn,
        {"whole_request": True, "reason": "We found a nanny"},
        {"whole_request": True, "reason": "We found a nanny"},
    ),
    "withdrawn_without_reason": Sample(
        Kind.WITHDRAWN,
        history.record_withdrawn,
        {"whole_request": False, "reason": ""},
        {"whole_request": False, "reason": ""},
    ),
    "claimed": Sample(Kind.CLAIMED, history.record_claimed, {}, {}),
    "note_added": Sample(Kind.NOTE, history.record_note_added, {"note": 7}, {"note": 7}),
    "confirmed": Sample(
        Kind.CONFIRMED,
        history.record_confirmed,
        {"previous_until": date(2030, 1, 31), "until": date(2030, 7, 31)},
        {"from": "2030-01-31", "to": "2030-07-31"},
    ),
    "confirmed_the_first_time": Sample(
        Kind.CONFIRMED,
        history.record_confirmed,
        {"previous_until": None, "until": date(2030, 7, 31)},
        {"from": None, "to": "2030-07-31"},
    ),
    "lapsed": Sample(
        Kind.LAPSED,
        history.record_lapsed,
        {"confirmed_until": date(2030, 1, 31), "choices": [3, 4]},
        {"confirmed_until": "2030-01-31", "choices": [3, 4]},
    ),
    "reopened": Sample(
        Kind.REOPENED, history.record_reopened, {"choices": [3, 4]}, {"choices": [3, 4]}
    ),
    "reopened_after_closing": Sample(
        Kind.REOPENED,
        history.record_reopened_after_closing,
        {"locations": ["De Vlinder"]},
        {"locations": ["De Vlinder"], "reason": "location_closed"},
    ),
    "offer_made": Sample(
        Kind.OFFER_MADE,
        history.record_offer_made,
        {"location": "De Vlinder", "start_date": START, "answer_by": ANSWER_BY, "passed_over": 2},
        {
            "location": "De Vlinder",
            "start_date": "2030-09-02",
            "answer_by": "2030-06-14",
            "passed_over": 2,
        },
    ),
    "no_place": Sample(
        Kind.NO_PLACE,
        history.record_no_place,
        {"location": "De Vlinder", "reason_code": "no_capacity_days", "note": "Full until 2031"},
        {
            "location": "De Vlinder",
            "reason": "",
            "reason_code": "no_capacity_days",
            "note": "Full until 2031",
        },
    ),
    "other_date": Sample(
        Kind.OTHER_DATE,
        history.record_other_date,
        {"location": "De Vlinder", "proposed_start": LATER, "reason_code": "start_date"},
        {"location": "De Vlinder", "proposed_start": "2030-10-01", "reason_code": "start_date"},
    ),
    "offer_accepted": Sample(
        Kind.OFFER_ACCEPTED,
        history.record_offer_accepted,
        {"location": "De Vlinder", "start_date": START},
        {"location": "De Vlinder", "start_date": "2030-09-02"},
    ),
    "offer_declined": Sample(
        Kind.OFFER_DECLINED,
        history.record_offer_declined,
        {"location": "De Vlinder", "reason": "Too far"},
        {"location": "De Vlinder", "reason": "Too far"},
    ),
    "offer_expired": Sample(
        Kind.OFFER_EXPIRED,
        history.record_offer_expired,
        {"location": "De Vlinder", "answer_by": ANSWER_BY},
        {"location": "De Vlinder", "answer_by": "2030-06-14"},
    ),
    "offer_withdrawn": Sample(
        Kind.OFFER_WITHDRAWN,
        history.record_offer_withdrawn,
        {"location": "De Vlinder", "reason": "placed_elsewhere"},
        {"location": "De Vlinder", "reason": "placed_elsewhere"},
    ),
    "closed_elsewhere": Sample(
        Kind.CLOSED_ELSEWHERE,
        history.record_closed_elsewhere,
        {"locations": ["De Vlinder", "Het Nest"]},
        {"locations": ["De Vlinder", "Het Nest"]},
    ),
    "location_closed_with_a_place": Sample(
        Kind.LOCATION_CLOSED,
        history.record_location_closed,
        {
            "location": "De Vlinder",
            "location_id": 12,
            "closes_on": START,
            "reason": "The building is sold",
            "was_placed": True,
            "offer_withdrawn": False,
            "reopened": ["Het Nest"],
        },
        {
            "location": "De Vlinder",
            "location_id": 12,
            "closes_on": "2030-09-02",
            "reason": "The building is sold",
            "was_placed": True,
            "offer_withdrawn": False,
            "reopened": ["Het Nest"],
        },
    ),
    "location_closed_a_choice": Sample(
        Kind.LOCATION_CLOSED,
        history.record_location_closed,
        {
            "location": "De Vlinder",
            "location_id": 12,
            "closes_on": START,
            "reason": "",
            "was_placed": False,
            "offer_withdrawn": True,
            "reopened": [],
        },
        {
            "location": "De Vlinder",
            "location_id": 12,
            "closes_on": "2030-09-02",
            "reason": "",
            "was_placed": False,
            "offer_withdrawn": True,
            "reopened": [],
        },
    ),
    "marked_urgent": Sample(
        Kind.MARKED_URGENT,
        history.record_marked_urgent,
        {"locations": ["De Vlinder", "Het Nest"]},
        {"locations": ["De Vlinder", "Het Nest"]},
    ),
    "marked_urgent_without_new_locations": Sample(
        Kind.MARKED_URGENT, history.record_marked_urgent, {"locations": []}, {"locations": []}
    ),
}


def test_every_kind_has_a_typed_recorder():
    recorded = {sample.kind for sample in SAMPLES.values()}
    for kind in RequestEvent.Kind:
        assert kind in recorded, f"no typed recorder for {kind}"


def test_every_recorder_is_sampled_and_takes_named_details_only():
    recorders = {
        name: value
        for name, value in vars(history).items()
        if name.startswith("record_") and callable(value)
    }
    assert set(recorders) == {sample.recorder.__name__ for sample in SAMPLES.values()}
    for name, recorder in recorders.items():
        request, *named = inspect.signature(recorder).parameters.values()
        assert request.name == "request", name
        assert all(parameter.kind is parameter.KEYWORD_ONLY for parameter in named), name
        assert {"actor", "at"} <= {parameter.name for parameter in named}, name


@pytest.mark.parametrize("name", SAMPLES)
def test_stored_details_read_back_as_they_were(name):
    sample = SAMPLES[name]
    event = read_event(kind=sample.kind, details=sample.details)
    assert event is not None and event.kind == sample.kind
    assert event.to_details() == sample.details


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def request_in_alpha(alpha) -> ChildcareRequest:
    entry = submit(make_location(alpha, name="De Vlinder"), child_first_name="Jasper")[0]
    with tenant_context(alpha):
        return ChildcareRequest.objects.get(pk=entry.request_id)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLES)
def test_each_kind_is_recorded_audited_and_described_in_every_language(
    name, world, alpha, request_in_alpha
):
    sample = SAMPLES[name]
    actor = world.users["staff_alpha"]
    # A moment of its own, to tell this event from the one of the registration.
    at = timezone.now() + timedelta(minutes=1)
    with tenant_context(alpha):
        recorded = sample.recorder(request_in_alpha, actor=actor, at=at, **sample.arguments)
        stored = RequestEvent.objects.get(pk=recorded.pk)
        audited = AuditEvent.objects.get(reference=request_in_alpha.reference, at=at)
    assert (stored.kind, stored.actor, stored.request_id) == (
        sample.kind,
        actor,
        request_in_alpha.pk,
    )
    assert stored.details == recorded.details == sample.details

    # The audit trail has the event, with its numeric details only (no names, no reasons).
    assert audited.object_type == AuditEvent.ObjectType.REQUEST
    assert audited.object_id == request_in_alpha.pk
    assert audited.actor == actor
    assert audited.action == (
        AuditEvent.Action.CREATED if sample.kind == Kind.SUBMITTED else AuditEvent.Action.CHANGED
    )
    numeric = {
        key: value
        for key, value in sample.details.items()
        if isinstance(value, int) and not isinstance(value, bool)
    }
    assert audited.details == {"event": sample.kind, **numeric}

    texts = {}
    for language in ("en", "nl", "fr"):
        with translation.override(language):
            texts[language] = describe_event(kind=stored.kind, details=stored.details)
    for language, text in texts.items():
        assert text.strip(), language
        assert text not in (sample.kind, f"{sample.kind}."), language
    assert texts["nl"] != texts["en"], texts
    assert texts["fr"] != texts["en"], texts


def test_the_words_are_those_parents_read():
    with translation.override("en"):
        assert describe_event(kind=Kind.OFFER_MADE, details=SAMPLES["offer_made"].details) == (
            "De Vlinder offers a place from 2 September 2030; please answer by 14 June 2030."
        )
        assert describe_event(kind=Kind.CHANGED, details=SAMPLES["changed_care_plan"].details) == (
            "The care plan changed to: Monday: whole day; Wednesday: afternoon."
        )
        assert describe_event(kind=Kind.WITHDRAWN, details=SAMPLES["withdrawn"].details) == (
            "Your request was withdrawn. Reason: We found a nanny"
        )
        assert describe_event(kind=Kind.NOTE, details={"note": 7}) == "Note added."
        assert describe_event(kind=Kind.MARKED_URGENT, details={"locations": []}).endswith(": —.")


def test_old_or_odd_rows_are_still_described():
    with translation.override("en"):
        assert describe_event(kind=Kind.OFFER_MADE, details={}) == (
            " offers a place from ; please answer by ."
        )
        assert describe_event(kind=Kind.CHANGED, details=None) == "Your request was changed."
        assert describe_event(
            kind=Kind.CHANGED, details={"field": "desired_start", "from": "soon", "to": None}
        ) == ("The desired start date changed from soon to None.")
        assert describe_event(kind="some_new_kind", details={}) == "Some new kind."
    assert read_event(kind="some_new_kind", details={}) is None
