"""A reminder to the parent before an open offer's answer date passes. Run in the loket's
schema, by the job ``allocation.offer_reminders``."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tenants.allocation.models import Offer, OfferNotice
from tenants.allocation.notices import offer_reminder_notify


@transaction.atomic
def offers_remind_due(*, now: datetime) -> list[Offer]:
    """Open offers whose answer date is at most ``OFFER_REMINDER_DAYS`` away, made at least a
    day ago, and not reminded yet: the parent gets one reminder (``OfferNotice``).

    Returns the offers reminded now (none on a second run). Offers being answered right
    now are skipped; the next run gets them if still open.
    """
    today = timezone.localdate(now)
    due = (
        Offer.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("choice__request", "choice__location")
        .filter(
            status=Offer.Status.OPEN,
            answer_by__gte=today,
            answer_by__lte=today + timedelta(days=settings.OFFER_REMINDER_DAYS),
            created_at__lte=now - timedelta(days=1),
        )
        .exclude(notices__kind=OfferNotice.Kind.REMINDER_TO_PARENT)
        .order_by("id")
    )
    return [offer for offer in due if offer_reminder_notify(offer=offer, now=now)]
