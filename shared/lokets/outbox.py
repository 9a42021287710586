"""The outbox: an e-mail leaves at least once, even when the process is killed between
the commit and the mail server.

``outbox_add`` writes the rendered e-mail (``shared.lokets.emails.email_message``) as an
``OutgoingEmail`` row in the caller's transaction: it exists exactly when the change that
sends it was committed. After that commit the same process tries to send it at once (as
fast as before for the user) and marks it sent; a mail server that refuses leaves the row
for the platform job ``mail.outbox_send`` (``outbox_send_due``), which sends every unsent
row older than ``OUTBOX_GRACE_SECONDS`` (the web process's own try has had its chance).

Sending a row: in one transaction, ``SELECT … FOR UPDATE SKIP LOCKED`` takes the row (a
row another worker or the web process is sending is skipped, never sent twice), the mail
server takes the e-mail, and ``sent_at`` is committed. A process killed after the mail
server took it and before that commit sends it again: at least once, at most twice in that
one case. A failure counts ``attempts``, keeps the error and waits longer before the next
try (``OUTBOX_RETRY_SECONDS`` doubled per attempt, at most ``OUTBOX_RETRY_MAX_SECONDS``).

The rows hold personal data (addresses, the text): only what is sent, and a sent row is
deleted by the same job ``OUTBOX_RETENTION_DAYS`` (7) after it left. ``loket_id`` is kept
for the job's report only.

What is sent and to whom is the callers' (``OfferNotice`` etc. still record each notice
once); the outbox only replaces their send after the commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from shared.lokets.models import Loket, OutgoingEmail

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 1000


def outbox_add(*, message: EmailMultiAlternatives, loket: Loket | None) -> OutgoingEmail:
    """Keep ``message`` in the outbox in the current transaction; try to send it once that
    transaction has committed (at once outside a transaction).

    Only what ``email_message`` makes is kept: addresses, subject, text, HTML; an e-mail
    with more (cc, bcc, headers, attachments) is refused rather than sent without it."""
    if message.cc or message.bcc or message.extra_headers or message.attachments:
        raise ValueError("the outbox keeps to, subject, text and HTML only")
    now = timezone.now()
    html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    email = OutgoingEmail.objects.create(
        loket_id=loket.pk if loket is not None else None,
        to=list(message.to),
        from_email=message.from_email if message.from_email != settings.DEFAULT_FROM_EMAIL else "",
        subject=message.subject,
        text=message.body,
        html=html,
        created_at=now,
        next_attempt_at=now,
    )
    pk = email.pk
    transaction.on_commit(lambda: outbox_send_one(pk=pk))
    return email


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.text, email.from_email or None, list(email.to)
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def _retry_delay(attempts: int) -> timedelta:
    first = settings.OUTBOX_RETRY_SECONDS
    longest = settings.OUTBOX_RETRY_MAX_SECONDS
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), longest))


def _send_locked(queryset) -> tuple[int, bool] | None:
    """Take the first row of ``queryset`` that nobody else holds and send it.

    (its pk, True) when sent, (its pk, False) when the mail server refused (recorded);
    None when there is no row to take."""
    with transaction.atomic():
        email = queryset.select_for_update(skip_locked=True).order_by("next_attempt_at").first()
        if email is None:
            return None
        try:
            _message(email).send()
        except Exception as error:  # kept for the next try; operations see the log
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
            email.next_attempt_at = timezone.now() + _retry_delay(email.attempts)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning(
                "e-mail not sent, kept in the outbox",
                extra={"outgoing_email": email.pk, "loket_id": email.loket_id},
            )
            return email.pk, False
        email.sent_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["sent_at", "attempts"])
        return email.pk, True


def outbox_send_one(*, pk: int) -> bool:
    """Send the outbox's row ``pk`` now, unless it was sent or is being sent; never raises
    (it runs after a commit: the change stands, the job tries again)."""
    try:
        outcome = _send_locked(OutgoingEmail.objects.filter(pk=pk, sent_at__isnull=True))
        return outcome is not None and outcome[1]
    except Exception:
        logger.exception("outbox e-mail not sent", extra={"outgoing_email": pk})
        return False


def outbox_send_due(*, now: datetime, limit: int | None = None) -> dict:
    """Send the unsent rows that are due (older than ``OUTBOX_GRACE_SECONDS``, and past
    their back-off), one transaction per row; then delete the rows sent more than
    ``OUTBOX_RETENTION_DAYS`` ago. Returns counts, and per loket how many failed."""
    grace = timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    due = OutgoingEmail.objects.filter(
        sent_at__isnull=True, created_at__lte=now - grace, next_attempt_at__lte=now
    )
    limit = limit if limit is not None else settings.OUTBOX_BATCH
    sent = failed = 0
    failed_now: set[int] = set()
    while sent + failed < limit:
        # A row that failed in this run waits for its back-off, even when ``now`` is
        # ahead of the clock.
        outcome = _send_locked(due.exclude(pk__in=failed_now))
        if outcome is None:
            break
        pk, was_sent = outcome
        if was_sent:
            sent += 1
        else:
            failed += 1
            failed_now.add(pk)
    failing = (
        OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__gt=0)
        .values("loket_id")
        .annotate(count=Count("pk"))
        .order_by("loket_id")
    )
    failing_by_loket = {
        str(row["loket_id"]) if row["loket_id"] is not None else "platform": row["count"]
        for row in failing
    }
    purged = outbox_purge(now=now)
    return {"sent": sent, "failed": failed, "purged": purged, "failing_by_loket": failing_by_loket}


def outbox_purge(*, now: datetime) -> int:
    """Delete the rows sent more than ``OUTBOX_RETENTION_DAYS`` before ``now``."""
    days = settings.OUTBOX_RETENTION_DAYS
    deleted, _ = OutgoingEmail.objects.filter(sent_at__lt=now - timedelta(days=days)).delete()
    return deleted
