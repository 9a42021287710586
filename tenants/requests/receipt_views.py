"""The receipt of a desk registration: a page to print, its PDF, and the API operation.

Loket staff of the request's own loket only (``tenants.requests.receipts``); also a new
claim code for a request without an account (``tenants.requests.claim_codes``), shown on
the receipt printed right after.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opvangloket.pdf import pdf_from_template, pdf_response
from shared.accounts.permissions import Access, HasRole, role_required
from tenants.requests.claim_codes import request_claim_code_issue
from tenants.requests.parts import RequestNotFound
from tenants.requests.receipts import (
    Receipt,
    receipt_codes_remember,
    receipt_file_name,
    receipt_with_issued_code,
    request_receipt,
)


def _receipt(request: HttpRequest, reference: str) -> Receipt:
    now = timezone.now()
    try:
        receipt = request_receipt(
            loket=request.loket, reference=reference, actor=request.user, now=now
        )
    except RequestNotFound as missing:
        raise Http404 from missing
    return receipt_with_issued_code(receipt=receipt, session=request.session, now=now)


def _pdf(request: HttpRequest, receipt: Receipt) -> HttpResponse:
    content = pdf_from_template("requests/receipt_pdf.html", {"receipt": receipt}, request=request)
    return pdf_response(content, filename=receipt_file_name(receipt))


@role_required(Access.LOKET_STAFF)
@require_GET
def request_receipt_page(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "requests/receipt.html", {"receipt": _receipt(request, reference)})


@role_required(Access.LOKET_STAFF)
@require_GET
def request_receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    return _pdf(request, _receipt(request, reference))


class RequestReceiptView(APIView):
    """The receipt of one of this loket's requests, as the PDF the desk prints."""

    permission_classes = [HasRole(Access.LOKET_STAFF)]

    @extend_schema(
        operation_id="request_receipt",
        tags=["requests"],
        summary="The receipt of a request (PDF), as printed at the desk",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The receipt, one A4 page"
            ),
            404: OpenApiResponse(description="No request of this loket by that reference"),
        },
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        return _pdf(request, _receipt(request, reference))


@role_required(Access.LOKET_STAFF)
@require_POST
def request_claim_code_page(request: HttpRequest, reference: str) -> HttpResponse:
    """A new claim code (the one before stops working), then the receipt that shows it."""
    now = timezone.now()
    try:
        issued = request_claim_code_issue(
            loket=request.loket, reference=reference, actor=request.user, now=now
        )
    except RequestNotFound as missing:
        raise Http404 from missing
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("requests:request_detail", reference=reference)
    receipt_codes_remember(session=request.session, codes={reference: issued}, now=now)
    messages.success(
        request,
        _("A new claim code was issued; the one before no longer works. Print this receipt now."),
    )
    return redirect("requests:request_receipt", reference=reference)


class ClaimCodeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    claim_code = serializers.CharField(help_text="XXXX-XXXX-XXXX; shown this once only")
    expires_at = serializers.DateTimeField()


class RequestClaimCodeView(APIView):
    """A new claim code for a request without an account; the one before stops working."""

    permission_classes = [HasRole(Access.LOKET_STAFF)]

    @extend_schema(
        operation_id="request_claim_code_issue",
        tags=["requests"],
        summary="Issue a new claim code for a desk registration (shown once)",
        description=(
            "The parent types it with the reference on /mijn-aanvragen/koppelen/ (or "
            "POST /api/v1/my/claims/) to link every part of the registration to their "
            "account. Only a keyed hash is kept: print it now. The code before stops working."
        ),
        request=None,
        responses={
            201: ClaimCodeSerializer,
            400: OpenApiResponse(description="The request is linked to an account already."),
            404: OpenApiResponse(description="No request of this loket by that reference"),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        now = timezone.now()
        issued = request_claim_code_issue(
            loket=request.loket, reference=reference, actor=request.user, now=now
        )
        return Response(
            ClaimCodeSerializer(
                {"reference": reference, "claim_code": issued.code, "expires_at": issued.expires_at}
            ).data,
            status=201,
        )
