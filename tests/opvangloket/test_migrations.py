"""Every model change comes with its migration (they are reviewed and committed)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_model_change_lacks_a_migration(capsys):
    call_command("makemigrations", check=True, dry_run=True, interactive=False)
    assert "No changes detected" in capsys.readouterr().out
