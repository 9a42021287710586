"""Loket staff mark a request urgent: the button on the request page and the API action."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, role_required
from tenants.requests.api import (
    LOKET_STAFF_ONLY,
    StaffRequestDetailSerializer,
    staff_request_action,
)
from tenants.requests.models import ChildcareRequest
from tenants.requests.urgent import request_mark_urgent


@role_required(Access.LOKET_STAFF)
@require_POST
def request_mark_urgent_page(request: HttpRequest, reference: str) -> HttpResponse:
    childcare_request = get_object_or_404(ChildcareRequest, reference=reference)
    try:
        added = request_mark_urgent(
            request=childcare_request, actor=request.user, now=timezone.now()
        )
    except DjangoValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "The request is urgent; it went to %(count)d more location.",
                "The request is urgent; it went to %(count)d more locations.",
                len(added),
            )
            % {"count": len(added)}
            if added
            else _("The request is urgent; no other location fits the child."),
        )
    return redirect("requests:request_detail", reference=reference)


class RequestMarkUrgentView(APIView):
    """Mark an open request of this loket urgent (loket staff only).

    It gets a choice at every published location of this loket that fits the child's age
    at the desired start, after the parent's own choices; its place in each queue follows
    the usual order. Marking it again adds locations that fit since.
    """

    permission_classes = [LOKET_STAFF_ONLY]

    @extend_schema(
        request=None,
        responses={
            200: StaffRequestDetailSerializer,
            400: OpenApiResponse(description="The request is not open."),
            404: OpenApiResponse(description="No request of this loket by that reference."),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        return staff_request_action(request, reference, request_mark_urgent)
