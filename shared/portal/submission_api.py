"""The parents' API for registering a request (``POST /api/v1/my/requests/``) and their children.

The body is only parsed here (types, the municipality's NIS code, catalogue ids of this
host's region); every rule is ``request_submit``'s, the same as for the wizard, and its
errors come back at the place in the body that can fix them: the service's
``child_first_name`` is ``{"child": {"first_name": [...]}}``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from shared.accounts.permissions import Access, HasRole
from shared.catalogue.vocabulary import DAY_PARTS
from shared.geography.models import Municipality
from shared.lokets.models import Loket, Region
from shared.portal.drafts import choices_visible
from shared.portal.forms import known_child_label
from shared.portal.selectors import children_to_ask_about, family_children_of
from shared.registry.identity import child_keys
from shared.registry.models import RegistryEntry
from tenants.requests.models import Priority
from tenants.requests.services import MAX_EXPECTED_CHILDREN, RequestData, request_submit

# --- The body --------------------------------------------------------------------------


class SubmitChildSerializer(serializers.Serializer):
    first_name = serializers.CharField(
        max_length=80, allow_blank=True, default="", help_text="May be empty for an unborn child."
    )
    last_name = serializers.CharField(max_length=80, allow_blank=True, default="")
    birth_date = serializers.DateField(help_text="For an unborn child: the expected date.")
    is_expected_birth = serializers.BooleanField(default=False)
    national_number = serializers.CharField(
        max_length=20, allow_blank=True, default="", help_text="Optional: 11 digits."
    )


class GuardianSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=60)
    last_name = serializers.CharField(max_length=60)
    email = serializers.EmailField(allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")


class SubmitFamilySerializer(serializers.Serializer):
    street = serializers.CharField(max_length=150, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, allow_blank=True, default="")
    residence = serializers.SlugRelatedField(
        slug_field="nis_code",
        queryset=Municipality.objects.all(),
        help_text="NIS code of the municipality of residence.",
    )
    email = serializers.EmailField(help_text="The confirmation and every answer go here.")
    phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    # A plain string, not an OpenAPI enum: enum names are global to the document.
    language = serializers.CharField(
        max_length=2,
        default="nl",
        help_text="For contact with the family: "
        f"{', '.join(f'`{code}`' for code, _name in settings.LANGUAGES)}.",
    )
    guardians = GuardianSerializer(
        many=True, allow_empty=False, help_text="The parents or guardians, the contact first."
    )

    def validate_language(self, value: str) -> str:
        if value not in dict(settings.LANGUAGES):
            # The wizard's message for a language it does not offer.
            message = forms.ChoiceField.default_error_messages["invalid_choice"]
            raise serializers.ValidationError(message % {"value": value})
        return value


class RequestSubmitSerializer(serializers.Serializer):
    child = SubmitChildSerializer()
    family = SubmitFamilySerializer()
    desired_start = serializers.DateField()
    care_plan = serializers.ListField(
        child=serializers.CharField(max_length=6),
        default=list,
        help_text=f"Half-days of the week: {', '.join(f'`{code}`' for code in DAY_PARTS)}.",
    )
    is_flexible = serializers.BooleanField(
        default=False, help_text="Other locations or another start date are fine too."
    )
    choices = serializers.ListField(
        child=serializers.IntegerField(),
        default=list,
        max_length=50,
        help_text="Ids of catalogue locations (`/api/v1/catalogue/locations/`) of this host's "
        "region, most wanted first.",
    )
    priorities = serializers.ListField(
        child=serializers.CharField(max_length=40),
        default=list,
        help_text=f"Priority situations: {', '.join(f'`{value}`' for value in Priority.values)}.",
    )
    remarks = serializers.CharField(max_length=2000, allow_blank=True, default="")
    consent = serializers.BooleanField(
        default=False,
        help_text="The parent agrees that the loket and the chosen providers use these data.",
    )
    child_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your children registered before (`/api/v1/my/children/`).",
    )
    another_child = serializers.BooleanField(
        default=False,
        help_text="It is none of your children registered before (a twin, a sibling).",
    )
    expected_children = serializers.IntegerField(
        default=1,
        help_text=f"Unborn multiples, 1 to {MAX_EXPECTED_CHILDREN}: one request per child.",
    )
    add_to_open_requests = serializers.BooleanField(
        default=False,
        help_text="Where this child already has an open request of yours, add the locations "
        "to it; otherwise (the default) a separate request is registered.",
    )


def request_data_from_json(
    *, values: dict[str, Any], region: Region | None, loket: Loket | None
) -> RequestData:
    """The parsed body as ``RequestData``: only locations chosen from this host (else 400)."""
    child, family = values["child"], values["family"]
    wanted = list(dict.fromkeys(values["choices"]))
    choices = choices_visible(ids=wanted, region=region, loket=loket)
    found = {location.pk for location in choices}
    missing = {
        str(index): [_("This location cannot be chosen here.")]
        for index, pk in enumerate(values["choices"])
        if pk not in found
    }
    if missing:
        raise ValidationError({"choices": missing})
    return RequestData(
        child_first_name=child["first_name"],
        child_last_name=child["last_name"],
        child_birth_date=child["birth_date"],
        is_expected_birth=child["is_expected_birth"],
        national_number=child["national_number"],
        street=family["street"],
        postcode=family["postcode"],
        residence=family["residence"],
        guardians=[
            {
                "name": f"{guardian['first_name']} {guardian['last_name']}".strip(),
                "email": guardian["email"],
                "phone": guardian["phone"],
            }
            for guardian in family["guardians"]
        ],
        contact_email=family["email"],
        contact_phone=family["phone"],
        language=family["language"],
        desired_start=values["desired_start"],
        care_plan=values["care_plan"],
        is_flexible=values["is_flexible"],
        choices=choices,
        priorities=values["priorities"],
        remarks=values["remarks"],
        consent=values["consent"],
    )


# The service's field names that are not the body's, and where they are in the body.
JSON_PATHS: dict[str, tuple[str, ...]] = {
    "child_first_name": ("child", "first_name"),
    "child_last_name": ("child", "last_name"),
    "child_birth_date": ("child", "birth_date"),
    "is_expected_birth": ("child", "is_expected_birth"),
    "national_number": ("child", "national_number"),
    "street": ("family", "street"),
    "postcode": ("family", "postcode"),
    "residence": ("family", "residence"),
    "language": ("family", "language"),
    "contact_email": ("family", "email"),
    "contact_phone": ("family", "phone"),
    "guardians": ("family", "guardians"),
}


def errors_at_json_paths(error: DjangoValidationError) -> dict[str, Any]:
    """The service's messages by field, nested where the body holds each field."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    body: dict[str, Any] = {}
    for name, messages in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            path: tuple[str, ...] = (api_settings.NON_FIELD_ERRORS_KEY,)
        else:
            path = JSON_PATHS.get(name, (name,))
        place = body
        for key in path[:-1]:
            place = place.setdefault(key, {})
        place.setdefault(path[-1], []).extend(messages)
    return body


