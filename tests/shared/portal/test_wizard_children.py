"""Which child a request is for, in the wizard: a child registered before, another, or twins."""

from __future__ import annotations

import re

import pytest

from shared.portal.drafts import DESK as DESK_MODE
from shared.portal.drafts import draft_get
from shared.registry.models import RegistryEntry
from tests.shared.portal.test_wizard import (
    PORTAL,
    Wizard,
    answers,
    english,
    offer_location,
    requests_in,
    some_day,
)
from tests.support.providers import make_location
from tests.support.requests import catalogue_entry, submit

pytestmark = pytest.mark.django_db

DESK = "/beheer/aanvraag"


@pytest.fixture
def catalogue(world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    return {
        "bengeltjes": catalogue_entry(make_location(alpha, name="Bengeltjes")),
        "speelvogel": catalogue_entry(make_location(alpha, name="Speelvogel")),
        "zonnestraal": catalogue_entry(make_location(beta, name="Zonnestraal")),
    }


def unborn(days: int = 60, **values) -> dict:
    return {"first_name": "", "birth_date": some_day(days).isoformat(), **values} | {
        "is_expected_birth": "on"
    }


def registered(world, catalogue, user: str = "parent", **data) -> RegistryEntry:
    (entry,) = submit(
        offer_location(world, "alpha", catalogue["bengeltjes"]), parent=world.users[user], **data
    )
    return entry


def test_a_parent_with_children_registered_before_is_asked_which_child(
    client_for, world, catalogue
):
    lena = registered(world, catalogue, child_first_name="Lena", child_birth_date=some_day(-30))
    expected = registered(
        world, catalogue, child_first_name="", child_birth_date=some_day(60), is_expected_birth=True
    )
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    page = wizard.get("kind").content.decode()
    assert "Which child is this request for?" in page
    assert f"Lena, born {some_day(-30):%d/%m/%Y}" in page
    assert f"expected on {some_day(60):%d/%m/%Y}" in page
    assert "Another child" in page
    for entry in (lena, expected):
        assert f'value="{entry.child.public_id}"' in page
    assert "We expect more than one child" in page
    # Dutch first.
    dutch = Wizard(client_for(PORTAL, user="parent")).start().get("kind").content.decode()
    assert "Voor welk kind is deze aanvraag?" in dutch and "Een ander kind" in dutch
    assert f"verwacht op {some_day(60):%d/%m/%Y}" in dutch
    assert "We verwachten meer dan één kind" in dutch


def test_a_parent_without_children_registered_before_is_not_asked(client_for, world, catalogue):
    registered(world, catalogue, user="other_parent", child_first_name="Mats")
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    page = wizard.get("kind").content.decode()
    assert "Which child is this request for?" not in page
    assert "Mats" not in page


def test_the_question_must_be_answered_and_what_was_typed_stays(client_for, world, catalogue):
    registered(world, catalogue, child_first_name="Lena")
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    typed = {**answers()["kind"], "first_name": "Noor", "last_name": "Claes"}
    response = wizard.post("kind", typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose which child this request is for." in page
    assert 'value="Noor"' in page and 'value="Claes"' in page
    # Another family's child cannot be slipped in.
    (theirs,) = submit(
        offer_location(world, "alpha", catalogue["bengeltjes"]),
        parent=world.users["other_parent"],
    )
    response = wizard.post("kind", {**typed, "known_child": str(theirs.child.public_id)})
    assert response.status_code == 200
    assert "known_child" in response.context["form"].errors


def test_choosing_a_child_registered_before_links_that_identity(client_for, world, catalogue):
    before = registered(
        world, catalogue, child_first_name="", child_birth_date=some_day(60), is_expected_birth=True
    )
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    # Born far from the due date: only the parent's word makes it the same child.
    born = {"first_name": "Lena", "birth_date": some_day(-10).isoformat()}
    wizard.fill(catalogue["zonnestraal"], kind={**born, "known_child": str(before.child.public_id)})
    response = wizard.post("overzicht", {"duplicate": "separate"})
    assert response.status_code == 302, response.context and response.context["state"].errors
    new = RegistryEntry.objects.get(loket=world.lokets["beta"])
    assert new.child_id == before.child_id


def test_another_child_with_the_same_due_date_is_a_child_of_its_own(client_for, world, catalogue):
    before = registered(
        world,
        catalogue,
        child_first_name="",
        child_last_name="Peeters",
        child_birth_date=some_day(60),
        is_expected_birth=True,
    )
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    kind = {**unborn(60, last_name="Peeters"), "known_child": "another"}
    # Due on the same day as the child registered before: the parent confirms.
    assert wizard.post("kind", kind).status_code == 200
    kind["another_child_confirmed"] = "on"
    wizard.fill(catalogue["speelvogel"], kind=kind)
    page = wizard.get("overzicht").content.decode()
    assert 'name="duplicate"' not in page  # not the earlier child: nothing to add to
    assert wizard.post("overzicht", {}).status_code == 302
    assert RegistryEntry.objects.exclude(pk=before.pk).get().child_id != before.child_id


def test_another_child_born_on_a_siblings_birthday_is_asked_about(client_for, world, catalogue):
    lena = registered(world, catalogue, child_first_name="Lena", child_birth_date=some_day(-200))
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    typed = {
        **answers()["kind"],
        "first_name": "Lean",
        "birth_date": some_day(-200).isoformat(),
        "known_child": "another",
    }
    response = wizard.post("kind", typed)
    assert response.status_code == 200
    page = response.content.decode()
    label = f"Lena, born {some_day(-200):%d/%m/%Y}"
    assert f"You registered {label} before" in page
    assert f"Yes, this is another child than {label} (for example a twin)" in page
    assert 'value="Lean"' in page  # nothing typed is lost
    # It was Lena after all: one child.
    wizard.fill(catalogue["zonnestraal"], kind={**typed, "known_child": str(lena.child.public_id)})
    assert wizard.post("overzicht", {"duplicate": "separate"}).status_code == 302
    assert RegistryEntry.objects.values("child").distinct().count() == 1
    # A twin, confirmed: a child of its own.
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    twin = {**typed, "first_name": "Noor", "another_child_confirmed": "on"}
    wizard.fill(catalogue["speelvogel"], kind=twin)
    assert wizard.post("overzicht", {}).status_code == 302
    assert RegistryEntry.objects.values("child").distinct().count() == 2
    # A birthday far from Lena's asks nothing.
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    sibling = {**typed, "first_name": "Mats", "birth_date": some_day(-30).isoformat()}
    assert wizard.post("kind", sibling).status_code == 302


def test_twins_are_two_requests_listed_on_the_done_page_and_in_the_mail(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    kind = {**unborn(60), "multiple_birth": "on", "expected_children": "2"}
    wizard.fill(catalogue["bengeltjes"], kind=kind)
    review = wizard.get("overzicht").content.decode()
    assert "How many children do you expect?" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.post("overzicht", {})
    assert response.status_code == 302
    first, second = requests_in(world.lokets["alpha"])
    entries = RegistryEntry.objects.order_by("id")
    assert entries.values("child").distinct().count() == 2
    assert len({entry.submission for entry in entries}) == 2
    done = wizard.client.get(response["Location"]).content.decode()
    assert re.search(rf"Child 1.*{first.reference}.*Child 2.*{second.reference}", done, re.S)
    (mail,) = mailoutbox  # in the family's language
    assert f"Kind 1 · Loket Alpha · referentie {first.reference}" in mail.body
    assert f"Kind 2 · Loket Alpha · referentie {second.reference}" in mail.body


def test_more_than_one_child_needs_the_number_and_counts_only_before_birth(
    client_for, world, catalogue
):
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    response = wizard.post("kind", {**answers()["kind"] | unborn(60), "multiple_birth": "on"})
    assert response.status_code == 200
    assert "Give the number of children you expect: 2 to 4." in response.content.decode()
    response = wizard.post(
        "kind", {**answers()["kind"] | unborn(60), "multiple_birth": "on", "expected_children": 5}
    )
    assert "expected_children" in response.context["form"].errors
    # A born child: a tick left behind (hidden on the page) means one child.
    response = wizard.post(
        "kind", {**answers()["kind"], "multiple_birth": "on", "expected_children": "2"}
    )
    assert response.status_code == 302
    wizard.fill(catalogue["bengeltjes"])
    assert wizard.post("overzicht", {}).status_code == 302
    assert RegistryEntry.objects.count() == 1


# --- At the desk -------------------------------------------------------------------------


def desk_start(client, **data):
    response = client.post(f"{DESK}/nieuw/", data)
    assert response.status_code == 302
    wizard = Wizard(client, prefix=DESK)
    wizard.draft_id = int(re.fullmatch(rf"{DESK}/(\d+)/kind/", response["Location"]).group(1))
    return wizard


def test_the_desk_starts_from_a_child_a_parent_registered_and_links_it(
    client_for, world, catalogue
):
    theirs = registered(world, catalogue, child_first_name="Wout")
    client = english(client_for("alpha", user="staff_alpha"))
    start = client.get(f"{DESK}/nieuw/", {"kind": str(theirs.child.public_id)}).content.decode()
    assert f'name="kind" value="{theirs.child.public_id}"' in start
    wizard = desk_start(client, kind=str(theirs.child.public_id))
    page = wizard.get("kind").content.decode()
    assert "Linked to a child that is already registered" in page
    assert re.search(rf'value="{theirs.child.public_id}"[^>]*checked', page)
    # The desk's family (its e-mail) is not the parent's account: staff may still link it.
    wizard.fill(
        catalogue["zonnestraal"],
        kind={"first_name": "Wout", "known_child": str(theirs.child.public_id)},
        gezin={"guardian_1_email": "grootouder@example.be"},
    )
    response = wizard.post("overzicht", {"duplicate": "separate"})
    assert response.status_code == 302, response.context and response.context["state"].errors
    desk_entry = RegistryEntry.objects.get(loket=world.lokets["beta"])
    assert desk_entry.child_id == theirs.child_id and desk_entry.registered_by_staff


def test_the_desk_ignores_an_unknown_child_and_asks_nothing_without_one(client_for, world):
    client = english(client_for("alpha", user="staff_alpha"))
    response = client.get(f"{DESK}/nieuw/", {"kind": "7c0e8b1a-0000-4000-8000-000000000000"})
    assert "This child is not in the registry" in response.content.decode()
    wizard = desk_start(client, kind="not-a-child")
    draft = draft_get(
        draft_id=wizard.draft_id,
        owner=world.users["staff_alpha"],
        loket=world.lokets["alpha"],
        mode=DESK_MODE,
    )
    assert draft.linked_child_id == ""
    page = wizard.get("kind").content.decode()
    assert "Which child is this request for?" not in page
    assert "Linked to a child" not in page


def test_a_parent_cannot_link_a_child_through_the_desks_parameter(client_for, world, catalogue):
    theirs = registered(world, catalogue, user="other_parent")
    client = english(client_for(PORTAL, user="parent"))
    wizard = Wizard(client)
    response = client.post("/aanvraag/nieuw/", {"kind": str(theirs.child.public_id)})
    wizard.draft_id = int(re.search(r"/(\d+)/kind/", response["Location"]).group(1))
    page = wizard.get("kind").content.decode()
    assert str(theirs.child.public_id) not in page
