"""The API obeys the same walls as the pages: a loket's data is changed only from inside it."""

import json

import pytest

pytestmark = pytest.mark.django_db


def patch(client, path, data):
    return client.patch(path, data=json.dumps(data), content_type="application/json")


def test_loket_api_shows_the_loket_of_the_host_only(client_for):
    data = client_for("beta").get("/api/v1/loket/").json()
    assert data["slug"] == "beta"
    assert [m["nis_code"] for m in data["municipalities"]] == ["24107"]


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("staff_alpha", 200),
        ("provider_alpha", 403),
        ("staff_beta", 403),
        ("staff_gamma", 403),
        ("parent", 403),
        ("auditor", 403),
        ("coordinator", 403),
    ],
)
def test_only_loket_staff_of_the_host_may_patch_the_loket(client_for, world, user, status):
    response = patch(client_for("alpha", user=user), "/api/v1/loket/", {"phone": "011 11 11 11"})
    assert response.status_code == status
    world.lokets["alpha"].refresh_from_db()
    assert (world.lokets["alpha"].phone == "011 11 11 11") == (status == 200)


def test_anonymous_patch_is_refused(client_for):
    response = patch(client_for("alpha"), "/api/v1/loket/", {"phone": "1"})
    assert response.status_code == 403


def test_patch_cannot_move_a_loket_to_another_region_or_rename_it(client_for, world):
    response = patch(
        client_for("alpha", user="staff_alpha"),
        "/api/v1/loket/",
        {"slug": "beta", "name": "Stolen", "kind": "auditor", "region": None},
    )
    assert response.status_code == 200
    loket = world.lokets["alpha"]
    loket.refresh_from_db()
    assert (loket.slug, loket.name, loket.kind, loket.region_id) == (
        "alpha",
        "Loket Alpha",
        "municipal",
        world.region.pk,
    )


def test_loket_api_does_not_exist_on_the_portal_or_platform(client_for, world):
    assert client_for(world.region.domain).get("/api/v1/loket/").status_code == 404
    assert client_for("localhost").get("/api/v1/loket/").status_code == 404
