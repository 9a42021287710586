"""Cross-loket matrix for managing providers and locations: pages, API, every role, id, host.

A location is changed only by the staff of its own loket on its own host, or by provider
staff it was granted to; everyone else gets 403 (no role here), 404 (not theirs to find)
or the login page, and the location and its catalogue row stay as they were.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.accounts.services import membership_grant
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.vocabulary import add_months, first_of_month
from tenants.providers.models import Availability, Location, Organizer
from tests.support.providers import (
    api,
    grant_location,
    grid_field,
    location_in,
    location_post_data,
    make_location,
    make_location_unknown_to,
    make_locations_with_the_same_id,
    make_organizer,
)

pytestmark = pytest.mark.django_db

NEXT_MONTH = add_months(first_of_month(timezone.localdate()), 1)


def free_places(loket, location) -> dict:
    with tenant_context(loket):
        return {
            (row.month, row.age_group): row.free_places
            for row in Availability.objects.filter(location_id=location.pk)
        }


def catalogue_name(loket, location) -> str | None:
    row = CatalogueLocation.objects.filter(loket=loket, location_id=location.pk).first()
    return row.name if row else None


@pytest.fixture
def alpha_offer(world):
    """Two locations of alpha: ``granted`` to provider_alpha, ``other`` not."""
    alpha = world.lokets["alpha"]
    granted = make_location_unknown_to(alpha, world.lokets["beta"], name="Granted Alpha")
    other = make_location_unknown_to(alpha, world.lokets["beta"], name="Other Alpha")
    grant_location(alpha, granted, world.users["provider_alpha"])
    return {"granted": granted, "other": other}


# --- Pages -----------------------------------------------------------------------------

# Who, on alpha's host, may do what to which alpha location (status of the answer).
PAGE_MATRIX = [
    # user, target, list, create, edit, delete, free places
    ("staff_alpha", "other", 200, 302, 302, 302, 302),
    ("provider_alpha", "granted", 200, 403, 302, 403, 302),
    ("provider_alpha", "other", 200, 403, 404, 403, 404),
    ("staff_beta", "granted", 403, 403, 403, 403, 403),
    ("provider_beta", "granted", 403, 403, 403, 403, 403),
    ("parent", "granted", 403, 403, 403, 403, 403),
    ("auditor", "granted", 403, 403, 403, 403, 403),
    ("coordinator", "granted", 403, 403, 403, 403, 403),
    (None, "granted", 302, 302, 302, 302, 302),
]


@pytest.mark.parametrize(
    ("user", "target", "listing", "create", "edit", "delete", "places"), PAGE_MATRIX
)
def test_page_role_matrix(
    client_for, world, alpha_offer, user, target, listing, create, edit, delete, places
):
    alpha = world.lokets["alpha"]
    location = alpha_offer[target]
    client = client_for("alpha", user=user)
    base = f"/beheer/opvang/locaties/{location.pk}"

    def done(status: int) -> bool:  # a redirect means done, except to the login page
        return status == 302 and user is not None

    with tenant_context(alpha):
        organizer = Organizer.objects.first()
        count_before = Location.objects.count()

    response = client.get("/beheer/opvang/")
    assert response.status_code == listing
    if user is None:
        assert response["Location"].startswith("/account/login/")

    new = location_post_data(location, name="Brand New", organizer=organizer.pk)
    assert client.post("/beheer/opvang/locaties/nieuw/", new).status_code == create
    with tenant_context(alpha):
        assert Location.objects.count() == count_before + done(create)

    response = client.post(f"{base}/bewerken/", location_post_data(location, name="Renamed"))
    assert response.status_code == edit
    assert (location_in(alpha, location.pk).name == "Renamed") == done(edit)
    assert (catalogue_name(alpha, location) == "Renamed") == done(edit)

    response = client.post(f"{base}/vrije-plaatsen/", {grid_field(NEXT_MONTH, "baby"): "3"})
    assert response.status_code == places
    assert free_places(alpha, location) == ({(NEXT_MONTH, "baby"): 3} if done(places) else {})

    assert client.post(f"{base}/verwijderen/").status_code == delete
    assert (location_in(alpha, location.pk) is None) == done(delete)


def test_provider_staff_list_only_their_granted_locations(client_for, world, alpha_offer):
    page = client_for("alpha", user="provider_alpha").get("/beheer/opvang/").content.decode()
    assert "Granted Alpha" in page
    assert "Other Alpha" not in page
    staff_page = client_for("alpha", user="staff_alpha").get("/beheer/opvang/").content.decode()
    assert "Granted Alpha" in staff_page
    assert "Other Alpha" in staff_page


def test_provider_staff_without_grants_see_an_empty_list(client_for, world, alpha_offer):
    page = client_for("beta", user="provider_beta").get("/beheer/opvang/").content.decode()
    assert "Granted Alpha" not in page
    assert "Other Alpha" not in page


def test_a_grant_in_one_loket_means_nothing_in_another(client_for, world):
    """provider_beta granted a beta location with the same id as an alpha location."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    in_alpha, in_beta = make_locations_with_the_same_id(alpha, beta)
    grant_location(beta, in_beta, world.users["provider_beta"])
    # On beta's host the grant works, and it changes beta's location only.
    client = client_for("beta", user="provider_beta")
    response = client.post(
        f"/beheer/opvang/locaties/{in_beta.pk}/bewerken/",
        location_post_data(in_beta, name="Beta Renamed"),
    )
    assert response.status_code == 302
    assert location_in(beta, in_beta.pk).name == "Beta Renamed"
    assert location_in(alpha, in_alpha.pk).name == in_alpha.name
    # On alpha's host provider_beta has no role at all.
    response = client_for("alpha", user="provider_beta").get(
        f"/beheer/opvang/locaties/{in_alpha.pk}/bewerken/"
    )
    assert response.status_code == 403


