"""The answer clock: by when a location should answer a choice, and what is overdue.

A choice in review waits for the location's answer (an offer, no place, another start
date) for the loket's ``response_days``, counted from ``status_changed_at`` (the
registration, or later when the location was added or the request reopened) — the same
count as ``selectors.locations_with_overdue``. The loket gets one e-mail a day listing
what is overdue (``overdue_digest_send``, the job ``allocation.overdue_digest``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from shared.lokets.branding import branding_of_loket
from shared.lokets.emails import email_message
from shared.lokets.links import loket_page_url
from shared.lokets.models import Loket
from shared.lokets.outbox import outbox_add
from shared.registry.models import RequestStatus
from tenants.allocation.models import OverdueDigest
from tenants.allocation.selectors import locations_with_overdue
from tenants.providers.models import Location
from tenants.requests.models import ChoiceStatus, RequestChoice
from tenants.requests.submission_emails import email_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerDue:
    """By when the location should answer, and whether that moment has passed."""

    due_on: date
    overdue: bool


def answer_due(*, choice: RequestChoice, loket: Loket, now: datetime) -> AnswerDue | None:
    """The answer clock of ``choice``; None when the location is not expected to answer it.

    Only a choice in review of an open request waits for the location's answer.
    """
    if choice.status != ChoiceStatus.IN_REVIEW or choice.request.status != RequestStatus.OPEN:
        return None
    deadline = choice.status_changed_at + timedelta(days=loket.response_days)
    return AnswerDue(due_on=timezone.localdate(deadline), overdue=now > deadline)


def overdue_digest_send(*, loket: Loket, now: datetime) -> OverdueDigest | None:
    """E-mail the loket what is past the answering time, at most once a (Brussels) day.

    Nothing is sent (nor recorded) while nothing is overdue. The record and the e-mail in
    the outbox (``shared.lokets.outbox``) are written in one transaction: a worker killed
    before its commit wrote neither, one killed after it left the e-mail to the outbox's
    job, a mail server that refuses leaves it there to be tried again; a second run the
    same day finds the record and sends nothing. Without the loket's e-mail address the
    digest is recorded as due and nothing is sent. References and locations only: no
    child's or family's name leaves in this e-mail.
    """
    day = timezone.localdate(now)
    if OverdueDigest.objects.filter(day=day).exists():
        return None
    locations = list(locations_with_overdue(locations=Location.objects.all(), loket=loket, now=now))
    if not locations:
        return None
    total = sum(location.overdue_count for location in locations)
    with transaction.atomic():
        digest, created = OverdueDigest.objects.get_or_create(
            day=day,
            defaults={
                "overdue_count": total,
                "recipient_known": bool(loket.email),
                "sent_at": now,
            },
        )
        if not created:
            return None
        if loket.email:
            language = email_language(settings.LANGUAGE_CODE)
            context = {
                "loket": loket,
                "total": total,
                "response_days": loket.response_days,
                "locations": [
                    {
                        "name": location.name,
                        "overdue_count": location.overdue_count,
                        "oldest": timezone.localdate(location.oldest_overdue),
                        "url": loket_page_url(
                            loket=loket, name="allocation:queue", location_id=location.pk
                        ),
                    }
                    for location in locations
                ],
                "overview_url": loket_page_url(loket=loket, name="allocation:overdue"),
            }
            with translation.override(language):
                subject = render_to_string(
                    f"allocation/email/overdue_digest_subject.{language}.txt", context
                )
                body = render_to_string(
                    f"allocation/email/overdue_digest_body.{language}.txt", context
                )
                message = email_message(
                    subject=subject,
                    text=body,
                    to=[loket.email],
                    face=branding_of_loket(loket),
                    language=language,
                )
            outbox_add(message=message, loket=loket)
    logger.info("overdue digest", extra={"loket": loket.slug, "overdue": total})
    return digest
