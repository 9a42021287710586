"""The audit trail of this loket through the API, for its loket staff only."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from shared.accounts.permissions import Access, HasRole
from tenants.audit.forms import AuditFilterForm
from tenants.audit.models import AuditEvent
from tenants.audit.selectors import audit_events


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action = serializers.ChoiceField(choices=AuditEvent.Action.choices)
    object_type = serializers.ChoiceField(choices=AuditEvent.ObjectType.choices)

    class Meta:
        model = AuditEvent
        fields = ("id", "at", "actor", "action", "object_type", "object_id", "reference", "details")

    def get_actor(self, event: AuditEvent) -> str:
        """The e-mail address of who did it; empty for the system."""
        return event.actor.email if event.actor is not None else ""


@extend_schema(
    parameters=[
        OpenApiParameter("reference", OpenApiTypes.STR, description="request reference"),
        OpenApiParameter("actor", OpenApiTypes.STR, description="part of a name or e-mail"),
        OpenApiParameter("day_from", OpenApiTypes.DATE, description="from this day"),
        OpenApiParameter("day_to", OpenApiTypes.DATE, description="until this day"),
    ]
)
class AuditEventListView(generics.ListAPIView):
    """Who viewed or changed which request of this loket, newest first (loket staff only)."""

    serializer_class = AuditEventSerializer
    permission_classes = [HasRole(Access.LOKET_STAFF)]

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return audit_events(**form.filters())