PAGE_PATHS = [
    ("get", "/beheer/opvang/locaties/{pk}/"),
    ("get", "/beheer/opvang/locaties/{pk}/bewerken/"),
    ("post", "/beheer/opvang/locaties/{pk}/bewerken/"),
    ("get", "/beheer/opvang/locaties/{pk}/verwijderen/"),
    ("post", "/beheer/opvang/locaties/{pk}/verwijderen/"),
    ("post", "/beheer/opvang/locaties/{pk}/publicatie/"),
    ("get", "/beheer/opvang/locaties/{pk}/vrije-plaatsen/"),
    ("post", "/beheer/opvang/locaties/{pk}/vrije-plaatsen/"),
    ("post", "/beheer/opvang/locaties/{pk}/sluitingsperiodes/"),
    ("post", "/beheer/opvang/locaties/{pk}/toegang/"),
]


@pytest.mark.parametrize(("method", "path"), PAGE_PATHS)
def test_staff_of_beta_on_betas_host_cannot_reach_an_alpha_location_by_its_id(
    client_for, world, method, path
):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    location = make_location_unknown_to(alpha, beta, name="Alpha Only")
    data = {"name": "Hacked", "is_published": "0", "starts_on": "2030-01-01"}
    client = client_for("beta", user="staff_beta")
    response = getattr(client, method)(path.format(pk=location.pk), data)
    assert response.status_code == 404
    assert "Alpha Only" not in response.content.decode()
    assert location_in(alpha, location.pk).name == "Alpha Only"
    assert catalogue_name(alpha, location) == "Alpha Only"


@pytest.mark.parametrize(("method", "path"), PAGE_PATHS)
def test_staff_of_alpha_on_betas_host_are_refused(client_for, world, method, path):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Alpha Only")
    response = getattr(client_for("beta", user="staff_alpha"), method)(
        path.format(pk=location.pk), {"name": "Hacked", "is_published": "0"}
    )
    assert response.status_code == 403
    assert location_in(alpha, location.pk).name == "Alpha Only"
    assert catalogue_name(alpha, location) == "Alpha Only"


@pytest.mark.parametrize("host", ["testregio.localhost", "localhost", "elsewhere.localhost"])
def test_management_pages_and_api_do_not_exist_outside_a_lokets_host(client_for, world, host):
    client = client_for(host, user="staff_alpha")
    for path in ("/beheer/opvang/", "/api/v1/providers/locations/", "/beheer/opvang/import/"):
        assert client.get(path).status_code == 404


