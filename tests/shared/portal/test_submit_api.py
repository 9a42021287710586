"""The parents' API for registering a request: the wizard's rules, errors where the body is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shared.registry.models import RegistryEntry
from shared.statistics.selectors import Period, figures_compute, scope_for_region
from tests.shared.portal.test_wizard import PORTAL, Wizard, answers, english, requests_in
from tests.support.providers import make_location
from tests.support.requests import catalogue_entry, some_day, submit

pytestmark = pytest.mark.django_db

API = "/api/v1/my/requests/"


@pytest.fixture
def places(world):
    """The loket's locations (what ``submit`` takes), by name."""
    return {
        "bengeltjes": make_location(world.lokets["alpha"], name="Bengeltjes"),
        "zonnestraal": make_location(world.lokets["beta"], name="Zonnestraal"),
    }


@pytest.fixture
def catalogue(places):
    """The same locations in the catalogue (what the API takes)."""
    return {name: catalogue_entry(location) for name, location in places.items()}


def body(*locations, child=None, family=None, **overrides) -> dict:
    values = {
        "child": {
            "first_name": "Lotte",
            "last_name": "Vermeulen",
            "birth_date": some_day(-120).isoformat(),
            "is_expected_birth": False,
            "national_number": "",
        },
        "family": {
            "street": "Kerkstraat 4",
            "postcode": "3020",
            "residence": "24038",
            "email": "sara@example.be",
            "phone": "0470 12 34 56",
            "language": "nl",
            "guardians": [
                {
                    "first_name": "Sara",
                    "last_name": "Peeters",
                    "email": "sara@example.be",
                    "phone": "0470 12 34 56",
                }
            ],
        },
        "desired_start": some_day(150).isoformat(),
        "care_plan": ["mon_am", "mon_pm", "tue_am", "tue_pm"],
        "choices": [location.pk for location in locations],
        "priorities": ["work_or_training"],
        "remarks": "",
        "consent": True,
    }
    values["child"].update(child or {})
    values["family"].update(family or {})
    values.update(overrides)
    return values


def unborn(due_in_days: int = 60, **child) -> dict:
    return {"first_name": "", "birth_date": some_day(due_in_days).isoformat(), **child} | {
        "is_expected_birth": True
    }


def post(client, data: dict):
    return client.post(API, data, content_type="application/json")


def test_the_api_registers_a_request_with_a_reference_per_loket(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    parent = world.users["parent"]
    client = client_for(PORTAL, user=parent)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, body(catalogue["bengeltjes"], catalogue["zonnestraal"]))
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    entries = RegistryEntry.objects.filter(parent=parent).select_related("loket", "child")
    assert data["references"] == {entry.loket.slug: entry.reference for entry in entries}
    assert set(data["references"]) == {"alpha", "beta"}
    assert data["submission"] == str(entries[0].submission)
    assert data["child_id"] == str(entries[0].child.public_id)
    assert data["requests"] == [
        {key: data[key] for key in ("submission", "references", "child_id")}
    ]
    (alpha_request,) = requests_in(world.lokets["alpha"])
    assert alpha_request.child_name == "Lotte Vermeulen"
    assert alpha_request.guardians == [
        {"name": "Sara Peeters", "email": "sara@example.be", "phone": "0470 12 34 56"}
    ]
    # The request shows up among the parent's requests, and the family is told.
    listed = client.get(API).json()["results"]
    assert [item["submission"] for item in listed] == [data["submission"]]
    (mail,) = mailoutbox
    # To the account's verified address, not the one typed with the request.
    assert mail.to == [world.users["parent"].email]
    assert alpha_request.reference in mail.body
    assert f"http://{PORTAL}/mijn-aanvragen/" in mail.body


def test_on_a_lokets_host_the_request_is_registered_as_in_the_wizard(client_for, world, catalogue):
    answer = post(client_for("alpha", user="parent"), body(catalogue["zonnestraal"]))
    assert answer.status_code == 201
    assert set(answer.json()["references"]) == {"beta"}
    assert requests_in(world.lokets["alpha"]) == []
    (beta_request,) = requests_in(world.lokets["beta"])
    assert beta_request.parent == world.users["parent"]


