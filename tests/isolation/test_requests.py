"""A parent's requests are theirs alone: no URL, host or API id reaches another parent's.

Parent A registered Lotte in alpha and beta; parent B registered Noor in alpha. B tries
every page and API action on A's request, from every host, and with A's part and choice
ids inside B's own request: always 404, and nothing changes anywhere.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from tenants.requests.models import ChildcareRequest, RequestChoice, RequestEvent
from tests.support.providers import make_location
from tests.support.requests import catalogue_entry, some_day, submit

pytestmark = pytest.mark.django_db

HOSTS = ["alpha", "beta", "gamma", "audit", "testregio.localhost", "localhost"]
# Parents follow their requests on every host but the auditor tenant's (not there).
PARENT_HOSTS = [host for host in HOSTS if host != "audit"]


@pytest.fixture
def two_parents(world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    bengeltjes, speelvogel = make_location(alpha, name="Bengeltjes"), make_location(alpha)
    zonnestraal = make_location(beta, name="Zonnestraal")
    a = submit(bengeltjes, speelvogel, zonnestraal, parent=world.users["parent"])
    b = submit(bengeltjes, parent=world.users["other_parent"], child_first_name="Noor")
    not_chosen = make_location(world.lokets["gamma"], name="Klein Geluk")
    a_alpha = RegistryEntry.objects.get(submission=a[0].submission, loket=alpha)
    with tenant_context(alpha):
        a_choices = list(
            RequestChoice.objects.filter(request_id=a_alpha.request_id)
            .order_by("rank")
            .values_list("pk", flat=True)
        )
    # Every action below would change A's request if A sent it (see the last test).
    return {
        "a": a[0].submission,
        "b": b[0].submission,
        "a_part": a_alpha.pk,
        "a_choice": a_choices[0],
        "a_reversed": a_choices[::-1],
        "b_part": b[0].pk,
        "catalogue": catalogue_entry(not_chosen).pk,
    }


def snapshot(world) -> dict:
    """Everything a change could touch, in every loket and in the registry."""
    connection.set_schema_to_public()
    state = {
        "registry": list(
            RegistryEntry.objects.order_by("pk").values_list(
                "pk", "status", "desired_start", "parent", "updated_at", "closed_at"
            )
        )
    }
    for slug in ("alpha", "beta", "gamma"):
        with tenant_context(world.lokets[slug]):
            state[slug] = (
                list(
                    ChildcareRequest.objects.order_by("pk").values_list(
                        "pk", "status", "desired_start", "care_plan", "parent", "updated_at"
                    )
                ),
                list(
                    RequestChoice.objects.order_by("pk").values_list(
                        "pk", "location", "rank", "status"
                    )
                ),
                RequestEvent.objects.count(),
            )
    return state


def page_requests(ids: dict) -> list[tuple[str, str, dict]]:
    """(method, path, data) of every page of A's request, as B would try them."""
    mine = f"/mijn-aanvragen/{ids['a']}"
    choice = f"{mine}/locaties/{ids['a_part']}/{ids['a_choice']}"
    return [
        ("get", f"{mine}/", {}),
        ("get", f"{mine}/startdatum/", {}),
        ("post", f"{mine}/startdatum/", {"desired_start": some_day(80).isoformat()}),
        ("get", f"{mine}/opvangplan/", {}),
        ("post", f"{mine}/opvangplan/", {"care_plan": ["mon_am"]}),
        ("get", f"{mine}/locaties/", {}),
        ("post", f"{mine}/locaties/toevoegen/", {"location": ids["catalogue"]}),
        ("post", f"{choice}/verplaatsen/", {"direction": "down"}),
        ("get", f"{choice}/verwijderen/", {}),
        ("post", f"{choice}/verwijderen/", {}),
        ("get", f"{mine}/intrekken/", {}),
        ("post", f"{mine}/intrekken/", {"part": "all"}),
    ]


def api_requests(ids: dict) -> list[tuple[str, str, dict]]:
    api = f"/api/v1/my/requests/{ids['a']}"
    return [
        ("get", f"{api}/", {}),
        ("patch", f"{api}/", {"desired_start": some_day(80).isoformat()}),
        ("patch", f"{api}/", {"care_plan": ["mon_am"]}),
        ("post", f"{api}/choices/", {"locations": [ids["catalogue"]]}),
        ("post", f"{api}/choices/order/", {"part": ids["a_part"], "choices": ids["a_reversed"]}),
        ("post", f"{api}/choices/remove/", {"part": ids["a_part"], "choice": ids["a_choice"]}),
        ("post", f"{api}/withdraw/", {"part": ids["a_part"]}),
        ("post", f"{api}/withdraw/", {}),
    ]


def send(client, method: str, path: str, data: dict, *, as_json: bool):
    if as_json and method != "get":
        return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(path, data)


@pytest.mark.parametrize("host", PARENT_HOSTS)
def test_another_parent_sees_only_their_own_request(client_for, world, two_parents, host):
    client = client_for(host, user="other_parent")
    page = client.get("/mijn-aanvragen/").content.decode()
    assert "Noor Vermeulen" in page
    assert "Lotte" not in page and "Zonnestraal" not in page
    data = client.get("/api/v1/my/requests/").json()
    assert [request["submission"] for request in data["results"]] == [str(two_parents["b"])]