def submission_register(request: Request) -> Response:
    """Register the body for the logged-in parent, exactly as the wizard on this host does."""
    body = RequestSubmitSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    values = body.validated_data
    data = request_data_from_json(values=values, region=request.region, loket=request.loket)
    if values["child_id"] is None and not values["another_child"]:
        asked = children_to_ask_about(
            family_children_of(user=request.user),
            name_key=child_keys(
                first_name=data.child_first_name,
                last_name=data.child_last_name,
                birth_date=data.child_birth_date,
            ).name_key,
            birth_date=data.child_birth_date,
            is_expected_birth=data.is_expected_birth,
            another_child=False,
        )
        if asked:
            raise ValidationError(
                {
                    "child_id": [
                        _(
                            "You registered a child born on the same day before (%(children)s). "
                            "Give its child_id if this request is for that child, or "
                            "another_child: true if it is another child, for example a twin."
                        )
                        % {"children": ", ".join(known_child_label(child) for child in asked)}
                    ]
                }
            )
    try:
        entries = request_submit(
            data=data,
            parent=request.user,
            now=timezone.now(),
            add_to_open_requests=values["add_to_open_requests"],
            follow_url=request.build_absolute_uri(reverse("portal:my_requests")),
            child_id=values["child_id"],
            another_child=values["another_child"],
            expected_children=values["expected_children"],
        )
    except DjangoValidationError as error:
        raise ValidationError(errors_at_json_paths(error)) from error
    return Response(submitted(entries), status=201)


# --- The answer ------------------------------------------------------------------------


def submitted(entries: list[RegistryEntry]) -> dict[str, Any]:
    """The first child's submission at the top, and every child's in ``requests``."""
    by_child: dict[int, list[RegistryEntry]] = {}
    for entry in entries:
        by_child.setdefault(entry.child_id, []).append(entry)
    requests = [
        {
            "submission": parts[0].submission,
            "references": {part.loket.slug: part.reference for part in parts},
            "child_id": parts[0].child.public_id,
        }
        for parts in by_child.values()
    ]
    return {**requests[0], "requests": requests}


