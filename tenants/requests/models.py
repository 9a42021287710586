"""A loket's childcare requests and their choices (the loket's own schema).

Names and the national register number of children live only here, never in the
public schema; the national register number is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from opvangloket.crypto import decrypt_text
from shared.registry.models import RequestStatus

# A care plan holds half-days (``mon_am`` … ``fri_pm``): see shared.catalogue.vocabulary.


class Priority(models.TextChoices):
    """Self-declared situations that give absolute priority (rules from 1 April 2024)."""

    WORK_OR_TRAINING = (
        "work_or_training",
        _("the parents work or follow training at least 4/5 of full time on average"),
    )
    SIBLING = "sibling", _("a brother or sister goes to the same location at the same time")
    FOSTER_CHILD = "foster_child", _("foster child")


class ChildcareRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    submission = models.UUIDField(_("submission"), db_index=True)
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("parent account"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered at the desk by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    # The child.
    child_first_name = models.CharField(_("first name of the child"), max_length=80, blank=True)
    child_last_name = models.CharField(_("last name of the child"), max_length=80)
    child_birth_date = models.DateField(_("date of birth"))
    is_expected_birth = models.BooleanField(_("expected date of birth"), default=False)
    national_number_encrypted = models.TextField(blank=True)
    # The family.
    guardians = models.JSONField(
        _("parents or guardians"),
        default=list,
        help_text="[{name, email, phone, relation}]",
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=150)
    postcode = models.CharField(_("postcode"), max_length=4)
    residence = models.ForeignKey(
        "geography.Municipality",
        verbose_name=_("municipality of residence"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    language = models.CharField(_("language"), max_length=5, default="nl")
    # The need.
    desired_start = models.DateField(_("desired start date"))
    care_plan = ArrayField(
        models.CharField(max_length=6), verbose_name=_("care plan"), default=list
    )
    is_flexible = models.BooleanField(_("other locations or start dates are fine"), default=False)
    priorities = ArrayField(
        models.CharField(max_length=20, choices=Priority.choices),
        verbose_name=_("priority situation"),
        default=list,
        blank=True,
    )
    remarks = models.TextField(_("remarks"), blank=True, max_length=2000)
    consent_at = models.DateTimeField(_("consent given at"))
    # The order of registration counts by law: the exact moment, set once.
    registered_at = models.DateTimeField(_("registered at"))
    # The parent confirms an open request before this day (loket.confirmation_interval_months
    # after registering or the last confirmation); empty when the loket asks no confirmation.
    confirmed_until = models.DateField(_("confirmed until"), null=True, blank=True)
    # Urgent (e.g. Dutch-speaking Brussels): the request goes to every suitable location
    # at once; it keeps its place in the legal order of each queue.
    is_urgent = models.BooleanField(_("urgent"), default=False, db_default=False)
    # When its personal data were removed (retention or erasure: tenants.requests.retention).
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registered_at", "id"]
        verbose_name = _("childcare request")
        verbose_name_plural = _("childcare requests")
        indexes = [models.Index(fields=["status", "desired_start"], name="request_status_start")]

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    @property
    def national_number(self) -> str:
        return (
            decrypt_text(self.national_number_encrypted) if self.national_number_encrypted else ""
        )

    @property
    def days_per_week(self) -> float:
        return len(self.care_plan) / 2


class ChoiceStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("in review")
    OFFERED = "offered", _("place offered")
    NO_PLACE = "no_place", _("no place")
    OTHER_DATE = "other_date", _("other start date proposed")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("offer expired")
    CLOSED_ELSEWHERE = "closed_elsewhere", _("place found elsewhere")
    WITHDRAWN = "withdrawn", _("withdrawn")
    LAPSED = "lapsed", _("request lapsed")
    LOCATION_CLOSED = "location_closed", _("location closes")


OPEN_CHOICE_STATUSES = (ChoiceStatus.IN_REVIEW, ChoiceStatus.OFFERED, ChoiceStatus.OTHER_DATE)


class RequestChoice(models.Model):
    request = models.ForeignKey(ChildcareRequest, related_name="choices", on_delete=models.CASCADE)
    location = models.ForeignKey(
        "providers.Location", related_name="choices", on_delete=models.PROTECT
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    status = models.CharField(
        _("status"), max_length=20, choices=ChoiceStatus.choices, default=ChoiceStatus.IN_REVIEW
    )
    status_changed_at = models.DateTimeField(_("status changed at"))
    # Why the location answered "no place" or "another start date" (an ``AnswerReason``
    # code; empty for any other status) and its optional note. Defaults in the database,
    # so adding them to every loket schema rewrites no table.
    answer_reason = models.CharField(
        _("reason"), max_length=20, blank=True, default="", db_default=""
    )
    answer_note = models.TextField(_("note"), blank=True, default="", db_default="")

    class Meta:
        ordering = ["request", "rank"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["request", "location"], name="choice_location_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.rank}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHOICE_STATUSES


class RequestEvent(models.Model):
    """What happened to a request, for the parent's and staff's history (and the audit)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("request registered")
        CHANGED = "changed", _("request changed")
        CHOICES_ADDED = "choices_added", _("locations added")
        CHOICE_REMOVED = "choice_removed", _("location removed")
        WITHDRAWN = "withdrawn", _("request withdrawn")
        CLAIMED = "claimed", _("linked to the parent's account")
        NOTE = "note", _("note added")
        CONFIRMED = "confirmed", _("still needed, confirmed by the parent")
        LAPSED = "lapsed", _("request lapsed (not confirmed in time)")
        REOPENED = "reopened", _("request reopened")
        OFFER_MADE = "offer_made", _("place offered")
        NO_PLACE = "no_place", _("no place")
        OTHER_DATE = "other_date", _("other start date proposed")
        OFFER_ACCEPTED = "offer_accepted", _("offer accepted")
        OFFER_DECLINED = "offer_declined", _("offer declined")
        OFFER_EXPIRED = "offer_expired", _("offer expired")
        OFFER_WITHDRAWN = "offer_withdrawn", _("offer withdrawn")
        CLOSED_ELSEWHERE = "closed_elsewhere", _("place found elsewhere")
        LOCATION_CLOSED = "location_closed", _("location closes")
        MARKED_URGENT = "marked_urgent", _("marked urgent")

    request = models.ForeignKey(ChildcareRequest, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"


class RequestNote(models.Model):
    """A note of loket staff about a request; never shown to parents."""

    request = models.ForeignKey(ChildcareRequest, related_name="notes", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note on {self.request}"


class RequestNotice(models.Model):
    """A notice sent (or due, without an address) about a request: never the same one twice.

    ``period`` is the day the notice is about (the ``confirmed_until`` it reminds of), so
    that a request confirmed again gets a new reminder for its new date, and a job that
    runs twice finds the first one.
    """

    class Kind(models.TextChoices):
        CONFIRMATION_REMINDER = "confirm_reminder", _("reminder to confirm")
        LAPSED = "lapsed", _("request lapsed")
        # ``period``: the due date the parent is asked about.
        BIRTH_REMINDER = "birth_reminder", _("reminder to fill in the birth")

    request = models.ForeignKey(ChildcareRequest, related_name="notices", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.DateField()
    recipient_known = models.BooleanField(default=True)
    # When it was written to the outbox; when the outbox sent it later (a mail server that
    # was down), the lapse job moves it to that moment (``confirmation``).
    sent_at = models.DateTimeField()
    # Its e-mail in the outbox (``shared.lokets.OutgoingEmail``, public schema; no key: a
    # sent row is deleted after a week). None without an address.
    outgoing_email_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "period"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.kind} {self.period}"


class FormerReference(models.Model):
    """A reference a request had in a loket merged into this one (``shared.lokets.merging``).

    It still finds the request (staff pages, API, audit trail) and is shown beside the
    current one; references stay unique across lokets, since the merged loket's prefix is
    never given again.
    """

    request = models.ForeignKey(
        ChildcareRequest, related_name="former_references", on_delete=models.CASCADE
    )
    reference = models.CharField(_("former reference"), max_length=20, unique=True)
    loket_name = models.CharField(_("former loket"), max_length=120)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("former reference")
        verbose_name_plural = _("former references")

    def __str__(self) -> str:
        return f"{self.reference} → {self.request_id}"