@pytest.mark.parametrize("host", HOSTS)
def test_no_page_of_another_parents_request_opens_or_changes_anything(
    client_for, world, two_parents, host
):
    before = snapshot(world)
    client = client_for(host, user="other_parent")
    for method, path, data in page_requests(two_parents):
        response = send(client, method, path, data, as_json=False)
        assert response.status_code == 404, (method, path, response.status_code)
    assert snapshot(world) == before


@pytest.mark.parametrize("host", HOSTS)
def test_no_api_call_on_another_parents_request_answers_or_changes_anything(
    client_for, world, two_parents, host
):
    before = snapshot(world)
    client = client_for(host, user="other_parent")
    # On the auditor host the parents' API refuses every call (403) before any lookup.
    expected = 403 if host == "audit" else 404
    for method, path, data in api_requests(two_parents):
        response = send(client, method, path, data, as_json=True)
        assert response.status_code == expected, (method, path, response.status_code)
        assert "Lotte" not in response.content.decode()
    assert snapshot(world) == before


def test_ids_of_another_parents_part_and_choice_do_not_work_inside_ones_own_request(
    client_for, world, two_parents
):
    before = snapshot(world)
    client = client_for("alpha", user="other_parent")
    own = two_parents["b"]
    a_part, a_choice = two_parents["a_part"], two_parents["a_choice"]
    for method, path, data, as_json in [
        ("post", f"/mijn-aanvragen/{own}/locaties/{a_part}/{a_choice}/verwijderen/", {}, False),
        ("post", f"/mijn-aanvragen/{own}/locaties/{a_part}/{a_choice}/verplaatsen/", {}, False),
        ("get", f"/mijn-aanvragen/{own}/locaties/{a_part}/{a_choice}/verwijderen/", {}, False),
        ("post", f"/api/v1/my/requests/{own}/withdraw/", {"part": a_part}, True),
        (
            "post",
            f"/api/v1/my/requests/{own}/choices/remove/",
            {"part": a_part, "choice": a_choice},
            True,
        ),
        (
            "post",
            f"/api/v1/my/requests/{own}/choices/order/",
            {"part": a_part, "choices": two_parents["a_reversed"]},
            True,
        ),
    ]:
        response = send(client, method, path, data, as_json=as_json)
        assert response.status_code == 404, (method, path, response.status_code)
    # B's own part with a choice id that only exists in A's request.
    with tenant_context(world.lokets["alpha"]):
        b_request = RegistryEntry.objects.get(pk=two_parents["b_part"]).request_id
        foreign = RequestChoice.objects.exclude(request_id=b_request).first().pk
    connection.set_schema_to_public()
    response = send(
        client,
        "post",
        f"/api/v1/my/requests/{own}/choices/remove/",
        {"part": two_parents["b_part"], "choice": foreign},
        as_json=True,
    )
    assert response.status_code == 404
    assert snapshot(world) == before


@pytest.mark.parametrize("user", ["staff_alpha", "provider_alpha", "coordinator", "operator"])
def test_staff_roles_give_no_access_to_a_parents_follow_up(client_for, world, two_parents, user):
    client = client_for("alpha", user=user)
    assert client.get(f"/mijn-aanvragen/{two_parents['a']}/").status_code == 404
    assert client.get(f"/api/v1/my/requests/{two_parents['a']}/").status_code == 404
    assert client.get("/api/v1/my/requests/").json()["count"] == 0


def test_anonymous_visitors_are_sent_to_login_or_refused(client_for, world, two_parents):
    before = snapshot(world)
    client = client_for("alpha")
    for method, path, data in page_requests(two_parents):
        response = send(client, method, path, data, as_json=False)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/account/login/")
    for method, path, data in api_requests(two_parents):
        assert send(client, method, path, data, as_json=True).status_code == 403, (method, path)
    assert snapshot(world) == before


def test_an_unknown_request_id_is_not_found(client_for, two_parents):
    client = client_for("beta", user="parent")
    unknown = uuid.uuid4()
    assert client.get(f"/mijn-aanvragen/{unknown}/").status_code == 404
    assert client.get(f"/api/v1/my/requests/{unknown}/").status_code == 404
    assert client.get("/mijn-aanvragen/not-a-uuid/").status_code == 404


@pytest.mark.parametrize("as_json", [False, True])
def test_the_same_actions_do_change_the_request_of_its_own_parent(
    client_for, world, two_parents, as_json
):
    """The control: what B was refused is a real change when A does it."""
    actions = api_requests(two_parents) if as_json else page_requests(two_parents)
    for method, path, data in actions:
        if method == "get":
            continue
        before = snapshot(world)
        client = client_for("gamma", user="parent")
        response = send(client, method, path, data, as_json=as_json)
        assert response.status_code in (200, 302), (method, path, response.content[:300])
        assert snapshot(world) != before, (method, path)
