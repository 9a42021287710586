"""migrate_platform makes the shared cache's table that login throttling counts in."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def cache_table_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.opvangloket_cache') IS NOT NULL")
        return cursor.fetchone()[0]


def test_migrate_platform_creates_the_cache_table_on_a_database_without_it():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE public.opvangloket_cache")
    assert not cache_table_exists()

    call_command("migrate_platform", verbosity=0)

    assert cache_table_exists()
    cache.set("login-throttle:probe", {"failures": 1}, 60)
    assert cache.get("login-throttle:probe") == {"failures": 1}
