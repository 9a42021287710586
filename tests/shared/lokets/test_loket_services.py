"""Creating lokets: a schema of their own, cloned from the template, and the demo region."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists

from shared.accounts.models import Membership, User
from shared.catalogue.models import CatalogueLocation
from shared.lokets.models import Domain, Loket, Region
from shared.lokets.services import loket_create, loket_update_contact
from shared.registry.models import RegistryEntry

pytestmark = pytest.mark.django_db


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def applied_migrations(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations')
        return cursor.fetchone()[0]


def test_a_new_loket_gets_its_own_schema_with_every_tenant_table(world):
    loket = loket_create(slug="delta", name="Loket Delta", kind=Loket.Kind.MUNICIPAL)
    assert schema_exists("delta")
    assert tables_in("delta") == tables_in("alpha")
    assert "guardian_userobjectpermission" in tables_in("delta")
    # Migrations are recorded as applied, so the next migrate run has nothing to redo.
    assert applied_migrations("delta") == applied_migrations("alpha")
    assert Domain.objects.get(tenant=loket).domain == "delta.localhost"


def test_a_slug_that_is_taken_or_malformed_is_refused_and_creates_no_schema(world):
    with pytest.raises(ValidationError) as taken:
        loket_create(slug="alpha", name="Tweede Alpha", kind=Loket.Kind.MUNICIPAL)
    assert "slug" in taken.value.message_dict
    with pytest.raises(ValidationError) as malformed:
        loket_create(slug="Bad Slug!", name="Bad", kind=Loket.Kind.MUNICIPAL)
    assert "slug" in malformed.value.message_dict
    assert not schema_exists("bad_slug_")
    assert Loket.objects.filter(name__in=["Tweede Alpha", "Bad"]).count() == 0


def test_contact_details_are_validated(world):
    with pytest.raises(ValidationError) as error:
        loket_update_contact(loket=world.lokets["beta"], email="not an address")
    assert "email" in error.value.message_dict


def test_contact_form_keeps_what_was_typed_when_one_field_is_wrong(client_for, world):
    response = client_for("alpha", user="staff_alpha").post(
        "/beheer/gegevens/",
        {
            "address": "Nieuwe Straat 5",
            "phone": "016 99 99 99",
            "email": "geen-adres",
            "website": "",
            "opening_hours": "Vrijdag 9:00-12:00",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Nieuwe Straat 5"' in page
    assert "Vrijdag 9:00-12:00" in page
    assert 'class="error"' in page
    world.lokets["alpha"].refresh_from_db()
    assert world.lokets["alpha"].address != "Nieuwe Straat 5"


def test_loket_staff_change_contact_details_and_parents_see_them(client_for):
    response = client_for("alpha", user="staff_alpha").post(
        "/beheer/gegevens/",
        {
            "address": "Nieuwe Straat 5, 3020 Herent",
            "phone": "016 99 99 99",
            "email": "loket@alpha.test",
            "website": "alpha.test",
            "opening_hours": "Vrijdag 9:00-12:00",
        },
    )
    assert response.status_code == 302
    page = client_for("alpha").get("/").content.decode()
    assert "Nieuwe Straat 5, 3020 Herent" in page
    assert "Vrijdag 9:00-12:00" in page
    assert "https://alpha.test" in page


def test_demo_seed_creates_the_demo_region_and_can_run_twice(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    region = Region.objects.get(slug="oost-brabant")
    assert region.domain == "oost-brabant.localhost"
    lokets = {
        loket.slug: loket
        for loket in Loket.objects.filter(
            slug__in=["herent", "tienen", "tielt-winge", "leuven", "hageland", "audit"]
        )
    }
    assert len(lokets) == 6
    assert {m.name_nl for m in lokets["hageland"].municipalities.all()} == {
        "Glabbeek",
        "Kortenaken",
        "Linter",
    }
    assert lokets["hageland"].kind == Loket.Kind.INTERMUNICIPAL
    assert lokets["audit"].kind == Loket.Kind.AUDITOR
    assert Domain.objects.filter(domain="tielt-winge.localhost").count() == 1
    assert User.objects.filter(email__endswith="@demo.test").count() == 13
    assert Membership.objects.filter(
        user__email="coordinator@demo.test", role="region_coordinator", region=region
    ).exists()
    offer = CatalogueLocation.objects.filter(region=region)
    assert 55 <= offer.count() <= 70
    assert set(offer.values_list("kind", flat=True)) == {"group", "family", "out_of_school"}
    assert set(offer.values_list("loket__slug", flat=True)) == set(lokets) - {"audit"}
    with_places = offer.filter(availabilities__free_places__gt=0).distinct().count()
    assert 0 < with_places < offer.count()  # some full, some with free places
    entries = RegistryEntry.objects.filter(loket__region=region)
    children = entries.values("name_key").distinct().count()
    assert entries.filter(parent__email="ouder@demo.test").count() == 2  # Herent and Leuven
    assert 30 <= children < entries.count()  # some children registered in two lokets
    output = capsys.readouterr().out
    assert "http://herent.localhost:8000/" in output
    assert "ouder@demo.test" in output
