"""Managing providers and locations on the pages: what loket staff and provider staff can
do, and the catalogue following every change at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from guardian.models import UserObjectPermission

from opvangloket.auditor_db import AUDITOR_ALIAS
from shared.catalogue.models import CatalogueAvailability, CatalogueLocation
from shared.catalogue.vocabulary import add_months, first_of_month
from shared.geography.models import Municipality
from tenants.providers.models import Availability, ClosingPeriod, Location, Organizer
from tests.support.providers import (
    grant_location,
    grid_field,
    location_in,
    location_post_data,
    make_location,
    make_organizer,
    set_free_places,
)

pytestmark = pytest.mark.django_db

THIS_MONTH = first_of_month(timezone.localdate())
NEXT_MONTH = add_months(THIS_MONTH, 1)


def catalogue(loket, location) -> CatalogueLocation | None:
    return CatalogueLocation.objects.filter(loket=loket, location_id=location.pk).first()


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def staff(client_for):
    return client_for("alpha", user="staff_alpha")


@pytest.fixture
def organizer(alpha):
    return make_organizer(alpha, name="Vzw Kindvriendelijk")


def new_location_data(organizer, **changes) -> dict:
    herent = Municipality.objects.get(nis_code="24038")
    data = {
        "organizer": organizer.pk,
        "name": "De Speelboot",
        "kind": "group",
        "dossier_number": "KDV-123",
        "street": "Wilgenstraat 3",
        "postcode": "3020",
        "place": "Winksele",
        "municipality": herent.pk,
        "licensed_capacity": "18",
        "age_min_months": "0",
        "age_max_months": "36",
        "opening_days": ["1", "2", "3", "4", "5"],
        "opens_at": "07:00",
        "closes_at": "18:30",
        "tariff": "free_price",
        "daily_price": "32,50",
        "languages": ["nl", "fr"],
        "is_inclusive": "on",
        "description": "Een kleine opvang aan de Dijle.",
        "phone": "016 11 22 33",
        "email": "info@speelboot.test",
        "website": "speelboot.test",
        "is_published": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Creating, editing, publishing, deleting -------------------------------------------


def test_loket_staff_create_a_published_location_that_parents_find_at_once(staff, alpha, organizer):
    response = staff.post("/beheer/opvang/locaties/nieuw/", new_location_data(organizer))
    assert response.status_code == 302
    with tenant_context(alpha):
        location = Location.objects.get(name="De Speelboot")
    assert response["Location"] == f"/beheer/opvang/locaties/{location.pk}/"
    assert location.opening_days == [1, 2, 3, 4, 5]
    assert location.languages == ["nl", "fr"]
    assert str(location.daily_price) == "32.50"
    assert location.website == "https://speelboot.test"
    assert location.latitude is not None  # from the place of the postcode
    entry = catalogue(alpha, location)
    assert entry is not None
    assert (entry.name, entry.organizer_name, entry.municipality.nis_code) == (
        "De Speelboot",
        "Vzw Kindvriendelijk",
        "24038",
    )
    assert entry.region_id == alpha.region_id


def test_an_unpublished_location_stays_out_of_the_catalogue(staff, alpha, organizer):
    staff.post("/beheer/opvang/locaties/nieuw/", new_location_data(organizer, is_published=None))
    with tenant_context(alpha):
        location = Location.objects.get(name="De Speelboot")
    assert not location.is_published
    assert catalogue(alpha, location) is None


def test_publish_and_unpublish_change_the_catalogue_at_once(staff, alpha):
    location = make_location(alpha, is_published=False)
    path = f"/beheer/opvang/locaties/{location.pk}/publicatie/"
    assert staff.post(path, {"is_published": "1"}).status_code == 302
    assert catalogue(alpha, location) is not None
    response = staff.post(path, {"is_published": "0", "next": "detail"})
    assert response["Location"] == f"/beheer/opvang/locaties/{location.pk}/"
    assert catalogue(alpha, location) is None
    assert not location_in(alpha, location.pk).is_published


def test_publishing_needs_a_post(staff, alpha):
    location = make_location(alpha, is_published=False)
    assert staff.get(f"/beheer/opvang/locaties/{location.pk}/publicatie/").status_code == 405
    assert catalogue(alpha, location) is None


def test_editing_changes_the_catalogue_at_once(staff, alpha):
    location = make_location(alpha, name="Oude Naam")
    data = location_post_data(
        location,
        name="Nieuwe Naam",
        tariff="free_price",
        daily_price="29,75",
        languages=["nl", "en"],
    )
    assert staff.post(f"/beheer/opvang/locaties/{location.pk}/bewerken/", data).status_code == 302
    entry = catalogue(alpha, location)
    assert (entry.name, entry.tariff, str(entry.daily_price), entry.languages) == (
        "Nieuwe Naam",
        "free_price",
        "29.75",
        ["nl", "en"],
    )


def test_moving_a_location_moves_its_coordinates(client_for, world):
    """The form changes the location before the service sees it; the service must still
    notice the new postcode and place the location anew."""
    gamma = world.lokets["gamma"]
    location = make_location(gamma, nis_code="24137")  # 3380 Glabbeek
    linter = Municipality.objects.get(nis_code="24133")
    data = location_post_data(location, postcode="3350", place="Linter", municipality=linter.pk)
    client = client_for("gamma", user="staff_gamma")
    assert client.post(f"/beheer/opvang/locaties/{location.pk}/bewerken/", data).status_code == 302
    moved = location_in(gamma, location.pk)
    assert (moved.latitude, moved.longitude) != (location.latitude, location.longitude)
    assert round(float(moved.latitude), 3) == 50.829  # Linter's centre
    assert catalogue(gamma, location).postcode == "3350"


def test_deleting_asks_for_confirmation_first(staff, alpha, world):
    location = make_location(alpha, name="Te Verwijderen")
    grant_location(alpha, location, world.users["provider_alpha"])
    path = f"/beheer/opvang/locaties/{location.pk}/verwijderen/"
    page = staff.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert location_in(alpha, location.pk) is not None
    assert catalogue(alpha, location) is not None

    response = staff.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/beheer/opvang/"
    assert location_in(alpha, location.pk) is None
    assert catalogue(alpha, location) is None
    with tenant_context(alpha):  # the grant goes with the location
        assert not UserObjectPermission.objects.filter(object_pk=str(location.pk)).exists()


# --- Forms keep what was typed, errors next to the fields ------------------------------


def test_a_form_with_errors_keeps_what_the_user_typed(staff, alpha, organizer):
    data = new_location_data(
        organizer,
        name="Typed Name",
        street="Typed Street 9",
        opening_days=["2", "4"],
        languages=["fr"],
        opens_at="18:00",
        closes_at="07:00",
        daily_price="",
        age_min_months="40",
    )
    response = staff.post("/beheer/opvang/locaties/nieuw/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"closes_at", "daily_price", "age_max_months"}
    html = response.content.decode()
    assert 'value="Typed Name"' in html
    assert 'value="Typed Street 9"' in html
    assert 'value="18:00"' in html
    assert 'name="opening_days" value="2" id="id_opening_days_1" checked' in html
    assert 'name="opening_days" value="1" id="id_opening_days_0" checked' not in html
    assert 'name="languages" value="fr" id="id_languages_1" checked' in html
    # Each error is next to its field and tied to it for screen readers.
    assert 'aria-describedby="id_closes_at_error"' in html
    assert 'id="id_closes_at_error"' in html
    assert 'aria-invalid="true"' in html
    with tenant_context(alpha):
        assert not Location.objects.filter(name="Typed Name").exists()


def test_only_the_working_area_can_be_chosen(client_for, world):
    gamma = world.lokets["gamma"]
    organizer = make_organizer(gamma)
    client = client_for("gamma", user="staff_gamma")
    form = client.get("/beheer/opvang/locaties/nieuw/").context["form"]
    choices = {m.nis_code for m in form.fields["municipality"].queryset}
    assert choices == {"24137", "24054", "24133"}
    tienen = Municipality.objects.get(nis_code="24107")
    response = client.post(
        "/beheer/opvang/locaties/nieuw/",
        new_location_data(
            organizer, municipality=tienen.pk, postcode="3300", place="Tienen", dossier_number=""
        ),
    )
    assert response.status_code == 200
    assert "municipality" in response.context["form"].errors


def test_the_postcode_must_lie_in_the_municipality(staff, organizer):
    response = staff.post(
        "/beheer/opvang/locaties/nieuw/", new_location_data(organizer, postcode="3300")
    )
    assert response.status_code == 200
    assert "postcode" in response.context["form"].errors


# --- Provider staff ---------------------------------------------------------------------


def test_provider_staff_edit_details_but_not_licence_or_publication(client_for, world, alpha):
    location = make_location(alpha, name="Eigen Opvang", dossier_number="D-1")
    other_organizer = make_organizer(alpha, name="Someone Else")
    grant_location(alpha, location, world.users["provider_alpha"])
    client = client_for("alpha", user="provider_alpha")
    path = f"/beheer/opvang/locaties/{location.pk}/bewerken/"
    form = client.get(path).context["form"]
    assert {"organizer", "kind", "dossier_number", "is_published"}.isdisjoint(form.fields)
    assert {"name", "licensed_capacity", "opening_days", "phone"} <= set(form.fields)
    data = location_post_data(
        location,
        name="Eigen Opvang Vernieuwd",
        licensed_capacity="24",
        organizer=other_organizer.pk,
        kind="family",
        dossier_number="HACK",
        is_published="",
    )
    assert client.post(path, data).status_code == 302
    saved = location_in(alpha, location.pk)
    assert (saved.name, saved.licensed_capacity) == ("Eigen Opvang Vernieuwd", 24)
    assert (saved.organizer.name, saved.kind, saved.dossier_number, saved.is_published) == (
        location.organizer.name,
        "group",
        "D-1",
        True,
    )
    assert catalogue(alpha, location).name == "Eigen Opvang Vernieuwd"
    page = client.get(f"/beheer/opvang/locaties/{location.pk}/").content.decode()
    assert "/verwijderen/" not in page
    assert "/publicatie/" not in page


# --- Free places ------------------------------------------------------------------------


def test_free_places_grid_saves_and_the_catalogue_follows(client_for, world, alpha):
    location = make_location(alpha, licensed_capacity=12)
    grant_location(alpha, location, world.users["provider_alpha"])
    client = client_for("alpha", user="provider_alpha")
    path = f"/beheer/opvang/locaties/{location.pk}/vrije-plaatsen/"
    page = client.get(path)
    assert page.status_code == 200
    grid = page.context["form"].grid
    assert grid.age_groups == ["baby", "toddler"]
    assert len(grid.months) == 12
    assert grid.months[0] == THIS_MONTH

    data = {grid_field(THIS_MONTH, "baby"): "2", grid_field(NEXT_MONTH, "toddler"): "0"}
    assert client.post(path, data).status_code == 302
    with tenant_context(alpha):
        rows = {(a.month, a.age_group): a for a in Availability.objects.filter(location=location)}
    assert {key: row.free_places for key, row in rows.items()} == {
        (THIS_MONTH, "baby"): 2,
        (NEXT_MONTH, "toddler"): 0,
    }
    assert rows[(THIS_MONTH, "baby")].updated_by == world.users["provider_alpha"]
    entry = catalogue(alpha, location)
    assert set(
        CatalogueAvailability.objects.filter(catalogue_location=entry).values_list(
            "month", "age_group", "free_places"
        )
    ) == {(THIS_MONTH, "baby", 2), (NEXT_MONTH, "toddler", 0)}

    # Emptying a cell removes that count, here and in the catalogue.
    assert client.post(path, {grid_field(THIS_MONTH, "baby"): "2"}).status_code == 302
    assert set(
        CatalogueAvailability.objects.filter(catalogue_location=entry).values_list(
            "month", "age_group"
        )
    ) == {(THIS_MONTH, "baby")}


def test_free_places_above_capacity_or_negative_are_refused_and_kept(staff, alpha):
    location = make_location(alpha, licensed_capacity=4)
    set_free_places(alpha, location, NEXT_MONTH, "baby", 1)
    path = f"/beheer/opvang/locaties/{location.pk}/vrije-plaatsen/"
    response = staff.post(
        path,
        {
            grid_field(NEXT_MONTH, "baby"): "3",
            grid_field(NEXT_MONTH, "toddler"): "5",
            grid_field(THIS_MONTH, "baby"): "-1",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {grid_field(NEXT_MONTH, "toddler"), grid_field(THIS_MONTH, "baby")}
    html = response.content.decode()
    assert f'name="{grid_field(NEXT_MONTH, "toddler")}" value="5"' in html
    assert f'name="{grid_field(NEXT_MONTH, "baby")}" value="3"' in html
    with tenant_context(alpha):  # nothing saved, the old count stays
        assert list(
            Availability.objects.filter(location=location).values_list("free_places", flat=True)
        ) == [1]


def test_out_of_school_care_counts_pre_school_and_school_children(staff, alpha):
    location = make_location(alpha, kind="out_of_school", age_min_months=30, age_max_months=144)
    page = staff.get(f"/beheer/opvang/locaties/{location.pk}/vrije-plaatsen/")
    assert page.context["form"].grid.age_groups == ["preschool", "school"]


# --- Closing periods --------------------------------------------------------------------


def test_closing_periods_are_added_and_removed_and_reach_the_catalogue(client_for, world, alpha):
    location = make_location(alpha)
    grant_location(alpha, location, world.users["provider_alpha"])
    client = client_for("alpha", user="provider_alpha")
    start = timezone.localdate() + timedelta(days=30)
    response = client.post(
        f"/beheer/opvang/locaties/{location.pk}/sluitingsperiodes/",
        {
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=13)).isoformat(),
            "reason": "Zomer",
        },
    )
    assert response.status_code == 302
    assert catalogue(alpha, location).closing_periods == [
        {
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=13)).isoformat(),
            "reason": "Zomer",
        }
    ]
    with tenant_context(alpha):
        period = ClosingPeriod.objects.get(location=location)
    path = f"/beheer/opvang/locaties/{location.pk}/sluitingsperiodes/{period.pk}/verwijderen/"
    assert client.post(path).status_code == 302
    assert catalogue(alpha, location).closing_periods == []


def test_a_closing_period_ending_before_it_starts_is_refused_and_kept(staff, alpha):
    location = make_location(alpha)
    response = staff.post(
        f"/beheer/opvang/locaties/{location.pk}/sluitingsperiodes/",
        {"starts_on": "2030-08-10", "ends_on": "2030-08-01", "reason": "Verkeerd"},
    )
    assert response.status_code == 200
    assert set(response.context["period_form"].errors) == {"ends_on"}
    html = response.content.decode()
    assert 'value="2030-08-10"' in html
    assert 'value="Verkeerd"' in html


def test_a_refused_closing_period_or_grant_brings_you_to_its_form(staff, alpha, world):
    location = make_location(alpha)
    detail = f"/beheer/opvang/locaties/{location.pk}/"
    html = staff.post(
        f"{detail}sluitingsperiodes/",
        {"starts_on": "2030-08-10", "ends_on": "2030-08-01", "reason": "Verkeerd"},
    ).content.decode()
    assert f'action="{detail}sluitingsperiodes/#closing-periods"' in html
    assert 'id="closing-periods"' in html
    # Back from the answer is the location's page: the form's own address takes only POST.
    assert f'<body data-answer-to-post="{detail}">' in html

    html = staff.post(f"{detail}toegang/", {"user": world.users["parent"].pk}).content.decode()
    assert f'action="{detail}toegang/#access"' in html
    assert 'id="access"' in html


def test_a_closing_period_of_another_location_cannot_be_removed(staff, alpha):
    first, second = make_location(alpha), make_location(alpha)
    with tenant_context(alpha):
        period = ClosingPeriod.objects.create(
            location=second, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 2)
        )
    path = f"/beheer/opvang/locaties/{first.pk}/sluitingsperiodes/{period.pk}/verwijderen/"
    assert staff.post(path).status_code == 404
    with tenant_context(alpha):
        assert ClosingPeriod.objects.filter(pk=period.pk).exists()


# --- Grants -----------------------------------------------------------------------------


def test_loket_staff_grant_and_revoke_a_location(staff, client_for, world, alpha):
    location = make_location(alpha, name="Toegewezen")
    provider = world.users["provider_alpha"]
    provider_client = client_for("alpha", user="provider_alpha")
    edit = f"/beheer/opvang/locaties/{location.pk}/bewerken/"
    assert provider_client.get(edit).status_code == 404

    response = staff.post(f"/beheer/opvang/locaties/{location.pk}/toegang/", {"user": provider.pk})
    assert response.status_code == 302
    assert provider_client.get(edit).status_code == 200
    assert "Toegewezen" in provider_client.get("/beheer/opvang/").content.decode()
    detail = staff.get(f"/beheer/opvang/locaties/{location.pk}/").content.decode()
    assert provider.email in detail

    path = f"/beheer/opvang/locaties/{location.pk}/toegang/{provider.pk}/intrekken/"
    assert staff.post(path).status_code == 302
    assert provider_client.get(edit).status_code == 404


@pytest.mark.parametrize("user", ["provider_beta", "staff_alpha", "parent"])
def test_only_provider_staff_of_this_loket_can_be_granted(staff, world, alpha, user):
    location = make_location(alpha)
    form = staff.get(f"/beheer/opvang/locaties/{location.pk}/").context["grant_form"]
    assert list(form.fields["user"].queryset) == [world.users["provider_alpha"]]
    response = staff.post(
        f"/beheer/opvang/locaties/{location.pk}/toegang/", {"user": world.users[user].pk}
    )
    assert response.status_code == 200
    assert "user" in response.context["grant_form"].errors
    with tenant_context(alpha):
        assert not UserObjectPermission.objects.filter(object_pk=str(location.pk)).exists()


# --- Organizers -------------------------------------------------------------------------


def test_organizers_are_created_renamed_and_the_catalogue_follows(staff, alpha):
    response = staff.post(
        "/beheer/opvang/organisatoren/nieuw/",
        {"name": "Vzw Nieuw", "company_number": "0411.905.847", "website": "vzw.test"},
    )
    assert response.status_code == 302
    with tenant_context(alpha):
        organizer = Organizer.objects.get(name="Vzw Nieuw")
    assert organizer.website == "https://vzw.test"
    location = make_location(alpha, organizer=organizer)
    response = staff.post(
        f"/beheer/opvang/organisatoren/{organizer.pk}/bewerken/",
        {"name": "Vzw Hernoemd", "company_number": "0411.905.847"},
    )
    assert response.status_code == 302
    assert catalogue(alpha, location).organizer_name == "Vzw Hernoemd"


def test_an_invalid_company_number_is_refused_and_kept(staff):
    response = staff.post(
        "/beheer/opvang/organisatoren/nieuw/",
        {"name": "Vzw Fout", "company_number": "0411.905.848"},
    )
    assert response.status_code == 200
    assert "company_number" in response.context["form"].errors
    assert 'value="0411.905.848"' in response.content.decode()


def test_an_organizer_with_locations_cannot_be_deleted(staff, alpha):
    organizer = make_organizer(alpha, name="Vzw Bezig")
    make_location(alpha, organizer=organizer)
    assert (
        staff.post(f"/beheer/opvang/organisatoren/{organizer.pk}/verwijderen/").status_code == 302
    )
    with tenant_context(alpha):
        assert Organizer.objects.filter(pk=organizer.pk).exists()
    idle = make_organizer(alpha, name="Vzw Stil")
    path = f"/beheer/opvang/organisatoren/{idle.pk}/verwijderen/"
    assert staff.get(path).status_code == 200
    assert staff.post(path).status_code == 302
    with tenant_context(alpha):
        assert not Organizer.objects.filter(pk=idle.pk).exists()


# --- Entry points -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "user", "shown"),
    [
        ("alpha", "staff_alpha", True),
        ("alpha", "provider_alpha", True),
        ("audit", "auditor", False),
    ],
)
@pytest.mark.django_db(databases=["default", AUDITOR_ALIAS])  # the auditor's start page
def test_the_staff_area_links_to_the_locations(client_for, host, user, shown):
    page = client_for(host, user=user).get("/beheer/").content.decode()
    assert ('href="/beheer/opvang/"' in page) == shown
