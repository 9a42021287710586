"""Importing a waiting list from another system: through the page and the job, all or
nothing, in the original order of registration, and a second run changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from openpyxl import Workbook

from shared.jobs.registry import job_named
from shared.jobs.services import job_run
from shared.registry.models import RegistryEntry
from tenants.allocation.selectors import location_queue
from tenants.onboarding.models import ExternalRecord, ImportRun
from tenants.onboarding.requests_import import COLUMNS
from tenants.onboarding.services import JOB_NAME
from tenants.requests.models import ChildcareRequest
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

HEADER = [column.dutch for column in COLUMNS]


def waiting_list_rows(count: int, *, choices: str) -> list[list[str]]:
    """``count`` children, registered one minute apart, newest first in the file."""
    today = timezone.localdate()
    first = timezone.localtime() - timedelta(days=30)
    rows = []
    for number in range(count):
        at = first + timedelta(minutes=number)
        rows.append(
            [
                f"OUD-{number:05d}",
                at.strftime("%d/%m/%Y %H:%M:%S"),
                f"Kind{number}",
                f"Familie{number}",
                (today - timedelta(days=200)).isoformat(),
                "nee",
                "",
                f"Ouder {number}",
                f"ouder{number}@example.be",
                "0470 00 00 00",
                "",
                "",
                "",
                "Kerkstraat 4",
                "3020",
                "",
                "nl",
                (today + timedelta(days=60)).isoformat(),
                "ma,di,do-vm",
                choices,
                "werk" if number % 3 == 0 else "",
                "nee",
                "",
            ]
        )
    rows.reverse()  # the old system's export is not in the order of registration
    return rows


def xlsx_file(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_and_run(client, alpha, content: bytes, **fields) -> ImportRun:
    answer = client.post(
        "/beheer/import/",
        {
            "kind": "requests",
            "file": SimpleUploadedFile("wachtlijst.xlsx", content),
            **fields,
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    with tenant_context(alpha):
        run = ImportRun.objects.get(pk=int(answer["Location"].rstrip("/").split("/")[-1]))
        assert run.status == ImportRun.Status.PENDING
    # The job the demo's thread and run_jobs both run, for real.
    job = job_run(job=job_named(JOB_NAME), loket=alpha, now=timezone.now())
    assert job is not None and job.status == "succeeded", job and job.error
    with tenant_context(alpha):
        run.refresh_from_db()
    page = client.get(f"/beheer/import/{run.pk}/")
    assert page.status_code == 200
    status = client.get(f"/beheer/import/{run.pk}/status.json").json()
    assert status["is_finished"] and status["percent"] == 100
    return run


@pytest.fixture
def alpha(world):
    return world.lokets["alpha"]


@pytest.fixture
def staff(world, client_for, alpha):
    return client_for("alpha.localhost", world.users["staff_alpha"])


def test_a_waiting_list_is_imported_in_its_original_order_and_a_second_run_changes_nothing(
    alpha, staff
):
    location = make_location(alpha, dossier_number="KDV-77")
    content = xlsx_file(waiting_list_rows(30, choices="KDV-77"))

    check = upload_and_run(staff, alpha, content, dry_run="on")
    assert check.status == ImportRun.Status.DONE and check.report["created"] == 30
    with tenant_context(alpha):
        assert ChildcareRequest.objects.count() == 0  # a check saves nothing

    run = upload_and_run(staff, alpha, content)
    assert run.status == ImportRun.Status.DONE, run.report
    assert (run.report["created"], run.report["unchanged"]) == (30, 0)
    with tenant_context(alpha):
        requests = list(ChildcareRequest.objects.order_by("registered_at", "id"))
        assert [r.child_last_name for r in requests] == [f"Familie{n}" for n in range(30)]
        assert all(r.choices.get().location_id == location.pk for r in requests)
        # The location's waiting list: priority groups, then the original registration time.
        queue = [
            (choice.priority_rank, choice.request.registered_at)
            for choice in location_queue(location=location)
        ]
        assert len(queue) == 30 and queue == sorted(queue)
        assert run.content == b""  # the upload is not kept
        ids = [r.pk for r in requests]
    assert RegistryEntry.objects.filter(loket=alpha).values("child").distinct().count() == 30

    again = upload_and_run(staff, alpha, content)
    assert (again.report["created"], again.report["unchanged"]) == (0, 30)
    with tenant_context(alpha):
        assert (
            list(
                ChildcareRequest.objects.order_by("registered_at", "id").values_list(
                    "pk", flat=True
                )
            )
            == ids
        )
        assert ExternalRecord.objects.filter(kind="requests").count() == 30


def test_one_wrong_row_imports_nothing_and_the_report_names_row_and_column(alpha, staff):
    make_location(alpha, dossier_number="KDV-78")
    rows = waiting_list_rows(5, choices="KDV-78")
    rows[1][HEADER.index("geboortedatum")] = "31/02/2025"
    rows[3][HEADER.index("keuzes")] = "KDV-404"
    run = upload_and_run(
        staff,
        alpha,
        xlsx_file(rows),
    )
    assert run.status == ImportRun.Status.REFUSED
    problems = {(p["row"], p["column"]) for p in run.report["problems"]}
    assert problems == {(3, "geboortedatum"), (5, "keuzes")}
    with tenant_context(alpha):
        assert ChildcareRequest.objects.count() == 0


def test_a_child_the_registry_knows_from_another_loket_is_linked_not_duplicated(
    world, alpha, staff
):
    beta = world.lokets["beta"]
    elsewhere = make_location(beta)
    (known,) = submit(
        elsewhere,
        child_first_name="Kind0",
        child_last_name="Familie0",
        contact_email="ouder0@example.be",
        child_birth_date=timezone.localdate() - timedelta(days=200),
    )
    make_location(alpha, dossier_number="KDV-79")
    run = upload_and_run(staff, alpha, xlsx_file(waiting_list_rows(2, choices="KDV-79")))
    assert run.status == ImportRun.Status.DONE, run.report
    assert run.report["linked_children"] == 1
    imported = RegistryEntry.objects.filter(loket=alpha)
    assert known.child_id in set(imported.values_list("child_id", flat=True))


def test_a_mapping_file_reads_another_systems_column_names(alpha, staff):
    from tenants.onboarding.mappings import mapping_named

    make_location(alpha, dossier_number="KDV-80")
    mapping = mapping_named("excel-wachtlijst")
    theirs = {ours: their for their, ours in mapping.columns.items() if ours}
    header = [theirs.get(column.name, column.dutch) for column in COLUMNS]
    header[HEADER.index("nis_code")] = "Gemeente"  # a column the mapping does not import
    run = upload_and_run(
        staff,
        alpha,
        xlsx_file(waiting_list_rows(3, choices="KDV-80"), header=header),
        mapping="excel-wachtlijst",
    )
    assert run.status == ImportRun.Status.DONE, run.report
    assert run.report["created"] == 3


def test_a_waiting_list_of_2000_requests(alpha, staff):
    """The size of a large loket's list, once in the suite."""
    make_location(alpha, dossier_number="KDV-2000", licensed_capacity=200)
    content = xlsx_file(waiting_list_rows(2000, choices="KDV-2000"))
    run = upload_and_run(staff, alpha, content)
    assert run.status == ImportRun.Status.DONE, run.report["problems"][:5]
    assert run.report["created"] == 2000
    again = upload_and_run(staff, alpha, content)
    assert (again.report["created"], again.report["unchanged"]) == (0, 2000)
    with tenant_context(alpha):
        names = list(
            ChildcareRequest.objects.order_by("registered_at", "id").values_list(
                "child_last_name", flat=True
            )
        )
    assert names == [f"Familie{n}" for n in range(2000)]


