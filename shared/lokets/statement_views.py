"""The privacy and accessibility statements on every host, and the privacy facts as JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.lokets.statements import accessibility_statement, privacy_statement


def _host(request: HttpRequest) -> dict:
    return {"loket": getattr(request, "loket", None), "region": getattr(request, "region", None)}


@require_safe
def privacy_statement_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "lokets/privacy_statement.html", {"statement": privacy_statement(**_host(request))}
    )


@require_safe
def accessibility_statement_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "lokets/accessibility_statement.html",
        {"statement": accessibility_statement(**_host(request))},
    )


class ControllerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    organiser = serializers.CharField(help_text="Who runs the loket; empty when not recorded.")
    address = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    municipalities = serializers.ListField(child=serializers.CharField())
    retention_months = serializers.IntegerField(
        help_text="Months after closing that a request keeps its personal data."
    )


class PrivacyStatementSerializer(serializers.Serializer):
    controllers = ControllerSerializer(many=True)
    platform_operator = serializers.CharField(help_text="Who runs the software (processor).")
    platform_contact = serializers.CharField()
    draft_retention_days = serializers.IntegerField()
    audit_retention_months = serializers.IntegerField()


class PrivacyStatementView(APIView):
    """The facts of this host's privacy statement: controllers, contacts, retention."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="privacy_statement",
        tags=["platform"],
        summary="Who is responsible for the personal data registered here, and for how long",
        responses=PrivacyStatementSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(PrivacyStatementSerializer(privacy_statement(**_host(request))).data)