def test_a_bad_body_gives_the_wizards_messages_at_each_json_field(client_for, world, catalogue):
    client = english(client_for(PORTAL, user="parent"))
    answer = post(
        client,
        body(
            catalogue["bengeltjes"],
            child={"first_name": ""},
            family={"postcode": "9999"},
            desired_start=some_day(-1).isoformat(),
            consent=False,
        ),
    )
    assert answer.status_code == 400
    errors = answer.json()
    assert errors["child"] == {"first_name": ["Fill in the child's first name."]}
    assert errors["family"] == {"postcode": ["We do not know the postcode 9999."]}
    assert errors["desired_start"] == ["The desired start date cannot be in the past."]
    assert errors["consent"] == ["We can only register the request with your consent."]
    assert not RegistryEntry.objects.exists()

    # The wizard says the very same next to its fields.
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    steps = answers(kind={"first_name": ""}, gezin={"postcode": "9999"})
    child_form = wizard.post("kind", steps["kind"]).context["form"]
    assert child_form.errors["first_name"] == errors["child"]["first_name"]
    wizard.post("kind", answers()["kind"])
    family_form = wizard.post("gezin", steps["gezin"]).context["form"]
    assert family_form.errors["postcode"] == errors["family"]["postcode"]


def test_locations_outside_this_hosts_catalogue_or_unknown_are_refused_by_index(
    client_for, world, catalogue
):
    client = english(client_for(PORTAL, user="parent"))
    answer = post(client, body(catalogue["bengeltjes"], choices=[catalogue["bengeltjes"].pk, 0]))
    assert answer.status_code == 400
    assert answer.json() == {"choices": {"1": ["This location cannot be chosen here."]}}
    # Nothing chosen at all: the service's own message.
    answer = post(client, body(choices=[]))
    assert answer.json() == {"choices": ["Choose at least one location."]}
    assert not RegistryEntry.objects.exists()


def test_types_are_checked_before_the_rules(client_for, world, catalogue):
    client = english(client_for(PORTAL, user="parent"))
    data = body(catalogue["bengeltjes"])
    data["child"]["birth_date"] = "25/02/2027"
    data["family"]["residence"] = "00000"
    answer = post(client, data)
    assert answer.status_code == 400
    assert set(answer.json()) == {"child", "family"}
    assert "birth_date" in answer.json()["child"]
    assert "residence" in answer.json()["family"]


def test_only_a_logged_in_parent_registers(client_for, world, catalogue):
    answer = post(client_for(PORTAL), body(catalogue["bengeltjes"]))
    assert answer.status_code == 403
    assert not RegistryEntry.objects.exists()


