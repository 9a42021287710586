"""Signals of problems in a location: loket staff record them and export them as CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.signals.models import LocationSignal
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db

LIST = "/beheer/signalen/"
EXPORT = "/beheer/signalen/export.csv"


@pytest.fixture
def location(world):
    return make_location(world.lokets["alpha"], name="Kinderdagverblijf Regenboog")


def post_signal(client, location, **changes):
    data = {
        "location": location.pk,
        "happened_on": timezone.localdate().isoformat(),
        "what_happened": "=Kind viel van de trap",
        "what_was_done": "Ouders verwittigd, toezicht aangepast",
    }
    data.update(changes)
    return client.post(LIST, data)


def test_loket_staff_record_a_signal_and_see_it_listed(client_for, world, location):
    client = client_for("alpha", user="staff_alpha")
    assert post_signal(client, location).status_code == 302
    with tenant_context(world.lokets["alpha"]):
        signal = LocationSignal.objects.get(location_id=location.pk)
    assert signal.recorded_by == world.users["staff_alpha"]
    page = client.get(LIST).content.decode()
    assert "Kinderdagverblijf Regenboog" in page and "toezicht aangepast" in page


def test_a_signal_in_the_future_or_without_description_is_refused(client_for, location):
    client = client_for("alpha", user="staff_alpha")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert post_signal(client, location, happened_on=tomorrow).status_code == 400
    assert post_signal(client, location, what_happened="").status_code == 400


def test_the_csv_export_has_one_row_per_signal_and_defuses_formulas(client_for, location):
    client = client_for("alpha", user="staff_alpha")
    post_signal(client, location)
    response = client.get(EXPORT)
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # as every CSV download
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("datum;locatie;dossiernummer;gemeente;")  # in the reader's words
    assert response["Content-Disposition"].startswith('attachment; filename="signalen-loket-alpha-')
    assert len(lines) == 2
    assert "'=Kind viel van de trap" in lines[1]


@pytest.mark.parametrize("user", ["staff_beta", "provider_alpha", "parent", "auditor"])
@pytest.mark.parametrize("path", [LIST, EXPORT])
def test_only_loket_staff_of_the_loket_see_its_signals(client_for, location, user, path):
    post_signal(client_for("alpha", user="staff_alpha"), location)
    response = client_for("alpha", user=user).get(path)
    assert response.status_code == 403
    assert "Regenboog" not in response.content.decode()


def test_staff_of_another_loket_cannot_record_a_signal_here(client_for, world, location):
    assert post_signal(client_for("alpha", user="staff_beta"), location).status_code == 403
    with tenant_context(world.lokets["alpha"]):
        assert not LocationSignal.objects.exists()


def test_another_lokets_export_holds_none_of_these_signals(client_for, location):
    post_signal(client_for("alpha", user="staff_alpha"), location)
    assert "Regenboog" not in client_for("beta", user="staff_beta").get(EXPORT).content.decode()


def test_a_signal_outlives_its_location(client_for, world, location):
    from tenants.providers.services import location_delete

    client = client_for("alpha", user="staff_alpha")
    post_signal(client, location)
    with tenant_context(world.lokets["alpha"]):
        location_delete(location=location)
    assert "Kinderdagverblijf Regenboog" in client.get(EXPORT).content.decode("utf-8-sig")
