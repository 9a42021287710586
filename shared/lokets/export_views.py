"""Loket staff download all of their loket's data: /beheer/export/ (page) and
/api/v1/loket/export/ (API), both recorded in the loket's audit trail."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole, role_required
from shared.lokets.export import (
    FORMAT_VERSION,
    MEDIA_TYPE,
    export_file_name,
    export_format,
    loket_export_download,
)


def _download(request: HttpRequest, *, channel: str) -> FileResponse:
    now = timezone.now()
    out, _summary = loket_export_download(
        loket=request.loket, actor=request.user, channel=channel, now=now
    )
    response = FileResponse(
        out,
        as_attachment=True,
        filename=export_file_name(loket=request.loket, now=now),
        content_type=MEDIA_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(Access.PROVIDERS_LOKET_STAFF)
def loket_export(request: HttpRequest) -> HttpResponse:
    """What the export holds, and the button that downloads it (a POST: it is recorded)."""
    if request.method == "POST":
        return _download(request, channel="page")
    return render(
        request,
        "lokets/loket_export.html",
        {"files": export_format(), "format_version": FORMAT_VERSION},
    )


class ZipRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/zip``; errors still answer as JSON."""

    media_type = MEDIA_TYPE
    format = "zip"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class LoketExportView(APIView):
    """All of this loket's data as a ZIP in the documented export format
    (docs/export-format.md); loket staff only, recorded in the audit trail."""

    permission_classes = [HasRole(Access.PROVIDERS_LOKET_STAFF)]
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(responses={(200, MEDIA_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        return _download(request, channel="api")