def test_twins_are_two_requests_and_two_children_in_the_figures(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(PORTAL, user="parent")
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(
            client,
            body(catalogue["bengeltjes"], child=unborn(last_name="Peeters"), expected_children=2),
        )
    assert answer.status_code == 201, answer.json()
    made = answer.json()["requests"]
    assert len(made) == 2
    assert made[0]["child_id"] != made[1]["child_id"]
    assert made[0]["submission"] != made[1]["submission"]
    assert answer.json()["child_id"] == made[0]["child_id"]
    today = timezone.localdate()
    figures = figures_compute(
        scope=scope_for_region(region=world.region),
        period=Period(start=today.replace(day=1), end=today + timedelta(days=1)),
    )
    assert figures["totals"]["unique_requests"] == 2
    # One e-mail lists both children's references.
    (mail,) = mailoutbox
    for item in made:
        assert item["references"]["alpha"] in mail.body


def test_born_children_are_registered_one_by_one(client_for, world, catalogue):
    client = english(client_for(PORTAL, user="parent"))
    answer = post(client, body(catalogue["bengeltjes"], expected_children=2))
    assert answer.status_code == 400
    assert answer.json() == {
        "expected_children": [
            "Register born children one by one: each has a name and a date of birth."
        ]
    }


def test_a_child_registered_before_is_linked_to_its_identity(client_for, world, places, catalogue):
    parent = world.users["parent"]
    (earlier,) = submit(
        places["bengeltjes"],
        parent=parent,
        child_first_name="",
        child_birth_date=some_day(60),
        is_expected_birth=True,
    )
    client = client_for(PORTAL, user=parent)
    (known,) = client.get("/api/v1/my/children/").json()
    assert known == {
        "child_id": str(earlier.child.public_id),
        "first_name": "",
        "birth_date": some_day(60).isoformat(),
        "is_expected_birth": True,
    }
    # Born much later than expected, and named: only the parent's word links it.
    answer = post(
        client,
        body(
            catalogue["zonnestraal"],
            child={"first_name": "Lena", "birth_date": some_day(-1).isoformat()},
            child_id=known["child_id"],
        ),
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["child_id"] == known["child_id"]
    assert RegistryEntry.objects.filter(child=earlier.child).count() == 2


def test_another_familys_child_is_refused_and_nothing_is_registered(
    client_for, world, places, catalogue
):
    (theirs,) = submit(places["bengeltjes"], parent=world.users["other_parent"])
    client = english(client_for(PORTAL, user="parent"))
    assert client.get("/api/v1/my/children/").json() == []
    answer = post(client, body(catalogue["zonnestraal"], child_id=str(theirs.child.public_id)))
    assert answer.status_code == 400
    assert answer.json() == {"child_id": ["This is not one of the children you registered."]}
    assert RegistryEntry.objects.count() == 1


def test_two_families_with_one_surname_and_due_date_have_two_children(client_for, world, catalogue):
    expected = unborn(90, last_name="Peeters")
    for user in ("parent", "other_parent"):
        answer = post(client_for(PORTAL, user=user), body(catalogue["bengeltjes"], child=expected))
        assert answer.status_code == 201
    assert RegistryEntry.objects.values("child").distinct().count() == 2


def test_registered_before_and_after_birth_by_one_parent_is_one_child(client_for, world, catalogue):
    client = client_for(PORTAL, user="parent")
    before = post(
        client, body(catalogue["bengeltjes"], child=unborn(10, last_name="Peeters"))
    ).json()
    # Born, named, three weeks before the due date: within the window.
    born = {"first_name": "Lena", "last_name": "Peeters", "birth_date": some_day(-11).isoformat()}
    after = post(client, body(catalogue["zonnestraal"], child=born))
    assert after.status_code == 201, after.json()
    assert after.json()["child_id"] == before["child_id"]
    (child,) = client.get("/api/v1/my/children/").json()
    assert child["first_name"] == "Lena" and child["is_expected_birth"] is False


def test_a_child_born_on_the_day_of_a_sibling_needs_the_parents_word(client_for, world, catalogue):
    """A mistyped name or a twin: born on the same day, only the parent can tell."""
    client = english(client_for(PORTAL, user="parent"))
    lena = {"first_name": "Lena", "last_name": "Peeters", "birth_date": some_day(-90).isoformat()}
    first = post(client, body(catalogue["bengeltjes"], child=lena)).json()
    typo = {**lena, "first_name": "Lean"}
    answer = post(client, body(catalogue["zonnestraal"], child=typo))
    assert answer.status_code == 400
    (message,) = answer.json()["child_id"]
    assert f"Lena, born {some_day(-90):%d/%m/%Y}" in message and "another_child" in message
    assert RegistryEntry.objects.count() == 1  # nothing registered until the parent says
    # The same child, mistyped: one child in the registry.
    same = post(client, body(catalogue["zonnestraal"], child=typo, child_id=first["child_id"]))
    assert same.status_code == 201 and same.json()["child_id"] == first["child_id"]
    # A twin: a child of its own.
    twin = {**lena, "first_name": "Noor"}
    other = post(client, body(catalogue["bengeltjes"], child=twin, another_child=True))
    assert other.status_code == 201 and other.json()["child_id"] != first["child_id"]
    assert RegistryEntry.objects.values("child").distinct().count() == 2
    # Dutch first.
    another_typo = {**lena, "first_name": "Lnea"}
    dutch = post(
        client_for(PORTAL, user="parent"), body(catalogue["bengeltjes"], child=another_typo)
    )
    assert "Je registreerde al een kind" in dutch.json()["child_id"][0]
    # Names the family registered the child under before link by themselves, as ever.
    mistyped_again = post(client, body(catalogue["bengeltjes"], child=typo))
    assert mistyped_again.json()["child_id"] == first["child_id"]
    # The same name and day need no word: the registry links it.
    again = post(client, body(catalogue["zonnestraal"], child={**lena, "first_name": "LENA"}))
    assert again.status_code == 201 and again.json()["child_id"] == first["child_id"]


def test_the_children_list_shows_only_the_familys_own(client_for, world, places):
    submit(
        places["bengeltjes"],
        parent=world.users["parent"],
        child_first_name="Lena",
    )
    submit(
        places["bengeltjes"],
        parent=world.users["other_parent"],
        child_first_name="Mats",
    )
    mine = client_for(PORTAL, user="parent").get("/api/v1/my/children/").json()
    assert [child["first_name"] for child in mine] == ["Lena"]
    assert client_for(PORTAL).get("/api/v1/my/children/").status_code == 403


def test_both_hosts_document_registering_with_examples(client_for, world):
    for host in ("alpha", PORTAL):
        document = client_for(host).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
        operation = document["paths"][API]["post"]
        examples = operation["requestBody"]["content"]["application/json"]["examples"]
        assert "UnbornTwins" in examples
        assert set(operation["responses"]) >= {"201", "400"}
        assert "/api/v1/my/children/" in document["paths"]