def test_organizer_pages_are_for_loket_staff_of_the_host_only(client_for, world):
    organizer = make_organizer(world.lokets["alpha"], name="Vzw Alpha")
    path = f"/beheer/opvang/organisatoren/{organizer.pk}/bewerken/"
    assert client_for("alpha", user="staff_alpha").get(path).status_code == 200
    for user in ("provider_alpha", "staff_beta", "parent"):
        assert client_for("alpha", user=user).get(path).status_code == 403
    with tenant_context(world.lokets["beta"]):
        exists_in_beta = Organizer.objects.filter(pk=organizer.pk).exists()
    if not exists_in_beta:
        assert client_for("beta", user="staff_beta").get(path).status_code == 404


@pytest.mark.parametrize(
    ("user", "status"),
    [("staff_alpha", 200), ("provider_alpha", 403), ("staff_beta", 403), ("parent", 403)],
)
def test_the_import_page_is_for_loket_staff_only(client_for, user, status):
    client = client_for("alpha", user=user)
    assert client.get("/beheer/opvang/import/").status_code == status
    assert client.get("/beheer/opvang/import/voorbeeld.csv").status_code == status


# --- API -------------------------------------------------------------------------------


API_MATRIX = [
    # user, target, list, create, patch, delete, availability PUT
    ("staff_alpha", "other", 200, 201, 200, 204, 200),
    ("provider_alpha", "granted", 200, 403, 200, 403, 200),
    ("provider_alpha", "other", 200, 403, 404, 403, 404),
    ("staff_beta", "granted", 403, 403, 403, 403, 403),
    ("provider_beta", "granted", 403, 403, 403, 403, 403),
    ("parent", "granted", 403, 403, 403, 403, 403),
    ("auditor", "granted", 403, 403, 403, 403, 403),
    (None, "granted", 403, 403, 403, 403, 403),
]


@pytest.mark.parametrize(
    ("user", "target", "listing", "create", "patch", "delete", "places"), API_MATRIX
)
def test_api_role_matrix(
    client_for, world, alpha_offer, user, target, listing, create, patch, delete, places
):
    alpha = world.lokets["alpha"]
    location = alpha_offer[target]
    client = client_for("alpha", user=user)
    base = f"/api/v1/providers/locations/{location.pk}/"

    response = api(client, "get", "/api/v1/providers/locations/")
    assert response.status_code == listing
    if listing == 200:
        names = {item["name"] for item in response.json()["results"]}
        expected = (
            {"Granted Alpha"} if user == "provider_alpha" else {"Granted Alpha", "Other Alpha"}
        )
        assert names == expected

    new = {
        "organizer": location.organizer_id,
        "name": "Api New",
        "kind": "family",
        "street": "Kerkstraat 1",
        "postcode": "3020",
        "place": "Herent",
        "municipality": "24038",
        "licensed_capacity": 8,
        "tariff": "income_related",
    }
    assert api(client, "post", "/api/v1/providers/locations/", new).status_code == create
    with tenant_context(alpha):
        assert Location.objects.filter(name="Api New").exists() == (create == 201)

    assert api(client, "patch", base, {"name": "Api Renamed"}).status_code == patch
    assert (location_in(alpha, location.pk).name == "Api Renamed") == (patch == 200)
    assert (catalogue_name(alpha, location) == "Api Renamed") == (patch == 200)

    entries = [{"month": f"{NEXT_MONTH:%Y-%m}", "age_group": "toddler", "free_places": 2}]
    assert api(client, "put", f"{base}availability/", entries).status_code == places
    expected = {(NEXT_MONTH, "toddler"): 2} if places == 200 else {}
    assert free_places(alpha, location) == expected

    assert api(client, "delete", base).status_code == delete
    assert (location_in(alpha, location.pk) is None) == (delete == 204)


