"""Asking parents of an unborn child, after the due date, to fill in the birth.

``BIRTH_REMINDER_DAYS`` after the due date of an open request whose child is still
registered as unborn, the family gets one e-mail with a link to the page where they
fill in the first name and the date of birth (``tenants.requests.child_changes``).

One e-mail per request, not per loket: of a submission's open unborn parts, only the
loket of the earliest registered one sends it (read in the public registry), and it is
recorded once per (request, kind, due date) in ``RequestNotice`` with its e-mail written to
the outbox in the same transaction (``tenants.requests.notices``): a job that runs twice, or
again after its worker was killed, sends nothing twice and loses nothing. An e-mail the
mail server refuses waits in the outbox and is tried again by ``mail.outbox_send``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.emails import birth_reminder_message
from tenants.requests.models import ChildcareRequest, RequestNotice
from tenants.requests.notices import notice_send_once

logger = logging.getLogger(__name__)

BIRTH_REMINDER_DAYS = 14


def _sends_for_submission(*, loket: Loket, request: ChildcareRequest) -> bool:
    """Whether this loket's part is the submission's first open unborn part."""
    first = (
        RegistryEntry.objects.filter(
            submission=request.submission,
            status=RequestStatus.OPEN,
            expected_birth__isnull=False,
        )
        .order_by("registered_at", "id")
        .values_list("loket_id", "request_id")
        .first()
    )
    return first == (loket.pk, request.pk)


def birth_reminders_send(*, loket: Loket, now: datetime) -> dict[str, int]:
    """Remind families whose unborn child's due date is BIRTH_REMINDER_DAYS past; once."""
    due_before = timezone.localdate(now) - timedelta(days=BIRTH_REMINDER_DAYS)
    reminded = RequestNotice.objects.filter(
        request=OuterRef("pk"),
        kind=RequestNotice.Kind.BIRTH_REMINDER,
        period=OuterRef("child_birth_date"),
    )
    candidates = (
        ChildcareRequest.objects.filter(
            status=RequestStatus.OPEN, is_expected_birth=True, child_birth_date__lte=due_before
        )
        .exclude(Exists(reminded))
        .order_by("child_birth_date", "id")
    )
    sent = failed = 0
    for candidate in candidates:
        try:
            with transaction.atomic():
                request = (
                    ChildcareRequest.objects.select_for_update(of=("self",))
                    .select_related("parent")
                    .filter(pk=candidate.pk, status=RequestStatus.OPEN, is_expected_birth=True)
                    .first()
                )
                if request is None or not _sends_for_submission(loket=loket, request=request):
                    continue  # born, closed meanwhile, or another loket of it writes
                if notice_send_once(
                    request=request,
                    kind=RequestNotice.Kind.BIRTH_REMINDER,
                    period=request.child_birth_date,
                    now=now,
                    loket=loket,
                    message=partial(birth_reminder_message, request=request, loket=loket),
                ):
                    sent += 1
        except Exception:
            failed += 1
            logger.exception(
                "birth reminder not written",
                extra={"loket": loket.slug, "reference": candidate.reference},
            )
    return {"sent": sent, "failed": failed}
