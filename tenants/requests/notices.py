"""Notices to a family about its request, each one recorded once.

``notice_send_once`` records the notice (``RequestNotice``, the job's own "already sent"
marker) and writes its e-mail to the outbox (``shared.lokets.outbox``) in the caller's
transaction: both are committed, or neither. So a job killed before its commit wrote
nothing and the next run sends it; a job killed after its commit, before the mail server
took the e-mail, finds the notice and writes nothing again, and the outbox's job sends
the e-mail (at least once; twice only when a worker dies after the mail server took it and
before the outbox recorded that). A mail server that is down leaves the e-mail in the
outbox to be tried again; the notice stays recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.core.mail import EmailMultiAlternatives

from shared.lokets.models import Loket
from shared.lokets.outbox import outbox_add
from tenants.requests.family import family_email
from tenants.requests.models import ChildcareRequest, RequestNotice


def notice_send_once(
    *,
    request: ChildcareRequest,
    kind: str,
    period: date,
    now: datetime,
    loket: Loket,
    message: Callable[..., EmailMultiAlternatives],
) -> bool:
    """Record notice ``kind`` for ``period`` and put its e-mail (``message(to=address)``)
    in the outbox; False when it was recorded before.

    Call inside the transaction that holds the request (locked). Without an address the
    notice is recorded as due (``recipient_known``) and nothing is sent.
    """
    address = family_email(request)
    notice, created = RequestNotice.objects.get_or_create(
        request=request,
        kind=kind,
        period=period,
        defaults={"sent_at": now, "recipient_known": bool(address)},
    )
    if created and address:
        email = outbox_add(message=message(to=address), loket=loket)
        notice.outgoing_email_id = email.pk
        notice.save(update_fields=["outgoing_email_id"])
    return created
