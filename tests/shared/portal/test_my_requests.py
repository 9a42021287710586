"""Mijn aanvragen: a parent follows up and changes one request, whatever loket holds its parts."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.portal.selectors import parent_request, parent_requests
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests import changes
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice, RequestEvent
from tests.support.providers import make_location
from tests.support.requests import catalogue_entry, some_day, submit

pytestmark = pytest.mark.django_db

HOSTS = ["alpha", "beta", "gamma", "testregio.localhost", "localhost"]


@pytest.fixture
def english_client(client_for):
    """``client_for``, with pages and messages in English (the msgids)."""

    def make(host, user=None):
        client = client_for(host, user=user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def locations(world):
    return {
        "bengeltjes": make_location(world.lokets["alpha"], name="Bengeltjes"),
        "speelvogel": make_location(world.lokets["alpha"], name="Speelvogel"),
        "zonnestraal": make_location(world.lokets["beta"], name="Zonnestraal"),
    }


@pytest.fixture
def registered(world, locations):
    """The parent's request for Lotte: two locations in alpha, one in beta."""
    entries = submit(
        locations["bengeltjes"],
        locations["speelvogel"],
        locations["zonnestraal"],
        parent=world.users["parent"],
    )
    return entries[0].submission


def loket_request(loket) -> ChildcareRequest:
    """The only request in ``loket``, with its choices and events read in its schema."""
    with tenant_context(loket):
        request = ChildcareRequest.objects.get()
        request.read_choices = [
            (choice.location.name, choice.status, choice.rank)
            for choice in RequestChoice.objects.filter(request=request).select_related("location")
        ]
        request.read_events = list(
            RequestEvent.objects.filter(request=request).values_list("kind", flat=True)
        )
        return request


def api_json(client, method, path, data=None):
    return getattr(client, method)(
        path, data=json.dumps(data or {}), content_type="application/json"
    )


def accept_a_place(world, loket="beta"):
    with tenant_context(world.lokets[loket]):
        RequestChoice.objects.filter(request__isnull=False).update(status=ChoiceStatus.ACCEPTED)


# --- Seeing the request ----------------------------------------------------------------


@pytest.mark.parametrize("host", HOSTS)
def test_the_parent_sees_one_request_with_a_part_per_loket_on_every_host(
    english_client, world, registered, host
):
    client = english_client(host, user="parent")
    page = client.get("/mijn-aanvragen/").content.decode()
    references = sorted(RegistryEntry.objects.values_list("reference", flat=True))
    assert page.count("Request for Lotte Vermeulen") == 1
    for text in (*references, "Bengeltjes", "Speelvogel", "Zonnestraal", "Loket Alpha"):
        assert text in page
    assert "Loket Beta" in page

    data = client.get("/api/v1/my/requests/").json()
    assert data["count"] == 1
    (found,) = data["results"]
    assert found["submission"] == str(registered)
    assert [part["loket"] for part in found["parts"]] == ["alpha", "beta"]
    assert [c["location_name"] for c in found["parts"][0]["choices"]] == [
        "Bengeltjes",
        "Speelvogel",
    ]
    assert found["parts"][1]["choices"][0]["status"] == "in_review"
    assert found["can_change"] is True


