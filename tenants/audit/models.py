"""The audit trail of a loket (its own schema): who viewed or changed what, and when.

An event names the object by type and reference (a request's reference), never by a
child's name, and its details hold loket-level facts only (a location id, an event
kind), never personal data: the trail is shown to every loket staff member and auditor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEWED = "viewed", _("viewed")
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")

    class ObjectType(models.TextChoices):
        REQUEST = "request", _("childcare request")
        NOTE = "note", _("note")
        REGISTRY_SEARCH = "registry_search", _("registry search")
        # What an auditor of Opgroeien looked at in this loket (tenants.audit.auditor_views).
        REQUEST_LIST = "request_list", _("requests of the loket")
        AUDIT_TRAIL = "audit_trail", _("audit trail")
        # A location closed or reopened by loket staff (tenants.allocation.closing).
        LOCATION = "location", _("location")
        # All of the loket's data downloaded (shared.lokets.export: data portability).
        LOKET_DATA = "loket_data", _("all data of the loket")
        # A staff role in this loket granted or withdrawn (government role claims,
        # shared.logins.staff_claims; invitations and team changes may use it too).
        MEMBERSHIP = "membership", _("staff role")
        # The loket renamed, given a new host or another organiser (shared.lokets.working_area).
        LOKET = "loket", _("loket")
        # The loket's face (logo, colour, favicon, footer text) or its region's
        # (shared.lokets.branding), recorded in each loket it shows on.
        BRANDING = "branding", _("face of the loket")
        # Planning software (tenants.planning_clients): a client registered or revoked,
        # and every call made with one of its tokens (the actor is its service account).
        PLANNING_CLIENT = "planning_client", _("planning software")
        API_CALL = "api_call", _("API call with a token")
        # A signal about a location that lost its free text after the retention period
        # (tenants.signals.retention).
        SIGNAL = "signal", _("signal")
        # A staff member's second factor set up, renewed or removed
        # (shared.accounts.second_factor_audit), in each loket they work for.
        SECOND_FACTOR = "second_factor", _("second factor")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=20, choices=ObjectType.choices)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    reference = models.CharField(_("request reference"), max_length=20, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["reference", "at"], name="audit_reference_at"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.reference}"