API_CALLS = [
    ("get", "/api/v1/providers/locations/{pk}/", None),
    ("patch", "/api/v1/providers/locations/{pk}/", {"name": "Hacked"}),
    ("put", "/api/v1/providers/locations/{pk}/", {"name": "Hacked"}),
    ("delete", "/api/v1/providers/locations/{pk}/", None),
    ("get", "/api/v1/providers/locations/{pk}/availability/", None),
    (
        "put",
        "/api/v1/providers/locations/{pk}/availability/",
        [{"month": f"{NEXT_MONTH:%Y-%m}", "age_group": "baby", "free_places": 1}],
    ),
    ("patch", "/api/v1/providers/locations/{pk}/availability/", []),
]


@pytest.mark.parametrize(("method", "path", "data"), API_CALLS)
def test_api_staff_of_beta_on_betas_host_cannot_reach_an_alpha_location_by_its_id(
    client_for, world, method, path, data
):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    location = make_location_unknown_to(alpha, beta, name="Alpha Only")
    response = api(client_for("beta", user="staff_beta"), method, path.format(pk=location.pk), data)
    assert response.status_code == 404
    assert "Alpha Only" not in response.content.decode()
    assert location_in(alpha, location.pk).name == "Alpha Only"
    assert catalogue_name(alpha, location) == "Alpha Only"
    assert free_places(alpha, location) == {}


@pytest.mark.parametrize(("method", "path", "data"), API_CALLS)
def test_api_staff_of_alpha_on_betas_host_are_refused(client_for, world, method, path, data):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Alpha Only")
    response = api(
        client_for("beta", user="staff_alpha"), method, path.format(pk=location.pk), data
    )
    assert response.status_code == 403
    assert location_in(alpha, location.pk).name == "Alpha Only"


def test_api_with_the_same_id_in_two_lokets_changes_the_hosts_loket_only(client_for, world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    in_alpha, in_beta = make_locations_with_the_same_id(alpha, beta)
    path = f"/api/v1/providers/locations/{in_beta.pk}/"
    response = api(client_for("beta", user="staff_beta"), "patch", path, {"name": "Beta Own"})
    assert response.status_code == 200
    assert location_in(beta, in_beta.pk).name == "Beta Own"
    assert location_in(alpha, in_alpha.pk).name == in_alpha.name
    assert catalogue_name(alpha, in_alpha) == in_alpha.name
    assert catalogue_name(beta, in_beta) == "Beta Own"
    assert api(client_for("beta", user="staff_beta"), "delete", path).status_code == 204
    assert location_in(alpha, in_alpha.pk) is not None


def test_api_cannot_move_a_location_into_another_lokets_municipality(client_for, world):
    location = make_location(world.lokets["alpha"])
    response = api(
        client_for("alpha", user="staff_alpha"),
        "patch",
        f"/api/v1/providers/locations/{location.pk}/",
        {"municipality": "24107", "postcode": "3300", "place": "Tienen"},
    )
    assert response.status_code == 400
    assert "municipality" in response.json()
    assert location_in(world.lokets["alpha"], location.pk).municipality.nis_code == "24038"


@pytest.mark.parametrize(
    ("user", "status"),
    [("staff_alpha", 200), ("provider_alpha", 403), ("staff_beta", 403), (None, 403)],
)
def test_organizer_api_is_for_loket_staff_of_the_host_only(client_for, world, user, status):
    make_organizer(world.lokets["alpha"], name="Vzw Alpha")
    response = client_for("alpha", user=user).get("/api/v1/providers/organizers/")
    assert response.status_code == status
    if status == 200:
        assert "Vzw Alpha" in {item["name"] for item in response.json()["results"]}


def test_the_auditor_tenant_has_no_offer_to_manage(client_for, world):
    """Even a (misconfigured) loket staff membership there opens no management page."""
    membership_grant(
        user=world.users["staff_alpha"], role="loket_staff", loket=world.lokets["audit"]
    )
    for user in ("staff_alpha", "auditor"):
        client = client_for("audit", user=user)
        assert client.get("/beheer/opvang/").status_code == 404
        assert client.get("/beheer/opvang/import/").status_code == 404
        assert api(client, "get", "/api/v1/providers/locations/").status_code == 403
