"""Loket staff bring their waiting list from another system: an XLSX upload, a progress
bar while the job runs in the served site, the report; the same file again changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared.registry.models import RegistryEntry
from tenants.onboarding.models import ExternalRecord, ImportRun
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import make_location
from tests.tenants.onboarding.test_requests_import import waiting_list_rows, xlsx_file

pytestmark = pytest.mark.browser

ROWS = 150


@pytest.fixture(scope="module")
def committed_location(django_db_setup, django_db_blocker, tmp_path_factory):
    from tests.conftest import _world

    with django_db_blocker.unblock():
        alpha, staff = _world.lokets["alpha"], _world.users["staff_alpha"]
        location = make_location(alpha, name="Kinderdagverblijf Overstap", dossier_number="KDV-OV")
        path = tmp_path_factory.mktemp("import") / "wachtlijst.xlsx"
        path.write_bytes(xlsx_file(waiting_list_rows(ROWS, choices="KDV-OV")))
        connection.set_schema_to_public()
        with passwords_for_the_server([staff]):
            yield {"staff": staff, "file": path}
        with tenant_context(alpha):
            ids = list(ChildcareRequest.objects.values_list("pk", flat=True))
            ChildcareRequest.objects.all().delete()
            ExternalRecord.objects.all().delete()
            ImportRun.objects.all().delete()
            location_delete(location=location)
        RegistryEntry.objects.filter(loket=alpha, request_id__in=ids).delete()
        connection.set_schema_to_public()


def test_a_waiting_list_is_imported_with_a_progress_bar_and_a_second_run_changes_nothing(
    page: Page, served_site, committed_location
):
    alpha = served_site.url("alpha.localhost")
    log_in(page, alpha, committed_location["staff"].email, "/beheer/import/")
    for expected_created, expected_unchanged in ((ROWS, 0), (0, ROWS)):
        page.goto(f"{alpha}/beheer/import/")
        page.get_by_label("Wat het bestand bevat").select_option("requests")
        page.get_by_label("CSV- of XLSX-bestand").set_input_files(committed_location["file"])
        page.get_by_role("button", name="Start de import").click()
        expect(page.locator("progress#import-bar")).to_be_visible()
        expect(page.locator("#count-created")).to_have_text(str(expected_created), timeout=90_000)
        expect(page.locator("#count-unchanged")).to_have_text(str(expected_unchanged))
        expect(page.locator("progress#import-bar")).to_have_attribute("value", "100")
