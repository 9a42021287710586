"""The imports in the API: upload a file (multipart) to start one, then read its status."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from opvangloket.request_limits import FormParser, MultiPartParser
from shared.accounts.permissions import Access, HasRole
from tenants.onboarding.mappings import mappings_for
from tenants.onboarding.models import ImportKind, ImportRun
from tenants.onboarding.services import MAX_IMPORT_BYTES, import_start
from tenants.onboarding.views import run_status

LOKET_STAFF_ONLY = HasRole(Access.PROVIDERS_LOKET_STAFF)


class ImportStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField(help_text="CSV or XLSX with the columns of docs/operations.md.")
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text="A mapping file's name, e.g. excel-wachtlijst."
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check everything, save nothing.")

    def validate_file(self, upload: Any) -> Any:
        if upload.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // 2**20}
            )
        return upload

    def validate(self, data: dict) -> dict:
        slug = data.get("mapping") or ""
        if slug and slug not in {mapping.slug for mapping in mappings_for(data["kind"])}:
            raise serializers.ValidationError(
                {"mapping": [_("This column mapping is for another kind of file.")]}
            )
        return data


class OnboardingImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row of the file; the header is row 1.")
    column = serializers.CharField(help_text="Column as named in the file; empty for the row.")
    message = serializers.CharField()


class OnboardingImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField(required=False)
    created = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    linked_children = serializers.IntegerField(required=False)
    problems = OnboardingImportProblemSerializer(many=True, required=False)


class ImportStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    status = serializers.ChoiceField(choices=ImportRun.Status.choices)
    is_finished = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    report = OnboardingImportReportSerializer(help_text="Empty until the import has finished.")


class ImportStart(generics.GenericAPIView):
    """Start an import (loket staff): 202 with its status; it runs as a job, all or nothing."""

    serializer_class = ImportStartSerializer
    permission_classes = [LOKET_STAFF_ONLY]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportStartSerializer},
        responses={202: ImportStatusSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = import_start(
            loket=request.loket,
            kind=data["kind"],
            file_name=data["file"].name,
            content=data["file"].read(),
            user=request.user,
            dry_run=data["dry_run"],
            mapping=data.get("mapping") or "",
            language=(get_language() or "nl")[:2],
        )
        return Response(run_status(run), status=status.HTTP_202_ACCEPTED)


class ImportStatus(generics.GenericAPIView):
    """An import's progress and, once finished, its report (loket staff)."""

    serializer_class = ImportStatusSerializer
    permission_classes = [LOKET_STAFF_ONLY]

    def get(self, request: Request, pk: int) -> Response:
        run = get_object_or_404(ImportRun.objects.defer("content"), pk=pk)
        return Response(run_status(run))
