"""Mijn aanvragen after the birth: the parent fills in the child once, for every loket."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from shared.statistics.selectors import Scope, figures_compute, period_of_year
from tenants.requests.models import ChildcareRequest
from tests.support.providers import make_location
from tests.support.requests import some_day, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unborn(world):
    """Registered before birth, due in ten days, at alpha and beta."""
    entries = submit(
        make_location(world.lokets["alpha"], name="De Appel"),
        make_location(world.lokets["beta"], name="De Kers"),
        parent=world.users["parent"],
        is_expected_birth=True,
        child_first_name="",
        child_birth_date=some_day(10),
    )
    return entries[0].submission


def in_language(client, language: str):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def loket_requests(world) -> list[ChildcareRequest]:
    found = []
    for slug in ("alpha", "beta"):
        with tenant_context(world.lokets[slug]):
            found.append(ChildcareRequest.objects.get())
    return found


def assert_born_in(world, slug: str, first_name: str = "Lena") -> None:
    """Born in ``slug``'s part only (what its loket staff change); one child still."""
    today = timezone.localdate()
    with tenant_context(world.lokets[slug]):
        request = ChildcareRequest.objects.get()
    assert (request.child_first_name, request.child_birth_date) == (first_name, today)
    assert not request.is_expected_birth
    entries = {entry.loket.slug: entry for entry in RegistryEntry.objects.select_related("loket")}
    assert entries[slug].expected_birth is None
    assert all(e.expected_birth is not None for s, e in entries.items() if s != slug)
    assert len({entry.child_id for entry in entries.values()}) == 1


def assert_born_everywhere(world, first_name: str = "Lena") -> None:
    today = timezone.localdate()
    for request in loket_requests(world):
        assert (request.child_first_name, request.child_birth_date) == (first_name, today)
        assert not request.is_expected_birth
    entries = RegistryEntry.objects.all()
    assert len(entries) == 2
    assert {entry.expected_birth for entry in entries} == {None}
    assert len({entry.child_id for entry in entries}) == 1
    figures = figures_compute(
        scope=Scope(key="all", label="all"), period=period_of_year(today.year)
    )
    assert figures["totals"]["unique_requests"] == 1


def test_the_request_page_asks_whether_the_baby_is_born(client_for, world, unborn):
    client = in_language(client_for("alpha", user="parent"), "nl")
    page = client.get(f"/mijn-aanvragen/{unborn}/").content.decode()
    assert "Is je kindje geboren?" in page
    assert f'href="/mijn-aanvragen/{unborn}/kind/"' in page
    assert client.get(f"/mijn-aanvragen/{unborn}/kind/").status_code == 200


def test_the_parent_fills_in_the_birth_on_the_page(client_for, world, unborn):
    client = in_language(client_for("beta", user="parent"), "en")
    url = f"/mijn-aanvragen/{unborn}/kind/"
    today = timezone.localdate().isoformat()

    # An error keeps what the parent typed.
    refused = client.post(url, {"first_name": "", "birth_date": today, "street": "Veldweg 3"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert f'value="{today}"' in page and 'value="Veldweg 3"' in page
    assert all(request.is_expected_birth for request in loket_requests(world))

    done = client.post(url, {"first_name": "Lena", "birth_date": today})
    assert done.status_code == 302 and done["Location"] == f"/mijn-aanvragen/{unborn}/"
    assert_born_everywhere(world)

    # Both lokets' staff see what changed in the history.
    history = in_language(client, "nl").get(f"/mijn-aanvragen/{unborn}/").content.decode()
    assert "De gegevens van het kind zijn bijgewerkt: Lena is geboren op" in history
    staff = in_language(client_for("alpha", user="staff_alpha"), "nl")
    with tenant_context(world.lokets["alpha"]):
        reference = ChildcareRequest.objects.get().reference
    detail = staff.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert "De gegevens van het kind zijn bijgewerkt: Lena is geboren op" in detail


def test_the_parent_fills_in_the_birth_through_the_api(client_for, world, unborn):
    client = client_for("localhost", user="parent")
    response = client.patch(
        f"/api/v1/my/requests/{unborn}/child/",
        data=json.dumps({"first_name": "Lena", "birth_date": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["child_name"] == "Lena Vermeulen" and body["is_expected_birth"] is False
    assert_born_everywhere(world)

    far = client.patch(
        f"/api/v1/my/requests/{unborn}/child/",
        data=json.dumps({"first_name": "Lena", "birth_date": some_day(1).isoformat()}),
        content_type="application/json",
    )
    assert far.status_code == 400 and "birth_date" in far.json()


def test_another_family_can_neither_see_nor_fill_in_the_child(client_for, world, unborn):
    stranger = client_for("alpha", user="other_parent")
    assert stranger.get(f"/mijn-aanvragen/{unborn}/kind/").status_code == 404
    today = timezone.localdate().isoformat()
    posted = stranger.post(
        f"/mijn-aanvragen/{unborn}/kind/", {"first_name": "X", "birth_date": today}
    )
    assert posted.status_code == 404
    response = stranger.patch(
        f"/api/v1/my/requests/{unborn}/child/",
        data=json.dumps({"first_name": "X", "birth_date": today}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert all(request.is_expected_birth for request in loket_requests(world))


def test_loket_staff_fill_in_the_child_on_the_page_and_through_the_api(client_for, world, unborn):
    with tenant_context(world.lokets["alpha"]):
        reference = ChildcareRequest.objects.get().reference
    today = timezone.localdate().isoformat()
    staff = in_language(client_for("alpha", user="staff_alpha"), "en")
    detail = staff.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert "The child is born: fill in the birth" in detail

    refused = staff.post(f"/beheer/aanvragen/{reference}/kind/", {"first_name": "Lena"})
    assert refused.status_code == 400
    done = staff.post(
        f"/beheer/aanvragen/{reference}/kind/", {"first_name": "Lena", "birth_date": today}
    )
    assert done.status_code == 302
    assert_born_in(world, "alpha")

    answer = staff.post(
        f"/api/v1/requests/{reference}/child/",
        data=json.dumps({"first_name": "Lena-Marie", "birth_date": today}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["child_first_name"] == "Lena-Marie"
    assert_born_in(world, "alpha", first_name="Lena-Marie")


def test_staff_of_another_loket_cannot_fill_in_the_child(client_for, world, unborn):
    with tenant_context(world.lokets["alpha"]):
        reference = ChildcareRequest.objects.get().reference
    data = {"first_name": "Lena", "birth_date": timezone.localdate().isoformat()}
    # On alpha's host, beta's staff have no role; on their own host, the reference is not theirs.
    on_alpha = client_for("alpha", user="staff_beta")
    assert on_alpha.post(f"/beheer/aanvragen/{reference}/kind/", data).status_code == 403
    assert (
        on_alpha.post(
            f"/api/v1/requests/{reference}/child/",
            data=json.dumps(data),
            content_type="application/json",
        ).status_code
        == 403
    )
    on_beta = client_for("beta", user="staff_beta")
    assert on_beta.post(f"/beheer/aanvragen/{reference}/kind/", data).status_code == 404
    assert (
        on_beta.post(
            f"/api/v1/requests/{reference}/child/",
            data=json.dumps(data),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert all(request.is_expected_birth for request in loket_requests(world))
