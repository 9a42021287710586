"""The child portal: one row per loket request, no name, no national number, no free text.

It is what lets lokets count each child once and lets a parent follow every request of
theirs from any loket, without any loket reading another loket's schema.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared.catalogue.vocabulary import AgeGroup


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    PLACED = "placed", _("placed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    LAPSED = "lapsed", _("lapsed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (RequestStatus.OPEN,)


class RegistryEntry(models.Model):
    loket = models.ForeignKey(
        "lokets.Loket", related_name="registry_entries", on_delete=models.PROTECT
    )
    # The request's id and reference in the loket's schema (another schema: no foreign key).
    request_id = models.BigIntegerField()
    reference = models.CharField(max_length=20)
    # The requests one parent made in one go (one per loket) share a submission.
    submission = models.UUIDField(default=uuid.uuid4, db_index=True)
    name_key = models.CharField(max_length=64, db_index=True)
    national_number_key = models.CharField(max_length=64, blank=True, db_index=True)
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="registry_entries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # Desk registrations without an account: the parent claims them with this e-mail.
    claim_email_key = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    desired_start = models.DateField()
    age_group = models.CharField(max_length=12, choices=AgeGroup.choices)
    residence = models.ForeignKey(
        "geography.Municipality",
        verbose_name=_("municipality of residence"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
    )
    has_priority = models.BooleanField(default=False)
    registered_by_staff = models.BooleanField(default=False)
    registered_at = models.DateTimeField()
    has_offer = models.BooleanField(default=False)
    placed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("registry entry")
        verbose_name_plural = _("registry entries")
        constraints = [
            models.UniqueConstraint(
                fields=["loket", "request_id"], name="registry_one_per_request"
            ),
            models.UniqueConstraint(
                fields=["loket", "reference"], name="registry_reference_unique"
            ),
            models.CheckConstraint(condition=~Q(name_key=""), name="registry_name_key_present"),
        ]
        indexes = [
            models.Index(fields=["loket", "status"], name="registry_loket_status"),
            models.Index(fields=["residence", "status"], name="registry_residence_status"),
            # Figures select a scope's entries by registration period.
            models.Index(fields=["loket", "registered_at"], name="registry_loket_registered"),
        ]

    def __str__(self) -> str:
        return f"{self.loket_id}:{self.reference}"
