"""Background jobs that keep a loket's requests current (run in the loket's schema)."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.jobs.registry import loket_job
from shared.lokets.models import Loket
from tenants.requests.birth_reminders import birth_reminders_send
from tenants.requests.confirmation import confirmation_reminders_send, requests_lapse_unconfirmed
from tenants.requests.retention import requests_anonymise_closed
from tenants.signals.retention import signals_anonymise_old


@loket_job("requests.confirmation_reminders")
def confirmation_reminders(*, loket: Loket, now: datetime) -> dict:
    return confirmation_reminders_send(loket=loket, now=now)


@loket_job("requests.lapse_unconfirmed")
def lapse_unconfirmed(*, loket: Loket, now: datetime) -> dict:
    return requests_lapse_unconfirmed(loket=loket, now=now)


@loket_job("requests.birth_reminders", every=timedelta(days=1))
def birth_reminders(*, loket: Loket, now: datetime) -> dict:
    return birth_reminders_send(loket=loket, now=now)


@loket_job("requests.anonymise_closed", every=timedelta(days=1))
def anonymise_closed(*, loket: Loket, now: datetime) -> dict:
    """Closed requests and old signals lose their personal data after the loket's period."""
    result = requests_anonymise_closed(loket=loket, now=now)
    return {**result, "signals_anonymised": signals_anonymise_old(loket=loket, now=now)}
