"""Keeping requests current: parents confirm an open request, or it lapses.

A loket asks parents to confirm every ``confirmation_interval_months`` (0: never). A
request is confirmed until ``confirmed_until``; 14 days before, the parent gets a
reminder with a link to "Mijn aanvragen"; 14 days after, without a confirmation, the
request lapses (in the loket and in the registry) and the parent is told. Loket staff
may reopen a lapsed request.

Every notice is recorded once per (request, kind, period) in ``RequestNotice``, and its
e-mail written to the outbox in that same transaction (``tenants.requests.notices``): a job
that runs twice, or again after its worker was killed, sends nothing twice and loses
nothing; a mail server that is down leaves the e-mail in the outbox, tried again by
``mail.outbox_send``. A request lapses only once its reminder has been out for the whole
grace period, counted from when the outbox sent it, so nobody lapses without warning, even
after a mail server outage.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.accounts.models import User
from shared.lokets.models import Loket, OutgoingEmail
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.confirmation_periods import GRACE_DAYS, REMINDER_DAYS
from tenants.requests.emails import confirmation_reminder_message, request_lapsed_message
from tenants.requests.history import record_confirmed, record_lapsed, record_reopened
from tenants.requests.models import (
    OPEN_CHOICE_STATUSES,
    ChildcareRequest,
    ChoiceStatus,
    RequestChoice,
    RequestNotice,
)
from tenants.requests.notices import notice_send_once
from tenants.requests.parts import lock_submission, open_parts, part_set_status, part_touch
from tenants.requests.rules import confirmation_due

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def _notice_exists(kind: str) -> Exists:
    return Exists(
        RequestNotice.objects.filter(
            request=OuterRef("pk"), kind=kind, period=OuterRef("confirmed_until")
        )
    )


def confirmation_dates_backfill(*, loket: Loket, now: datetime) -> int:
    """Give open requests without a date one (requests from before, or from while the
    loket asked no confirmation): a full interval after registering, but never so soon
    that the parent would miss the reminder. In batches; returns how many were dated."""
    if not loket.confirmation_interval_months:
        return 0
    today = timezone.localdate(now)
    earliest = today + timedelta(days=REMINDER_DAYS)
    dated = 0
    undated = ChildcareRequest.objects.filter(status=RequestStatus.OPEN, confirmed_until=None)
    while True:
        with transaction.atomic():
            batch = list(
                undated.select_for_update(skip_locked=True).only("pk", "registered_at")[:BATCH_SIZE]
            )
            if not batch:
                return dated
            for request in batch:
                due = confirmation_due(loket=loket, today=timezone.localdate(request.registered_at))
                request.confirmed_until = max(due, earliest)
            ChildcareRequest.objects.bulk_update(batch, ["confirmed_until"])
            dated += len(batch)


def confirmation_reminders_send(*, loket: Loket, now: datetime) -> dict[str, int]:
    """Remind parents whose request needs confirming within REMINDER_DAYS; once per date."""
    if not loket.confirmation_interval_months:
        return {"dated": 0, "sent": 0, "failed": 0}
    dated = confirmation_dates_backfill(loket=loket, now=now)
    today = timezone.localdate(now)
    candidates = (
        ChildcareRequest.objects.filter(
            status=RequestStatus.OPEN,
            confirmed_until__lte=today + timedelta(days=REMINDER_DAYS),
        )
        .exclude(_notice_exists(RequestNotice.Kind.CONFIRMATION_REMINDER))
        .select_related("parent")
        .order_by("confirmed_until", "id")
    )
    sent = failed = 0
    for candidate in candidates:
        try:
            with transaction.atomic():
                request = (
                    ChildcareRequest.objects.select_for_update(of=("self",))
                    .select_related("parent")
                    .filter(pk=candidate.pk, status=RequestStatus.OPEN)
                    .first()
                )
                if request is None or request.confirmed_until != candidate.confirmed_until:
                    continue  # confirmed or closed meanwhile
                if notice_send_once(
                    request=request,
                    kind=RequestNotice.Kind.CONFIRMATION_REMINDER,
                    period=request.confirmed_until,
                    now=now,
                    loket=loket,
                    message=partial(confirmation_reminder_message, request=request, loket=loket),
                ):
                    sent += 1
        except Exception:
            failed += 1
            logger.exception(
                "confirmation reminder not written",
                extra={"loket": loket.slug, "reference": candidate.reference},
            )
    return {"dated": dated, "sent": sent, "failed": failed}


def _close_choices(request: ChildcareRequest, *, now: datetime) -> list[RequestChoice]:
    closed = list(request.choices.filter(status__in=OPEN_CHOICE_STATUSES))
    for choice in closed:
        choice.status = ChoiceStatus.LAPSED
        choice.status_changed_at = now
    RequestChoice.objects.bulk_update(closed, ["status", "status_changed_at"])
    return closed


def requests_lapse_unconfirmed(*, loket: Loket, now: datetime) -> dict[str, int]:
    """Lapse open requests not confirmed GRACE_DAYS after their date, reminded long enough."""
    if not loket.confirmation_interval_months:
        return {"lapsed": 0, "failed": 0}
    today = timezone.localdate(now)
    reminders_sent_at_update()
    still_in_outbox = OutgoingEmail.objects.filter(
        pk=OuterRef("outgoing_email_id"), sent_at__isnull=True
    )
    reminded_in_time = Exists(
        RequestNotice.objects.filter(
            request=OuterRef("pk"),
            kind=RequestNotice.Kind.CONFIRMATION_REMINDER,
            period=OuterRef("confirmed_until"),
            sent_at__lte=now - timedelta(days=GRACE_DAYS),
        ).exclude(Exists(still_in_outbox))
    )
    candidates = (
        ChildcareRequest.objects.filter(
            reminded_in_time,
            status=RequestStatus.OPEN,
            confirmed_until__lt=today - timedelta(days=GRACE_DAYS),
        )
        # A place on offer is being handled: the offer's own answer date decides first.
        .exclude(choices__status=ChoiceStatus.OFFERED)
        .values_list("pk", flat=True)
        .order_by("confirmed_until", "id")
    )
    lapsed = failed = 0
    for pk in list(candidates):
        try:
            with transaction.atomic():
                request = (
                    ChildcareRequest.objects.select_for_update(of=("self",))
                    .select_related("parent")
                    .filter(pk=pk, status=RequestStatus.OPEN)
                    .first()
                )
                if request is None:
                    continue
                choices = _close_choices(request, now=now)
                part_set_status(request, status=RequestStatus.LAPSED, now=now)
                record_lapsed(
                    request,
                    actor=None,
                    at=now,
                    confirmed_until=request.confirmed_until,
                    choices=[choice.pk for choice in choices],
                )
                # The lapse and its e-mail in one commit: the lapse stands when the mail
                # server is down (the outbox tries again), and is told once.
                notice_send_once(
                    request=request,
                    kind=RequestNotice.Kind.LAPSED,
                    period=request.confirmed_until,
                    now=now,
                    loket=loket,
                    message=partial(request_lapsed_message, request=request, loket=loket),
                )
                lapsed += 1
        except Exception:
            failed += 1
            logger.exception("request not lapsed", extra={"loket": loket.slug, "request_id": pk})
    return {"lapsed": lapsed, "failed": failed}


def reminders_sent_at_update() -> int:
    """Move each confirmation reminder's ``sent_at`` to when the outbox sent its e-mail,
    when that was later than writing it (a mail server that was down): the grace period
    before a lapse runs from then. Run by the (hourly) lapse job, well within the week a
    sent outbox row is kept. Returns how many moved."""
    # Sent right after its commit is "in time": only a later send (a retry) moves it.
    in_time = timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    sent_later = OutgoingEmail.objects.filter(
        pk=OuterRef("outgoing_email_id"), sent_at__gt=OuterRef("sent_at") + in_time
    )
    return RequestNotice.objects.filter(
        Exists(sent_later),
        kind=RequestNotice.Kind.CONFIRMATION_REMINDER,
        outgoing_email_id__isnull=False,
        request__status=RequestStatus.OPEN,  # only an open request can lapse
    ).update(sent_at=Subquery(sent_later.values("sent_at")[:1]))


@transaction.atomic
def request_confirm(*, user: User, submission: uuid.UUID, now: datetime) -> list[RegistryEntry]:
    """The parent still needs care: every open part is confirmed for its loket's interval."""
    parts = open_parts(lock_submission(parent=user, submission=submission))
    asking = [part for part in parts if part.loket.confirmation_interval_months]
    if not asking:
        raise ValidationError(
            _("This request need not be confirmed: it stays open until it is answered."),
            code="not_needed",
        )
    today = timezone.localdate(now)
    for part in asking:
        previous = part.request.confirmed_until
        with tenant_context(part.loket):
            part.request.confirmed_until = confirmation_due(loket=part.loket, today=today)
            part.request.save(update_fields=["confirmed_until", "updated_at"])
            record_confirmed(
                part.request,
                actor=user,
                at=now,
                previous_until=previous,
                until=part.request.confirmed_until,
            )
            part_touch(part.request, now=now)
    return [part.entry for part in parts]


