"""Background jobs of allocation, in the loket's schema: offers past their answer date
expire; parents are reminded before an answer date; the loket hears once a day what waits
past the answering time; on its decision date an allocation round proposes its places."""

from __future__ import annotations

from datetime import datetime

from shared.jobs.registry import loket_job
from shared.lokets.models import Loket
from tenants.allocation.answer_clock import overdue_digest_send
from tenants.allocation.offer_reminders import offers_remind_due
from tenants.allocation.rounds import rounds_run_due
from tenants.allocation.services import offers_expire_due


@loket_job("allocation.offers_expire")
def offers_expire(*, loket: Loket, now: datetime) -> dict:
    return {"expired": len(offers_expire_due(now=now))}


@loket_job("allocation.overdue_digest")
def overdue_digest(*, loket: Loket, now: datetime) -> dict:
    """One e-mail a day to the loket of the choices past the answering time."""
    return {"sent": int(overdue_digest_send(loket=loket, now=now) is not None)}


@loket_job("allocation.offer_reminders")
def offer_reminders(*, loket: Loket, now: datetime) -> dict:
    """Parents hear once, a few days before the answer date, that an offer waits."""
    return {"reminded": len(offers_remind_due(now=now))}


@loket_job("allocation.rounds_run")
def rounds_run(*, loket: Loket, now: datetime) -> dict:
    """On its decision date, a planned allocation round proposes its places (once)."""
    return {"rounds": len(rounds_run_due(now=now))}
