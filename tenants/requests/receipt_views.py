"""The receipt of a desk registration: a page to print, its PDF, and the API operation.

Loket staff of the request's own loket only (``tenants.requests.receipts``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from opvangloket.pdf import pdf_from_template, pdf_response
from shared.accounts.permissions import Access, HasRole, role_required
from tenants.requests.parts import RequestNotFound
from tenants.requests.receipts import Receipt, request_receipt


def _receipt(request: HttpRequest, reference: str) -> Receipt:
    try:
        return request_receipt(
            loket=request.loket, reference=reference, actor=request.user, now=timezone.now()
        )
    except RequestNotFound as missing:
        raise Http404 from missing


def _pdf(request: HttpRequest, receipt: Receipt) -> HttpResponse:
    content = pdf_from_template("requests/receipt_pdf.html", {"receipt": receipt}, request=request)
    return pdf_response(content, filename=f"ontvangstbewijs-{receipt.reference}.pdf")


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
