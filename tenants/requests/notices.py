"""Notices to a family about its request, each one recorded once.

Two ways to send one, for two needs:

- ``notice_record_once`` then ``notice_send`` after the commit: never sent twice, even when
  a worker is killed or the connection drops right after the mail server took it; a worker
  killed between the commit and the mail server loses it. For notices that only nudge (the
  birth reminder).
- ``notice_send_once``, inside the transaction: recorded only when the mail server took it,
  so a record means it left; a worker killed between the two sends it again at the next
  run. For notices that something relies on having left (the confirmation reminder, without
  which a request must not lapse).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from tenants.requests.family import family_email
from tenants.requests.models import ChildcareRequest, RequestNotice


def notice_record_once(
    *, request: ChildcareRequest, kind: str, period: date, now: datetime
) -> RequestNotice | None:
    """Record notice ``kind`` for ``period``: the new notice, or None when it was recorded
    before.

    Call inside the transaction that holds the request, and send the notice
    (``notice_send``) only once that transaction has committed: a worker killed or a
    connection dropped after the e-mail left then finds the notice, and sends nothing
    twice. Without an address the notice is recorded as due (``recipient_known``).
    """
    notice, created = RequestNotice.objects.get_or_create(
        request=request,
        kind=kind,
        period=period,
        defaults={"sent_at": now, "recipient_known": bool(family_email(request))},
    )
    return notice if created else None


def notice_send(
    *, notice: RequestNotice, request: ChildcareRequest, send: Callable[..., None]
) -> None:
    """Send a notice recorded and committed before (``notice_record_once``).

    A mail server that refuses raises, and the notice is removed again, to be tried at
    the next run.
    """
    if not notice.recipient_known:
        return
    try:
        send(to=family_email(request))
    except Exception:
        RequestNotice.objects.filter(pk=notice.pk).delete()
        raise


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
