"""The import page: upload, then a progress bar until the report (loket staff only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language

from shared.accounts.permissions import Access, role_required
from tenants.onboarding.forms import ImportForm
from tenants.onboarding.models import ImportRun
from tenants.onboarding.services import import_start


@role_required(Access.PROVIDERS_LOKET_STAFF)
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = import_start(
            loket=request.loket,
            kind=form.cleaned_data["kind"],
            file_name=upload.name,
            content=upload.read(),
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            mapping=form.cleaned_data["mapping"] or "",
            language=(get_language() or "nl")[:2],
        )
        return redirect("onboarding:import_status", pk=run.pk)
    runs = ImportRun.objects.defer("content")[:10]
    return render(request, "onboarding/import.html", {"form": form, "runs": runs})


@role_required(Access.PROVIDERS_LOKET_STAFF)
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
    return render(request, "onboarding/import_status.html", {"run": run})


@role_required(Access.PROVIDERS_LOKET_STAFF)
def import_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
    return JsonResponse(run_status(run))


def run_status(run: ImportRun) -> dict:
    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "is_finished": run.is_finished,
        "dry_run": run.is_dry_run,
        "rows_done": run.rows_done,
        "rows_total": run.rows_total,
        "percent": run.percent,
        "report": run.report if run.is_finished else {},
    }