class SubmittedChildSerializer(serializers.Serializer):
    submission = serializers.UUIDField(
        help_text="Id of the request across lokets (`/api/v1/my/requests/{submission}/`)."
    )
    references = serializers.DictField(
        child=serializers.CharField(), help_text="The reference of each loket, by loket slug."
    )
    child_id = serializers.UUIDField(help_text="The child in the registry.")


class RequestSubmittedSerializer(SubmittedChildSerializer):
    requests = SubmittedChildSerializer(
        many=True,
        help_text="Every request registered, one per child: one item, or one per expected "
        "child for multiples (`expected_children`). The first is the one at the top level.",
    )


_BODY = {
    "child": {
        "first_name": "Lena",
        "last_name": "Peeters",
        "birth_date": "2027-02-25",
        "is_expected_birth": False,
        "national_number": "",
    },
    "family": {
        "street": "Kerkstraat 4",
        "postcode": "3020",
        "residence": "24038",
        "email": "sara@example.be",
        "phone": "0470 12 34 56",
        "language": "nl",
        "guardians": [
            {
                "first_name": "Sara",
                "last_name": "Peeters",
                "email": "sara@example.be",
                "phone": "0470 12 34 56",
            }
        ],
    },
    "desired_start": "2027-09-01",
    "care_plan": ["mon_am", "mon_pm", "tue_am", "tue_pm"],
    "choices": [12, 7],
    "priorities": ["work_or_training"],
    "remarks": "",
    "consent": True,
}
_ONE = {
    "submission": "3f6b2c1e-8a4d-4e8b-9a57-1c2d3e4f5a6b",
    "references": {"herent": "HER-2027-0042", "kortenberg": "KOR-2027-0017"},
    "child_id": "0b7c9d2e-5f41-4a3b-8c6d-7e8f9a0b1c2d",
}
_TWIN = {
    "submission": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "references": {"herent": "HER-2027-0043"},
    "child_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
}

SUBMIT_EXAMPLES = [
    OpenApiExample("A born child", value=_BODY, request_only=True),
    OpenApiExample(
        "Unborn twins",
        value={
            **_BODY,
            "child": {
                "first_name": "",
                "last_name": "Peeters",
                "birth_date": "2027-03-01",
                "is_expected_birth": True,
            },
            "choices": [12],
            "expected_children": 2,
        },
        request_only=True,
    ),
    OpenApiExample(
        "A child registered before",
        value={**_BODY, "child_id": "0b7c9d2e-5f41-4a3b-8c6d-7e8f9a0b1c2d"},
        request_only=True,
    ),
    OpenApiExample(
        "Registered",
        value={**_ONE, "requests": [_ONE]},
        response_only=True,
        status_codes=["201"],
    ),
    OpenApiExample(
        "Twins registered: one request per child",
        value={
            **{**_ONE, "references": {"herent": "HER-2027-0042"}},
            "requests": [{**_ONE, "references": {"herent": "HER-2027-0042"}}, _TWIN],
        },
        response_only=True,
        status_codes=["201"],
    ),
    OpenApiExample(
        "Refused",
        value={
            "child": {"first_name": ["Fill in the child's first name."]},
            "family": {"postcode": ["We do not know the postcode 9999."]},
            "choices": {"1": ["This location cannot be chosen here."]},
            "consent": ["We can only register the request with your consent."],
        },
        response_only=True,
        status_codes=["400"],
    ),
]


# --- The family's children -------------------------------------------------------------


class FamilyChildSerializer(serializers.Serializer):
    child_id = serializers.UUIDField(help_text="To give as `child_id` when registering.")
    first_name = serializers.CharField(help_text="Empty for an unborn child without a name.")
    birth_date = serializers.DateField(help_text="The expected date while unborn.")
    is_expected_birth = serializers.BooleanField()


class MyChildList(APIView):
    """The children your family registered before, as your own requests say, oldest first.

    Give one's `child_id` when registering a new request for that child.
    """

    permission_classes = [HasRole(Access.PARENT)]

    @extend_schema(
        responses=FamilyChildSerializer(many=True),
        examples=[
            OpenApiExample(
                "Two children",
                value=[
                    {
                        "child_id": "0b7c9d2e-5f41-4a3b-8c6d-7e8f9a0b1c2d",
                        "first_name": "Lena",
                        "birth_date": "2025-02-25",
                        "is_expected_birth": False,
                    },
                    {
                        "child_id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
                        "first_name": "",
                        "birth_date": "2027-03-01",
                        "is_expected_birth": True,
                    },
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        children = family_children_of(user=request.user)
        return Response(FamilyChildSerializer(children, many=True).data)
