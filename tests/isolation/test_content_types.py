"""Object permissions point at content types by id; every schema must agree on those ids.

Django caches content types once per process, while each loket schema has its own
``django_content_type`` table (django-guardian's grants live in the loket's schema).
If ids drifted between schemas, a grant could silently name the wrong model.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def content_types(schema: str) -> set[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT id, app_label, model FROM "{schema}".django_content_type')
        return set(cursor.fetchall())


def test_every_loket_schema_has_the_public_content_type_ids(world):
    public = content_types("public")
    for loket in world.lokets.values():
        in_loket = content_types(loket.schema_name)
        # Every model a loket stores has the same id as in the public schema.
        assert in_loket <= public, loket.slug
        assert ("providers", "location") in {(app, model) for _, app, model in in_loket}
