"""Offers of a place and placements (the loket's own schema).

A provider answers each choice of a request: an offer of a place, "no place", or
another start date (``RequestChoice.status``). An offer waits for the parent's answer
until ``answer_by``; an accepted offer becomes a ``Placement``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Offer(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the parent's answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # Ids are per loket schema; parents answer from any host, so they name an offer by this.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    choice = models.ForeignKey(
        "requests.RequestChoice", related_name="offers", on_delete=models.CASCADE
    )
    start_date = models.DateField(_("start date"))
    care_plan = ArrayField(models.CharField(max_length=6), verbose_name=_("days offered"))
    answer_by = models.DateField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    # Offering while children ranked higher wait needs a reason (kept for loket and audit).
    passed_over_reason = models.TextField(
        _("reason for passing over children ranked higher"), blank=True
    )
    # How many children ranked higher were waiting without an offer when this one was made.
    passed_over_count = models.PositiveIntegerField(default=0)
    # The exception for at most 10% of a location's children, on a toeleider's advice.
    advising_organisation = models.CharField(
        _("advising family-support organisation"), max_length=150, blank=True
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    # Made while the month showed no free place: the one who offered confirmed the capacity.
    beyond_free_places = models.BooleanField(_("offered beyond the free places"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            # At most one offer waits for an answer per choice.
            models.UniqueConstraint(
                fields=["choice"], condition=Q(status="open"), name="offer_one_open_per_choice"
            ),
        ]
        indexes = [models.Index(fields=["status", "answer_by"], name="offer_status_answer_by")]

    def __str__(self) -> str:
        return f"offer {self.pk} for {self.choice_id}"


class Placement(models.Model):
    """A place accepted by the parent: the child starts at this location."""

    choice = models.OneToOneField(
        "requests.RequestChoice", related_name="placement", on_delete=models.PROTECT
    )
    offer = models.OneToOneField(Offer, related_name="placement", on_delete=models.PROTECT)
    location = models.ForeignKey(
        "providers.Location", related_name="placements", on_delete=models.PROTECT
    )
    start_date = models.DateField(_("start date"))
    # The last day of care; empty while the end is not known (the place stays taken).
    end_date = models.DateField(_("end date"), null=True, blank=True)
    month = models.DateField(_("first month"), help_text=_("First day of the start month."))
    age_group = models.CharField(_("age group"), max_length=12)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"placement {self.pk} at {self.location_id}"


class OfferNotice(models.Model):
    """An e-mail about an offer, recorded once per (offer, kind): never sent twice.

    Written in the transaction that changes the offer; the e-mail itself leaves after the
    commit, so a rolled-back change sends nothing, and a job that runs twice finds the row.
    """

    class Kind(models.TextChoices):
        OFFERED_TO_PARENT = "offered_parent", _("place offered (to the parent)")
        EXPIRED_TO_PARENT = "expired_parent", _("offer expired (to the parent)")
        EXPIRED_TO_PROVIDER = "expired_provider", _("offer expired (to the location)")
        ACCEPTED_TO_PROVIDER = "accepted_provider", _("offer accepted (to the location)")
        REMINDER_TO_PARENT = "reminder_parent", _("reminder to answer (to the parent)")

    offer = models.ForeignKey(Offer, related_name="notices", on_delete=models.CASCADE)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient_known = models.BooleanField(default=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "kind"], name="offer_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.kind}"


class OverdueDigest(models.Model):
    """The loket's daily e-mail of choices past the answering time: at most one a day."""

    day = models.DateField(unique=True)
    overdue_count = models.PositiveIntegerField(default=0)
    recipient_known = models.BooleanField(default=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"overdue digest {self.day}"


class AllocationRound(models.Model):
    """A round answers every request for a start period at once (``rounds``).

    Planned until its decision date; then the round proposes one place per child
    (proposed); it is closed once no proposal waits for its location, or cancelled while
    planned. While planned or proposed, offers for its start months come only from it.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        PROPOSED = "proposed", _("proposals made")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    start_month_from = models.DateField(_("first start month"))
    start_month_to = models.DateField(_("last start month"))
    decision_date = models.DateField(_("decision date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField()
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decision_date", "-id"]
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        indexes = [models.Index(fields=["status", "decision_date"], name="round_status_decision")]

    def __str__(self) -> str:
        return f"round {self.pk} {self.start_month_from:%Y-%m}..{self.start_month_to:%Y-%m}"


class RoundProposal(models.Model):
    """The place a round proposes to one child: a choice, until its location answers."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("waiting for the location")
        CONFIRMED = "confirmed", _("confirmed: offered to the parent")
        REJECTED = "rejected", _("rejected by the location")
        REPLACED = "replaced", _("replaced after a re-run")
        UNANSWERED = "unanswered", _("not answered before the round closed")

    round = models.ForeignKey(AllocationRound, related_name="proposals", on_delete=models.CASCADE)
    choice = models.ForeignKey(
        "requests.RequestChoice", related_name="round_proposals", on_delete=models.CASCADE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    # Which run of the round made it: 1 on the decision date, one more per re-run.
    run = models.PositiveSmallIntegerField(default=1)
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)
    offer = models.OneToOneField(
        Offer, related_name="round_proposal", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round_id", "id"]
        verbose_name = _("round proposal")
        verbose_name_plural = _("round proposals")
        constraints = [
            # One waiting or confirmed proposal per choice in a round.
            models.UniqueConstraint(
                fields=["round", "choice"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="round_proposal_one_live_per_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} of round {self.round_id}"
