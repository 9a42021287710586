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

from shared.catalogue.vocabulary import AgeGroup, CareKind


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    PLACED = "placed", _("placed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    LAPSED = "lapsed", _("lapsed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (RequestStatus.OPEN,)


class AnswerReason(models.TextChoices):
    """Why a location answers "no place" or "another start date" (a code, for the figures)."""

    NO_CAPACITY_DAYS = "no_capacity_days", _("no capacity for those days")
    AGE = "age", _("the child's age")
    START_DATE = "start_date", _("the start date")
    CARE_PLAN = "care_plan", _("the care plan")
    OTHER = "other", _("other reason")


class Child(models.Model):
    """A child as the registry knows it: a random id and nothing else about the child.

    Every registry entry points to one; the figures count distinct children. Which
    entries are one child is decided when an entry is written or changed
    (``shared.registry.children``), never by joining lokets' schemas.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("child identity")
        verbose_name_plural = _("child identities")

    def __str__(self) -> str:
        return str(self.public_id)


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
    # Who the child is, for counting and for the family's own follow-up.
    child = models.ForeignKey(Child, related_name="entries", on_delete=models.PROTECT)
    # The family the request belongs to (a keyed hash of the account, or of the e-mail of a
    # desk registration until it is claimed; empty: a desk registration without e-mail).
    family_key = models.CharField(max_length=64, blank=True, db_index=True)
    # Unborn children have no name to match on: their due date, within one family only.
    expected_birth = models.DateField(null=True, blank=True)
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
            # Figures over all lokets read a period's entries per child (bench/identity.py).
            models.Index(fields=["registered_at", "child"], name="registry_registered_child"),
        ]

    def __str__(self) -> str:
        return f"{self.loket_id}:{self.reference}"


class PossibleDuplicate(models.Model):
    """Two families registered what looks like one child: loket staff decide.

    Counted once meanwhile (both entries point to one ``Child``). Confirming keeps them
    together; rejecting gives ``entry`` a child of its own, for good (a rejected pair is
    never linked again).
    """

    class Reason(models.TextChoices):
        NAME_AND_BIRTH_DATE = "name", _("same names and date of birth")
        NATIONAL_NUMBER = "national_number", _("same national register number")

    class Status(models.TextChoices):
        OPEN = "open", _("to decide")
        CONFIRMED = "confirmed", _("the same child")
        REJECTED = "rejected", _("different children")

    # The entry that was linked to the child of ``other`` (the later registration).
    entry = models.ForeignKey(RegistryEntry, related_name="+", on_delete=models.CASCADE)
    other = models.ForeignKey(RegistryEntry, related_name="+", on_delete=models.CASCADE)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField()
    # A place was accepted for the other family's request while this was open.
    placed_elsewhere_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "other"], name="duplicate_pair_once"),
        ]
        indexes = [models.Index(fields=["status", "found_at"], name="duplicate_status")]

    def __str__(self) -> str:
        return f"{self.entry_id}~{self.other_id} {self.status}"


class RegistryAnswer(models.Model):
    """A location's standing answer without an offer to a child's choice: why no offer.

    One per (registry entry, location): "no place" or "another start date" with its
    reason code, and the location's kind and municipality as they were when it answered,
    so the figures count why no offer was made per municipality and kind of care from
    the public schema alone. Written with the answer (``tenants.requests.parts``); gone
    when the location offers a place after all. No free text: the note stays with the
    loket.
    """

    class Answer(models.TextChoices):
        NO_PLACE = "no_place", _("no place")
        OTHER_DATE = "other_date", _("other start date proposed")

    entry = models.ForeignKey(RegistryEntry, related_name="answers", on_delete=models.CASCADE)
    # The location's id in the entry's loket schema (another schema: no foreign key).
    location_id = models.BigIntegerField()
    location_kind = models.CharField(max_length=20, choices=CareKind.choices)
    municipality = models.ForeignKey(
        "geography.Municipality", related_name="+", on_delete=models.PROTECT, null=True
    )
    answer = models.CharField(max_length=12, choices=Answer.choices)
    reason = models.CharField(max_length=20, choices=AnswerReason.choices)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "location_id"], name="registry_answer_once_per_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}@{self.location_id} {self.answer} {self.reason}"


class ClaimCode(models.Model):
    """A code on a desk registration's receipt that lets the parent claim it later.

    For a whole submission (every part, in every loket). Only a keyed hash of the code is
    kept (``shared.registry.claim_codes``): the receipt printed when it was issued is the
    only place it is written. It works once, until ``expires_at``; issuing a new one for
    the submission revokes the one before.
    """

    submission = models.UUIDField(db_index=True)
    code_hash = models.CharField(max_length=64, unique=True)
    # The loket whose staff issued it (its audit trail has the issue).
    loket = models.ForeignKey("lokets.Loket", related_name="+", on_delete=models.CASCADE)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("claim code")
        verbose_name_plural = _("claim codes")
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(revoked_at__isnull=True, used_at__isnull=True),
                name="claim_code_one_live_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.issued_at:%Y-%m-%d}"