@pytest.mark.parametrize("host", HOSTS)
def test_the_detail_page_shows_child_need_choices_and_history(english_client, registered, host):
    response = english_client(host, user="parent").get(f"/mijn-aanvragen/{registered}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Request for Lotte Vermeulen</h1>" in page
    assert "3 days a week (Monday: whole day" in page
    assert len(re.findall(r"<caption[^>]*>Chosen locations at", page)) == 2
    assert '<th scope="col">Status</th>' in page
    assert "Waiting for an answer" in page  # the status in words, not only a colour
    assert "Your request was registered." in page
    assert f'href="/mijn-aanvragen/{registered}/intrekken/"' in page


def test_the_header_links_to_my_requests_for_logged_in_users_only(english_client):
    assert (
        'href="/mijn-aanvragen/"'
        in english_client("alpha", user="parent").get("/").content.decode()
    )
    assert 'href="/mijn-aanvragen/"' not in english_client("alpha").get("/").content.decode()


def test_pages_and_api_need_a_login(english_client, registered):
    for path in ("/mijn-aanvragen/", f"/mijn-aanvragen/{registered}/"):
        response = english_client("alpha").get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
    assert english_client("alpha").get("/api/v1/my/requests/").status_code == 403


def test_a_parent_without_requests_is_invited_to_search(english_client):
    page = english_client("testregio.localhost", user="other_parent").get("/mijn-aanvragen/")
    assert "You have no childcare requests yet." in page.content.decode()


def test_reading_costs_a_fixed_number_of_queries_per_loket(world, locations):
    parent = world.users["parent"]
    submit(locations["bengeltjes"], locations["zonnestraal"], parent=parent)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            parent_requests(user=parent)
        return len(queries)

    few = count()
    submit(
        locations["bengeltjes"],
        locations["speelvogel"],
        locations["zonnestraal"],
        parent=parent,
        child_first_name="Noor",
    )
    # Twice the requests, more choices and events: still one read per kind and loket.
    assert count() == few


# --- Changing it -----------------------------------------------------------------------


def test_a_new_start_date_changes_every_part_and_the_registry(english_client, world, registered):
    new_start = some_day(90)
    response = english_client("gamma", user="parent").post(
        f"/mijn-aanvragen/{registered}/startdatum/", {"desired_start": new_start.isoformat()}
    )
    assert response.status_code == 302
    for slug in ("alpha", "beta"):
        request = loket_request(world.lokets[slug])
        assert request.desired_start == new_start
        assert request.read_events == ["submitted", "changed"]
    assert set(RegistryEntry.objects.values_list("desired_start", flat=True)) == {new_start}
    page = english_client("alpha", user="parent").get(f"/mijn-aanvragen/{registered}/").content
    assert "The desired start date changed from" in page.decode()


def test_the_rules_are_checked_again_for_a_new_start_date(english_client, world, registered):
    before = loket_request(world.lokets["alpha"]).desired_start
    response = english_client("alpha", user="parent").post(
        f"/mijn-aanvragen/{registered}/startdatum/", {"desired_start": some_day(-3).isoformat()}
    )
    assert response.status_code == 200
    assert "The desired start date cannot be in the past." in response.content.decode()
    assert loket_request(world.lokets["alpha"]).desired_start == before

    connection.set_schema_to_public()  # the request left the connection in alpha's schema
    beta = world.lokets["beta"]
    beta.registration_window_months = 3
    beta.save(update_fields=["registration_window_months"])
    with pytest.raises(ValidationError) as error:
        changes.request_change_desired_start(
            user=world.users["parent"],
            submission=registered,
            desired_start=some_day(200),
            now=timezone.now(),
        )
    assert "Loket Beta takes requests at most 3 months" in error.value.messages[0]
    assert set(RegistryEntry.objects.values_list("desired_start", flat=True)) == {before}


def test_the_care_plan_changes_everywhere_through_the_api(english_client, world, registered):
    response = api_json(
        english_client("beta", user="parent"),
        "patch",
        f"/api/v1/my/requests/{registered}/",
        {"care_plan": ["wed_pm", "mon_am", "mon_pm"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["care_plan"] == ["mon_am", "mon_pm", "wed_pm"]
    for slug in ("alpha", "beta"):
        assert loket_request(world.lokets[slug]).care_plan == ["mon_am", "mon_pm", "wed_pm"]

    refused = api_json(
        english_client("beta", user="parent"),
        "patch",
        f"/api/v1/my/requests/{registered}/",
        {"care_plan": ["sun_am"]},
    )
    assert refused.status_code == 400
    assert "care_plan" in refused.json()


def test_the_care_plan_page_is_a_labelled_grid(english_client, world, registered):
    client = english_client("alpha", user="parent")
    page = client.get(f"/mijn-aanvragen/{registered}/opvangplan/").content.decode()
    assert "<legend>On which half-days does your child need care?</legend>" in page
    assert 'id="care-plan-mon_am" checked' in page
    assert 'id="care-plan-wed_am">' in page
    response = client.post(f"/mijn-aanvragen/{registered}/opvangplan/", {"care_plan": ["fri_am"]})
    assert response.status_code == 302
    assert loket_request(world.lokets["beta"]).care_plan == ["fri_am"]
    empty = client.post(f"/mijn-aanvragen/{registered}/opvangplan/", {})
    assert "Choose at least one half-day." in empty.content.decode()


def test_a_part_can_be_withdrawn_on_its_own(english_client, world, registered):
    beta_part = RegistryEntry.objects.get(loket=world.lokets["beta"])
    client = english_client("alpha", user="parent")
    confirm = client.get(f"/mijn-aanvragen/{registered}/intrekken/?part={beta_part.pk}")
    assert "Withdrawing cannot be undone." in confirm.content.decode()
    assert (
        loket_request(world.lokets["beta"]).status == RequestStatus.OPEN
    )  # asking changes nothing

    response = client.post(
        f"/mijn-aanvragen/{registered}/intrekken/", {"part": beta_part.pk, "reason": "Too far"}
    )
    assert response.status_code == 302
    beta = loket_request(world.lokets["beta"])
    assert beta.status == RequestStatus.WITHDRAWN
    assert beta.read_choices == [("Zonnestraal", ChoiceStatus.WITHDRAWN, 1)]
    assert loket_request(world.lokets["alpha"]).status == RequestStatus.OPEN
    assert dict(RegistryEntry.objects.values_list("loket__slug", "status")) == {
        "alpha": "open",
        "beta": "withdrawn",
    }
    # What is open may still change; the withdrawn part stays as it was.
    changes.request_change_desired_start(
        user=world.users["parent"],
        submission=registered,
        desired_start=some_day(75),
        now=timezone.now(),
    )
    assert loket_request(world.lokets["beta"]).desired_start != some_day(75)
    assert loket_request(world.lokets["alpha"]).desired_start == some_day(75)


def test_withdrawing_the_whole_request_closes_every_part_in_one_go(
    english_client, world, registered
):
    response = api_json(
        english_client("testregio.localhost", user="parent"),
        "post",
        f"/api/v1/my/requests/{registered}/withdraw/",
        {"reason": "We found a nanny"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    assert response.json()["can_change"] is False
    for slug in ("alpha", "beta"):
        request = loket_request(world.lokets[slug])
        assert request.status == RequestStatus.WITHDRAWN
        assert {status for _name, status, _rank in request.read_choices} == {"withdrawn"}
        assert request.read_events[-1] == "withdrawn"
    entries = RegistryEntry.objects.all()
    assert {entry.status for entry in entries} == {"withdrawn"}
    assert all(entry.closed_at is not None for entry in entries)
    history = english_client("alpha", user="parent").get(f"/mijn-aanvragen/{registered}/")
    assert "Reason: We found a nanny" in history.content.decode()


def test_a_failure_in_one_loket_leaves_every_part_as_it_was(world, registered, monkeypatch):
    real_set_status = changes.part_set_status

    def fail_for_beta(request, **kwargs):
        if connection.tenant.slug == "beta":
            raise RuntimeError("database went away")
        return real_set_status(request, **kwargs)

    monkeypatch.setattr(changes, "part_set_status", fail_for_beta)
    with pytest.raises(RuntimeError):
        changes.request_withdraw(
            user=world.users["parent"], submission=registered, now=timezone.now()
        )
    assert loket_request(world.lokets["alpha"]).status == RequestStatus.OPEN
    assert set(RegistryEntry.objects.values_list("status", flat=True)) == {"open"}


def choice_id(world, submission, name: str) -> int:
    found = parent_request(user=world.users["parent"], submission=submission)
    return next(
        choice.id for part in found.parts for choice in part.choices if choice.location_name == name
    )


def test_choices_can_be_reordered_removed_and_added(english_client, world, registered, locations):
    client = english_client("beta", user="parent")
    alpha_part = RegistryEntry.objects.get(loket=world.lokets["alpha"]).pk
    mine = f"/mijn-aanvragen/{registered}/locaties"
    speelvogel = f"{mine}/{alpha_part}/{choice_id(world, registered, 'Speelvogel')}"

    page = client.get(f"{mine}/").content.decode()
    assert "Move Speelvogel up" in page and "Move Bengeltjes down" in page
    assert "Move Bengeltjes up" not in page and "Move Zonnestraal" not in page  # nowhere to go
    assert client.post(f"{speelvogel}/verplaatsen/", {"direction": "up"}).status_code == 302
    alpha = loket_request(world.lokets["alpha"])
    assert alpha.read_choices == [("Speelvogel", "in_review", 1), ("Bengeltjes", "in_review", 2)]
    assert alpha.read_events[-1] == "changed"

    confirm = client.get(f"{speelvogel}/verwijderen/").content.decode()
    assert "Do you want to remove Speelvogel from your request at Loket Alpha?" in confirm
    assert client.post(f"{speelvogel}/verwijderen/").status_code == 302
    alpha = loket_request(world.lokets["alpha"])
    assert alpha.read_choices == [("Speelvogel", "withdrawn", 1), ("Bengeltjes", "in_review", 2)]
    assert alpha.read_events[-1] == "choice_removed"

    # The last open location of a loket cannot be removed: that is withdrawing there.
    bengeltjes = f"{mine}/{alpha_part}/{choice_id(world, registered, 'Bengeltjes')}"
    refused = client.post(f"{bengeltjes}/verwijderen/", follow=True).content.decode()
    assert "is the only location left in your request at Loket Alpha" in refused
    assert ("Bengeltjes", "in_review", 2) in loket_request(world.lokets["alpha"]).read_choices

    # Adding from the catalogue: search on the page, then the button; a removed one comes back.
    search = client.get(f"{mine}/?q=speelvogel").content.decode()
    assert "Add Speelvogel to my request" in search
    added = client.post(
        f"{mine}/toevoegen/", {"location": catalogue_entry(locations["speelvogel"]).pk}
    )
    assert added.status_code == 302
    assert loket_request(world.lokets["alpha"]).read_choices == [
        ("Bengeltjes", "in_review", 2),
        ("Speelvogel", "in_review", 3),
    ]


def test_reordering_through_the_api_needs_every_open_choice_once(english_client, world, registered):
    client = english_client("alpha", user="parent")
    part = RegistryEntry.objects.get(loket=world.lokets["alpha"]).pk
    first, second = (choice_id(world, registered, name) for name in ("Bengeltjes", "Speelvogel"))
    path = f"/api/v1/my/requests/{registered}/choices/order/"
    bad = api_json(client, "post", path, {"part": part, "choices": [second]})
    assert bad.status_code == 400
    good = api_json(client, "post", path, {"part": part, "choices": [second, first]})
    assert good.status_code == 200
    assert [c["location_name"] for c in good.json()["parts"][0]["choices"]] == [
        "Speelvogel",
        "Bengeltjes",
    ]


def test_a_location_in_a_new_loket_registers_the_request_there(english_client, world, registered):
    linter = make_location(world.lokets["gamma"], name="Klein Geluk")
    response = api_json(
        english_client("alpha", user="parent"),
        "post",
        f"/api/v1/my/requests/{registered}/choices/",
        {"locations": [catalogue_entry(linter).pk]},
    )
    assert response.status_code == 200, response.content
    assert [part["loket"] for part in response.json()["parts"]] == ["alpha", "beta", "gamma"]
    gamma = loket_request(world.lokets["gamma"])
    alpha = loket_request(world.lokets["alpha"])
    assert (gamma.submission, gamma.child_name, gamma.parent) == (
        registered,
        "Lotte Vermeulen",
        world.users["parent"],
    )
    assert gamma.read_choices == [("Klein Geluk", "in_review", 1)]
    assert gamma.registered_at > alpha.registered_at
    entry = RegistryEntry.objects.get(loket=world.lokets["gamma"])
    first = RegistryEntry.objects.get(loket=world.lokets["alpha"])
    assert (entry.submission, entry.name_key, entry.parent) == (
        registered,
        first.name_key,
        world.users["parent"],
    )


def test_adding_respects_the_maximum_of_a_loket(english_client, world, registered):
    alpha = world.lokets["alpha"]
    alpha.max_choices = 2
    alpha.save(update_fields=["max_choices"])
    third = make_location(alpha, name="Derde")
    response = api_json(
        english_client("alpha", user="parent"),
        "post",
        f"/api/v1/my/requests/{registered}/choices/",
        {"locations": [catalogue_entry(third).pk]},
    )
    assert response.status_code == 400
    assert "at most 2 locations" in response.json()["choices"][0]
    assert len(loket_request(alpha).read_choices) == 2


def test_a_providers_answer_stands_when_the_location_is_added_again(
    english_client, world, registered, locations
):
    with tenant_context(world.lokets["beta"]):
        RequestChoice.objects.update(status=ChoiceStatus.NO_PLACE)
    response = api_json(
        english_client("alpha", user="parent"),
        "post",
        f"/api/v1/my/requests/{registered}/choices/",
        {"locations": [catalogue_entry(locations["zonnestraal"]).pk]},
    )
    assert response.status_code == 400
    assert response.json()["choices"] == [
        "Zonnestraal has already answered your request (no place)."
    ]
    assert loket_request(world.lokets["beta"]).read_choices == [("Zonnestraal", "no_place", 1)]


# --- No more changes once a place is accepted --------------------------------------------


def test_nothing_changes_once_a_place_is_accepted_anywhere(english_client, world, registered):
    accept_a_place(world, "beta")
    client = english_client("alpha", user="parent")
    page = client.get(f"/mijn-aanvragen/{registered}/").content.decode()
    assert "A place has been accepted" in page
    assert "/intrekken/" not in page and "/startdatum/" not in page

    before_alpha = loket_request(world.lokets["alpha"])
    assert client.get(f"/mijn-aanvragen/{registered}/intrekken/").status_code == 302
    client.post(f"/mijn-aanvragen/{registered}/intrekken/", {"part": "all"})
    client.post(
        f"/mijn-aanvragen/{registered}/startdatum/", {"desired_start": some_day(80).isoformat()}
    )
    for method, path, data in [
        ("patch", "", {"desired_start": some_day(80).isoformat()}),
        ("patch", "", {"care_plan": ["mon_am"]}),
        ("post", "withdraw/", {}),
    ]:
        response = api_json(client, method, f"/api/v1/my/requests/{registered}/{path}", data)
        assert response.status_code == 400
        assert "A place has been accepted" in response.json()["non_field_errors"][0]
    after_alpha = loket_request(world.lokets["alpha"])
    assert (after_alpha.status, after_alpha.desired_start, after_alpha.care_plan) == (
        before_alpha.status,
        before_alpha.desired_start,
        before_alpha.care_plan,
    )
    assert after_alpha.read_events == ["submitted"]
    assert set(RegistryEntry.objects.values_list("status", flat=True)) == {"open"}


# --- Desk registrations claimed by the parent --------------------------------------------


def test_the_button_on_my_requests_claims_a_desk_registration_with_a_verified_address(
    english_client, world, locations
):
    client = english_client("gamma", user="parent")  # logged in before the registration
    entries = submit(
        locations["bengeltjes"],
        locations["zonnestraal"],
        parent=None,
        contact_email="Parent@Test.test",
        child_first_name="Mila",
    )
    assert {entry.parent_id for entry in entries} == {None}
    # Reading the page links nothing; it offers the button.
    assert 'id="claim-requests"' in client.get("/mijn-aanvragen/").content.decode()
    assert {entry.parent_id for entry in RegistryEntry.objects.all()} == {None}

    response = client.post("/mijn-aanvragen/koppelen/e-mailadres/", follow=True)
    page = response.content.decode()
    assert "Request for Mila Vermeulen" in page
    assert "now linked to your account" in page
    parent = world.users["parent"]
    assert set(RegistryEntry.objects.values_list("parent", flat=True)) == {parent.pk}
    for slug in ("alpha", "beta"):
        request = loket_request(world.lokets[slug])
        assert request.parent == parent
        assert request.read_events == ["submitted", "claimed"]
    # Once linked, the parent may change it like any request of theirs.
    changes.request_change_care_plan(
        user=parent, submission=entries[0].submission, care_plan=["tue_am"], now=timezone.now()
    )
    # A second visit (or login) claims nothing twice.
    again = english_client("gamma", user="parent").get("/mijn-aanvragen/").content.decode()
    assert "now linked" not in again
    assert 'id="claim-requests"' not in again
    assert loket_request(world.lokets["alpha"]).read_events.count("claimed") == 1


def test_opening_my_requests_leaves_a_desk_registration_unclaimed(english_client, world, locations):
    client = english_client("alpha", user="parent")
    submit(locations["bengeltjes"], parent=None, contact_email="parent@test.test")
    for path in ("/mijn-aanvragen/", "/api/v1/my/requests/", "/mijn-aanvragen/koppelen/"):
        assert client.get(path).status_code == 200
    assert client.get("/mijn-aanvragen/koppelen/e-mailadres/").status_code == 405
    assert RegistryEntry.objects.get().parent is None
    request = loket_request(world.lokets["alpha"])
    assert request.parent is None
    assert request.read_events == ["submitted"]


def test_logging_in_claims_a_desk_registration(english_client, world, locations, password):
    submit(locations["bengeltjes"], parent=None, contact_email="parent@test.test")
    parent = world.users["parent"]
    client = english_client("alpha")
    response = client.post("/account/login/", {"login": parent.email, "password": password})
    assert response.status_code == 302
    assert RegistryEntry.objects.get().parent == parent
    assert "now linked to your account" in client.get("/mijn-aanvragen/").content.decode()


def test_confirming_an_address_claims_a_desk_registration(world, locations):
    submit(locations["bengeltjes"], parent=None, contact_email="sara@example.be")
    other = world.users["other_parent"]
    address = EmailAddress.objects.create(user=other, email="sara@example.be", verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert RegistryEntry.objects.get().parent == other


def test_an_unverified_or_other_address_claims_nothing(english_client, world, locations):
    submit(locations["bengeltjes"], parent=None, contact_email="sara@example.be")
    other = world.users["other_parent"]
    address = EmailAddress.objects.create(user=other, email="sara@example.be", verified=False)

    assert (
        "Lotte"
        not in english_client("alpha", user="other_parent").get("/mijn-aanvragen/").content.decode()
    )
    assert (
        "Lotte"
        not in english_client("alpha", user="parent").get("/mijn-aanvragen/").content.decode()
    )
    assert RegistryEntry.objects.get().parent is None

    address.verified = True
    address.save()
    assert (
        "Lotte"
        in english_client("alpha", user="other_parent").get("/mijn-aanvragen/").content.decode()
    )
    assert RegistryEntry.objects.get().parent == other


def test_a_desk_registration_of_a_parent_with_an_account_is_not_claimed_again(world, locations):
    submit(
        locations["bengeltjes"],
        parent=world.users["other_parent"],
        contact_email="parent@test.test",
    )
    assert changes.request_claim(user=world.users["parent"], now=timezone.now()) == []
    assert RegistryEntry.objects.get().parent == world.users["other_parent"]


def test_events_at_the_same_moment_in_several_lokets_are_one_line_of_history(world, registered):
    changes.request_change_desired_start(
        user=world.users["parent"],
        submission=registered,
        desired_start=some_day(70),
        now=timezone.now() + timedelta(seconds=1),
    )
    found = parent_request(user=world.users["parent"], submission=registered)
    changed = [line for line in found.history if line.kind == "changed"]
    assert len(changed) == 1
    assert changed[0].lokets == ("Loket Alpha", "Loket Beta")
    assert changed[0].by == "you"