@transaction.atomic
def request_reopen(*, request: ChildcareRequest, actor: User, now: datetime) -> ChildcareRequest:
    """Loket staff open a lapsed request again, in the loket whose schema is active.

    The choices that lapsed with it are in review again and the parent has a full
    interval to confirm; the registry counts the request as open again.
    """
    loket = connection.tenant
    request = ChildcareRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.LAPSED:
        raise ValidationError(_("Only a lapsed request can be reopened."), code="not_lapsed")
    if request.anonymised_at is not None:
        raise ValidationError(
            _("The personal data of this request were removed: it cannot be reopened."),
            code="anonymised",
        )
    # Not at a location that closed meanwhile (tenants.allocation.closing).
    reopened = list(
        request.choices.filter(status=ChoiceStatus.LAPSED, location__closes_on__isnull=True)
    )
    for choice in reopened:
        choice.status = ChoiceStatus.IN_REVIEW
        choice.status_changed_at = now
    RequestChoice.objects.bulk_update(reopened, ["status", "status_changed_at"])
    request.confirmed_until = confirmation_due(loket=loket, today=timezone.localdate(now))
    part_set_status(request, status=RequestStatus.OPEN, now=now, also=["confirmed_until"])
    record_reopened(request, actor=actor, at=now, choices=[choice.pk for choice in reopened])
    return request
