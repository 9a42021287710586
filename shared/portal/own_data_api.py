"""Parents' API for their own data: download all of it (JSON, PDF), erase the account."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import logout
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opvangloket.downloads import download_name
from opvangloket.pdf import pdf_from_template, pdf_response
from shared.accounts.permissions import Access, HasRole
from shared.portal.own_data import account_erase, parent_data_export
from tenants.requests.readable import data_for_reading, readable_value


class OwnDataSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    account = serializers.DictField(
        help_text="e-mail, full_name, preferred_language, date_joined, verified_emails"
    )
    drafts = serializers.ListField(
        child=serializers.DictField(), help_text="Unfinished requests: what each step holds."
    )
    requests = serializers.ListField(
        child=serializers.DictField(),
        help_text=(
            "Every request at every loket: reference, loket, status, child, family, need, "
            "choices with offers and places, history in words, personal_data_removed_at."
        ),
    )


class EraseSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="true: you understand that this cannot be undone.")

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Confirm that you want to erase your account."))
        return value


class ErasedSerializer(serializers.Serializer):
    withdrawn = serializers.IntegerField(help_text="Open requests withdrawn.")
    anonymised = serializers.IntegerField(help_text="Requests whose personal data were removed.")


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; errors still answer as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class MyData(APIView):
    """All your data: your account, unfinished requests and every request at every loket."""

    permission_classes = [HasRole(Access.PARENT)]

    @extend_schema(responses={200: OwnDataSerializer})
    def get(self, request: Request) -> Response:
        data = parent_data_export(user=request.user, now=timezone.now())
        return Response(data, headers={"Cache-Control": "no-store"})


class MyDataPdf(APIView):
    """All your data as a readable PDF document (the same as the JSON)."""

    permission_classes = [HasRole(Access.PARENT)]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        return my_data_pdf_response(request)


def my_data_file_name(*, ext: str, now: datetime) -> str:
    """The name of a parent's copy of their data: all of it, on the whole platform."""
    day = timezone.localdate(now)
    return download_name("mijn-gegevens", whose="opvangloket", first=day, ext=ext)


def my_data_pdf_response(request) -> HttpResponse:
    now = timezone.now()
    content = pdf_from_template(
        "requests/family_data_pdf.html",
        {
            "data": data_for_reading(parent_data_export(user=request.user, now=now)),
            "title": _("Your data"),
            "generated_at": readable_value(now.isoformat()),
        },
        request=request,
    )
    return pdf_response(content, filename=my_data_file_name(ext="pdf", now=now))


class MyAccountErase(APIView):
    """Erase your account: open requests are withdrawn, personal data removed, login closed.

    Cannot be undone. The figures keep counting your requests without your data. An
    account with a role at a loket or a provider cannot be erased here (400).
    """

    permission_classes = [HasRole(Access.PARENT)]

    @extend_schema(
        request=EraseSerializer,
        responses={
            200: ErasedSerializer,
            400: OpenApiResponse(description="Not confirmed, or the account has a staff role."),
        },
    )
    def post(self, request: Request) -> Response:
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = account_erase(user=request.user, now=timezone.now())
        logout(request._request)
        return Response(ErasedSerializer(done).data)
