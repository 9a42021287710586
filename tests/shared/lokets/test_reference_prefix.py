"""A request's reference names one request in all of Flanders: each loket has its own prefix.

Tienen and Tielt-Winge both used to issue ``TIE-2026-0000n``: the prefix came from the
first three letters of the slug. Now each loket gets a prefix at creation that no other
loket has (the public schema keeps it unique), and existing lokets kept theirs unless
another loket had it first.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, connection, transaction

from shared.lokets.models import Loket
from shared.lokets.references import reference_prefix_choose
from shared.registry.models import RegistryEntry
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db


def test_two_lokets_whose_names_start_alike_issue_different_references(world):
    from shared.lokets.services import loket_create

    area = world.lokets["alpha"].municipalities.all()
    tienen = loket_create(
        slug="tienen", name="Tienen", kind=Loket.Kind.MUNICIPAL, municipalities=area
    )
    tielt = loket_create(
        slug="tielt-winge", name="Tielt-Winge", kind=Loket.Kind.MUNICIPAL, municipalities=area
    )
    assert tienen.reference_prefix == "TIE"
    assert tielt.reference_prefix != "TIE"
    references = [
        submit(make_location(loket, name=f"Kinderdagverblijf {loket.name}"))[0].reference
        for loket in (tienen, tielt)
    ]
    assert references[0].startswith("TIE-")
    assert references[1].startswith(f"{tielt.reference_prefix}-")
    assert len({reference.split("-", 1)[0] for reference in references}) == 2


def test_a_reference_starts_with_its_lokets_prefix(world):
    alpha = world.lokets["alpha"]
    entry = submit(make_location(alpha, name="Kinderdagverblijf Prefix"))[0]
    assert entry.reference.startswith(f"{alpha.reference_prefix}-")
    assert RegistryEntry.objects.get(pk=entry.pk).reference == entry.reference


def test_no_two_lokets_share_a_prefix_in_the_database(world):
    gamma = world.lokets["gamma"]
    gamma.reference_prefix = world.lokets["alpha"].reference_prefix
    with pytest.raises(IntegrityError), transaction.atomic():
        gamma.save(update_fields=["reference_prefix"])


@pytest.mark.parametrize(
    ("slug", "taken", "expected"),
    [
        ("herent", set(), "HER"),
        ("tielt-winge", {"TIE"}, "TIW"),
        ("tienen", {"TIE", "TIW"}, "TIN"),
        ("oost-brabant", set(), "OOS"),
        ("ab", set(), "ABX"),
    ],
)
def test_the_prefix_is_the_old_one_when_free_and_a_close_one_otherwise(slug, taken, expected):
    assert reference_prefix_choose(slug=slug, taken=taken) == expected


def test_every_prefix_is_unique_even_when_all_letters_are_taken():
    taken: set[str] = set()
    for _ in range(40):
        taken.add(reference_prefix_choose(slug="aa", taken=taken))
    assert len(taken) == 40
    assert all(len(prefix) <= 5 and prefix.isalnum() and prefix.isupper() for prefix in taken)


def test_the_migration_keeps_the_oldest_lokets_prefix_so_its_references_still_match(world):
    """Existing lokets, in the order they were made: the first keeps the old prefix."""
    migration = importlib.import_module("shared.lokets.migrations.0004_loket_reference_prefix")
    with connection.cursor() as cursor:  # as before the migration (rolled back after the test)
        cursor.execute("ALTER TABLE lokets_loket ALTER COLUMN reference_prefix DROP NOT NULL")
    Loket.objects.update(reference_prefix=None)
    migration.assign_prefixes(django_apps, None)
    prefixes = dict(Loket.objects.values_list("slug", "reference_prefix"))
    assert prefixes["alpha"] == "ALP"
    assert prefixes["beta"] == "BET"
    assert len(set(prefixes.values())) == len(prefixes)
