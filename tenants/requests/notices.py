"""Notices to a family about its request: each one recorded once, sent at most once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from tenants.requests.family import family_email
from tenants.requests.models import ChildcareRequest, RequestNotice


def notice_send_once(
    *,
    request: ChildcareRequest,
    kind: str,
    period: date,
    now: datetime,
    send: Callable[..., None],
) -> bool:
    """Record notice ``kind`` for ``period`` and send it; False when it was recorded before.

    Call inside the transaction that holds the request: a mail server that refuses raises,
    and the notice is rolled back with it, to be tried again at the next run. Without an
    address the notice is recorded as due (``recipient_known``) and nothing is sent.
    """
    address = family_email(request)
    _notice, created = RequestNotice.objects.get_or_create(
        request=request,
        kind=kind,
        period=period,
        defaults={"sent_at": now, "recipient_known": bool(address)},
    )
    if created and address:
        send(to=address)
    return created
