"""API for loket staff: /api/v1/registry/children/, the desk's child search.

The same form and search as the page (``tenants.requests.child_search``): the children
the registry knows by these terms, per child the lokets and statuses of its requests,
references only of this loket's own. Every search is written to the loket's audit trail.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.registry.models import RequestStatus
from shared.registry.search import ChildMatch
from tenants.requests.child_search import ChildSearchForm, registry_search


class ChildRequestSerializer(serializers.Serializer):
    loket = serializers.CharField(source="loket_name", help_text="The loket's name.")
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    registered_on = serializers.DateField()
    reference = serializers.SerializerMethodField(
        help_text="The request's reference: only for this loket's own requests, else null."
    )

    def get_reference(self, entry) -> str | None:
        return entry.reference or None


class ChildFoundSerializer(serializers.Serializer):
    child_id = serializers.UUIDField(
        help_text="The child's identity in the registry: pass it as `kind` to the desk "
        "registration (/beheer/aanvraag/nieuw/?kind=…) to link the new request to it."
    )
    requests = ChildRequestSerializer(source="entries", many=True)


SEARCH_PARAMETERS = [
    OpenApiParameter("first_name", str, description="The child's first name"),
    OpenApiParameter("last_name", str, description="The child's last name"),
    OpenApiParameter(
        "birth_date", str, description="The child's date of birth (or due date), YYYY-MM-DD"
    ),
    OpenApiParameter(
        "national_number",
        str,
        description="The child's national register number (11 digits; separators ignored). "
        "Enough on its own; otherwise first name, last name and date of birth are all needed. "
        "A last name with a due date alone is refused: it cannot tell children of different "
        "families apart.",
    ),
]


class ChildSearchView(APIView):
    """Children the registry knows by name and date of birth, or national register number.

    For loket staff before a desk registration. Per child: the loket, status and
    registration date of each of its requests, in any loket; the reference only of this
    loket's own. Nothing else of a request is shown. The search is audited (that it
    happened and how many children it found, never the terms).
    """

    permission_classes = [HasRole(Access.LOKET_STAFF)]

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={
            200: ChildFoundSerializer(many=True),
            400: OpenApiResponse(
                description="A term is missing or not valid (per field), e.g. no first name "
                "and no national register number."
            ),
        },
        examples=[
            OpenApiExample(
                "A child with requests in two lokets",
                response_only=True,
                status_codes=["200"],
                value=[
                    {
                        "child_id": "3f1c2a9e-5b7d-4c1e-9a0b-2d4e6f8a1b3c",
                        "requests": [
                            {
                                "loket": "Loket Herent",
                                "status": "open",
                                "registered_on": "2026-02-03",
                                "reference": "HER-2026-17",
                            },
                            {
                                "loket": "Loket Tielt-Winge",
                                "status": "open",
                                "registered_on": "2026-02-05",
                                "reference": None,
                            },
                        ],
                    }
                ],
            )
        ],
    )
    def get(self, request: Request) -> Response:
        form = ChildSearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        matches: list[ChildMatch] = registry_search(
            actor=request.user, loket=request.loket, **form.terms()
        )
        return Response(ChildFoundSerializer(matches, many=True).data)
