"""Withdrawing choices, and the places they held on offer (in the active loket's schema).

A choice that ends by the family's will (the request withdrawn, the location removed,
the family's data erased) ends its open offer too: the offer is withdrawn, so it can no
longer be accepted and the provider sees the place is not taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tenants.allocation.models import Offer
from tenants.requests.models import ChoiceStatus, RequestChoice


def choices_withdraw(choices: Iterable[RequestChoice], *, now: datetime) -> list[RequestChoice]:
    """Withdraw ``choices`` (locked by the caller) and their open offers; returns them."""
    choices = list(choices)
    if not choices:
        return choices
    for choice in choices:
        choice.status = ChoiceStatus.WITHDRAWN
        choice.status_changed_at = now
    RequestChoice.objects.bulk_update(choices, ["status", "status_changed_at"])
    Offer.objects.filter(choice__in=choices, status=Offer.Status.OPEN).update(
        status=Offer.Status.WITHDRAWN, answered_at=now
    )
    return choices