def test_the_api_starts_an_import_and_reports_its_status_to_this_lokets_staff_only(
    world, alpha, staff, client_for
):
    make_location(alpha, dossier_number="KDV-81")
    upload = SimpleUploadedFile(
        "wachtlijst.xlsx", xlsx_file(waiting_list_rows(2, choices="KDV-81"))
    )
    answer = staff.post("/api/v1/imports/", {"kind": "requests", "file": upload})
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "pending"
    pk = answer.json()["id"]
    job_run(job=job_named(JOB_NAME), loket=alpha, now=timezone.now())
    status = staff.get(f"/api/v1/imports/{pk}/").json()
    assert (status["status"], status["report"]["created"], status["percent"]) == ("done", 2, 100)
    outsider = client_for("alpha.localhost", world.users["staff_beta"])
    assert outsider.get(f"/api/v1/imports/{pk}/").status_code == 403
    assert outsider.get(f"/beheer/import/{pk}/").status_code in (302, 403)
    wrong = staff.post(
        "/api/v1/imports/",
        {"kind": "free_places", "mapping": "excel-wachtlijst", "file": upload},
    )
    assert wrong.status_code == 400


def test_free_places_are_set_through_the_providers_service_and_a_second_run_changes_nothing(
    alpha, staff
):
    from tenants.providers.models import Availability

    location = make_location(alpha, dossier_number="KDV-82", licensed_capacity=12)
    month = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
    rows = [
        ["KDV-82", month.strftime("%Y-%m"), "baby", "3"],
        ["KDV-82", month.strftime("%m/%Y"), "peuter", "2"],
    ]
    content = xlsx_file(rows, header=["locatie", "maand", "leeftijdsgroep", "vrije_plaatsen"])
    answer = staff.post(
        "/beheer/import/",
        {"kind": "free_places", "file": SimpleUploadedFile("plaatsen.xlsx", content)},
    )
    assert answer.status_code == 302
    job_run(job=job_named(JOB_NAME), loket=alpha, now=timezone.now())
    with tenant_context(alpha):
        run = ImportRun.objects.get(kind="free_places")
        assert (run.status, run.report["created"]) == ("done", 2), run.report
        assert {
            (a.age_group, a.free_places) for a in Availability.objects.filter(location=location)
        } == {("baby", 3), ("toddler", 2)}
    staff.post(
        "/beheer/import/",
        {"kind": "free_places", "file": SimpleUploadedFile("plaatsen.xlsx", content)},
    )
    job_run(job=job_named(JOB_NAME), loket=alpha, now=timezone.now())
    with tenant_context(alpha):
        again = ImportRun.objects.filter(kind="free_places").order_by("-id").first()
        assert (again.report["created"], again.report["unchanged"]) == (0, 2)
    too_many = xlsx_file(
        [["KDV-82", month.strftime("%Y-%m"), "baby", "40"]],
        header=["locatie", "maand", "leeftijdsgroep", "vrije_plaatsen"],
    )
    staff.post(
        "/beheer/import/",
        {"kind": "free_places", "file": SimpleUploadedFile("plaatsen.xlsx", too_many)},
    )
    job_run(job=job_named(JOB_NAME), loket=alpha, now=timezone.now())
    with tenant_context(alpha):
        refused = ImportRun.objects.filter(kind="free_places").order_by("-id").first()
        assert refused.status == "refused"
        assert refused.report["problems"][0]["row"] == 2
        assert Availability.objects.get(location=location, age_group="baby").free_places == 3


def test_the_import_page_names_the_mapping_files_in_the_reader_s_language(client_for, world):
    staff = client_for("alpha", "staff_alpha")
    french = staff.get("/beheer/import/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Opvanglocaties uit een Excel-lijst" not in french
    assert "Wachtlijst uit een Excel-lijst" not in french
    assert "Lieux d&#x27;accueil d&#x27;une liste Excel" in french or (
        "Lieux d'accueil d'une liste Excel" in french
    )
    dutch = staff.get("/beheer/import/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Opvanglocaties uit een Excel-lijst" in dutch
