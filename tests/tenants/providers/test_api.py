"""The management API: the same rules as the pages, every write through the services."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.vocabulary import add_months, first_of_month
from tenants.providers.imports import example_csv
from tenants.providers.models import Availability, Location, Organizer
from tests.support.providers import (
    api,
    grant_location,
    location_in,
    make_location,
    make_organizer,
    set_free_places,
)

pytestmark = pytest.mark.django_db

THIS_MONTH = first_of_month(timezone.localdate())
NEXT_MONTH = add_months(THIS_MONTH, 1)
LATER = add_months(THIS_MONTH, 2)


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def staff(client_for):
    return client_for("alpha", user="staff_alpha")


def catalogue(loket, location) -> CatalogueLocation | None:
    return CatalogueLocation.objects.filter(loket=loket, location_id=location.pk).first()


def month(day) -> str:
    return f"{day:%Y-%m}"


def test_loket_staff_create_a_location_and_parents_find_it(staff, alpha):
    organizer = make_organizer(alpha, name="Vzw Api")
    response = api(
        staff,
        "post",
        "/api/v1/providers/locations/",
        {
            "organizer": organizer.pk,
            "name": "Api Opvang",
            "kind": "group",
            "street": "Kerkstraat 1",
            "postcode": "3020",
            "place": "Herent",
            "municipality": "24038",
            "licensed_capacity": 14,
            "opening_days": [1, 2, 3],
            "opens_at": "07:30",
            "closes_at": "18:00",
            "tariff": "free_price",
            "daily_price": "31.00",
            "languages": ["nl"],
            "is_published": True,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["organizer_name"], data["municipality"], data["closing_periods"]) == (
        "Vzw Api",
        "24038",
        [],
    )
    location = location_in(alpha, data["id"])
    assert catalogue(alpha, location).daily_price == location.daily_price


def test_model_rules_answer_400_and_save_nothing(staff, alpha):
    organizer = make_organizer(alpha)
    response = api(
        staff,
        "post",
        "/api/v1/providers/locations/",
        {
            "organizer": organizer.pk,
            "name": "Zonder Prijs",
            "kind": "group",
            "street": "Kerkstraat 1",
            "postcode": "3020",
            "place": "Herent",
            "municipality": "24038",
            "licensed_capacity": 14,
            "age_min_months": 20,
            "age_max_months": 10,
            "tariff": "free_price",
        },
    )
    assert response.status_code == 400
    assert {"daily_price", "age_max_months"} <= set(response.json())
    with tenant_context(alpha):
        assert not Location.objects.filter(name="Zonder Prijs").exists()


def test_unpublishing_through_the_api_removes_the_catalogue_row(staff, alpha):
    location = make_location(alpha)
    path = f"/api/v1/providers/locations/{location.pk}/"
    assert api(staff, "patch", path, {"is_published": False}).status_code == 200
    assert catalogue(alpha, location) is None
    assert api(staff, "patch", path, {"is_published": True}).status_code == 200
    assert catalogue(alpha, location) is not None
    assert api(staff, "delete", path).status_code == 204
    assert catalogue(alpha, location) is None


def test_provider_staff_patch_details_but_not_licence_or_publication(client_for, world, alpha):
    location = make_location(alpha, dossier_number="D-9")
    other = make_organizer(alpha)
    grant_location(alpha, location, world.users["provider_alpha"])
    client = client_for("alpha", user="provider_alpha")
    path = f"/api/v1/providers/locations/{location.pk}/"
    response = api(
        client,
        "patch",
        path,
        {
            "phone": "016 99 99 99",
            "licensed_capacity": 20,
            "is_published": False,
            "organizer": other.pk,
            "dossier_number": "HACK",
            "kind": "family",
        },
    )
    assert response.status_code == 200
    saved = location_in(alpha, location.pk)
    assert (saved.phone, saved.licensed_capacity) == ("016 99 99 99", 20)
    assert (saved.is_published, saved.organizer_id, saved.dossier_number, saved.kind) == (
        True,
        location.organizer_id,
        "D-9",
        "group",
    )
    assert catalogue(alpha, location).phone == "016 99 99 99"
    assert api(client, "put", path, response.json()).status_code == 403
    assert api(client, "delete", path).status_code == 403


def test_availability_put_replaces_and_patch_merges(client_for, world, alpha):
    location = make_location(alpha, licensed_capacity=10)
    grant_location(alpha, location, world.users["provider_alpha"])
    set_free_places(alpha, location, LATER, "baby", 4)
    client = client_for("alpha", user="provider_alpha")
    path = f"/api/v1/providers/locations/{location.pk}/availability/"

    response = api(
        client,
        "put",
        path,
        [
            {"month": month(THIS_MONTH), "age_group": "baby", "free_places": 1},
            {"month": month(NEXT_MONTH), "age_group": "toddler", "free_places": 3},
        ],
    )
    assert response.status_code == 200, response.content
    assert [(e["month"], e["age_group"], e["free_places"]) for e in response.json()] == [
        (month(THIS_MONTH), "baby", 1),
        (month(NEXT_MONTH), "toddler", 3),
    ]  # LATER is gone: PUT replaces

    response = api(
        client, "patch", path, [{"month": month(LATER), "age_group": "baby", "free_places": 2}]
    )
    assert response.status_code == 200
    assert len(response.json()) == 3
    assert api(client, "get", path).json() == response.json()
    entry = catalogue(alpha, location)
    assert set(
        CatalogueAvailability.objects.filter(catalogue_location=entry).values_list(
            "month", "age_group", "free_places"
        )
    ) == {(THIS_MONTH, "baby", 1), (NEXT_MONTH, "toddler", 3), (LATER, "baby", 2)}
    with tenant_context(alpha):
        assert (
            Availability.objects.get(location=location, month=LATER).updated_by
            == (world.users["provider_alpha"])
        )


@pytest.mark.parametrize(
    "entries",
    [
        [{"month": "2020-01", "age_group": "baby", "free_places": 1}],  # passed
        [{"month": "next month", "age_group": "baby", "free_places": 1}],
        [{"month": "2030-13", "age_group": "baby", "free_places": 1}],
        [{"month": "NEXT", "age_group": "elder", "free_places": 1}],
        [{"month": "NEXT", "age_group": "baby", "free_places": -1}],
        [{"month": "NEXT", "age_group": "baby", "free_places": 11}],  # above capacity
        [
            {"month": "NEXT", "age_group": "baby", "free_places": 1},
            {"month": "NEXT", "age_group": "baby", "free_places": 2},
        ],
        {"month": "NEXT", "age_group": "baby", "free_places": 1},  # not a list
    ],
)
def test_wrong_availability_is_refused_and_changes_nothing(staff, alpha, entries):
    location = make_location(alpha, licensed_capacity=10)
    set_free_places(alpha, location, NEXT_MONTH, "baby", 5)

    def fill(entry):
        return {**entry, "month": month(NEXT_MONTH) if entry["month"] == "NEXT" else entry["month"]}

    body = [fill(e) for e in entries] if isinstance(entries, list) else fill(entries)
    path = f"/api/v1/providers/locations/{location.pk}/availability/"
    assert api(staff, "put", path, body).status_code == 400
    with tenant_context(alpha):
        assert list(
            Availability.objects.filter(location=location).values_list(
                "month", "age_group", "free_places"
            )
        ) == [(NEXT_MONTH, "baby", 5)]


def test_organizers_through_the_api(staff, alpha):
    response = api(
        staff, "post", "/api/v1/providers/organizers/", {"name": "Vzw Via Api", "phone": "016"}
    )
    assert response.status_code == 201
    organizer_id = response.json()["id"]
    assert response.json()["location_count"] == 0
    path = f"/api/v1/providers/organizers/{organizer_id}/"
    bad = api(staff, "patch", path, {"company_number": "123"})
    assert bad.status_code == 400
    assert "company_number" in bad.json()
    with tenant_context(alpha):
        organizer = Organizer.objects.get(pk=organizer_id)
    location = make_location(alpha, organizer=organizer)
    assert api(staff, "patch", path, {"name": "Vzw Hernoemd"}).status_code == 200
    assert catalogue(alpha, location).organizer_name == "Vzw Hernoemd"
    assert api(staff, "delete", path).status_code == 400  # still runs a location
    assert api(staff, "delete", f"/api/v1/providers/locations/{location.pk}/").status_code == 204
    assert api(staff, "delete", path).status_code == 204


def test_import_through_the_api(staff, alpha):
    content = example_csv(loket=alpha).encode()
    upload = SimpleUploadedFile("locaties.csv", content, content_type="text/csv")
    response = staff.post(
        "/api/v1/providers/locations/import/", {"file": upload, "dry_run": "true"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["locations_created"], response.json()["dry_run"]) == (2, True)
    with tenant_context(alpha):
        assert not Location.objects.exists()

    upload = SimpleUploadedFile("locaties.csv", content, content_type="text/csv")
    response = staff.post("/api/v1/providers/locations/import/", {"file": upload})
    assert response.status_code == 201
    assert response.json()["problems"] == []
    with tenant_context(alpha):
        assert Location.objects.count() == 2

    upload = SimpleUploadedFile("locaties.csv", content, content_type="text/csv")
    response = staff.post("/api/v1/providers/locations/import/", {"file": upload})
    assert response.status_code == 200  # the same file again: its external ids are known
    assert (response.json()["unchanged"], response.json()["locations_created"]) == (2, 0)
    with tenant_context(alpha):
        assert Location.objects.count() == 2


def test_the_api_is_described_in_openapi(client_for):
    paths = (
        client_for("alpha").get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    )
    assert {
        "/api/v1/providers/organizers/",
        "/api/v1/providers/locations/",
        "/api/v1/providers/locations/{id}/",
        "/api/v1/providers/locations/{id}/availability/",
        "/api/v1/providers/locations/import/",
    } <= set(paths)
    assert {"get", "put", "patch"} <= set(paths["/api/v1/providers/locations/{id}/availability/"])
