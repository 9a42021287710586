"""How long a signal keeps its free text: the loket's retention period, from its recording.

A signal (``LocationSignal``) is about a location, not about a request: loket staff
describe what happened there and what was done, in free text that may name children,
parents or staff. It has no link to a request, so it cannot follow a request's
anonymisation; it follows the same loket setting instead: once a signal was recorded
longer ago than ``Loket.personal_data_retention_months`` (default 24), the job
``requests.anonymise_closed`` empties both texts and forgets who recorded it, and records
``anonymised_at``. What the signal counts for stays: the row, its location and the
location's name, the date it happened and when it was recorded, so every count of signals
(the start page's "new signals", the list per period, the CSV's rows) is the same before
and after. Run in the loket's schema; a second run changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from shared.lokets.models import Loket
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record_each
from tenants.requests.retention import ANONYMISED_EVENT, retention_cutoff
from tenants.signals.models import LocationSignal

logger = logging.getLogger(__name__)


@transaction.atomic
def signals_anonymise_old(*, loket: Loket, now: datetime) -> int:
    """Empty the free text of ``loket``'s signals recorded before its retention cutoff, in
    one transaction with an audit event per signal (the job as actor, one INSERT); returns how many
    lost it this time."""
    cutoff = retention_cutoff(loket=loket, now=now)
    due = list(
        LocationSignal.objects.select_for_update()
        .filter(recorded_at__lt=cutoff, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    anonymised = LocationSignal.objects.filter(pk__in=due).update(
        what_happened="", what_was_done="", recorded_by=None, anonymised_at=now
    )
    audit_record_each(
        actor=None,
        action=AuditEvent.Action.CHANGED,
        object_type=AuditEvent.ObjectType.SIGNAL,
        object_ids=due,
        details={"event": ANONYMISED_EVENT, "why": "retention"},
        at=now,
    )
    if anonymised:
        logger.info(
            "signals anonymised", extra={"loket": loket.slug, "signals_anonymised": anonymised}
        )
    return anonymised
