"""Recording signals about a location."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.providers.models import Location
from tenants.signals.models import LocationSignal


@transaction.atomic
def signal_record(
    *,
    location: Location,
    happened_on: date,
    what_happened: str,
    what_was_done: str,
    recorded_by,
    now: datetime,
) -> LocationSignal:
    what_happened = what_happened.strip()
    if not what_happened:
        raise ValidationError({"what_happened": [_("Describe what happened.")]})
    if happened_on > timezone.localdate(now):
        raise ValidationError({"happened_on": [_("The date cannot be in the future.")]})
    signal = LocationSignal(
        location=location,
        location_name=location.name,
        happened_on=happened_on,
        what_happened=what_happened,
        what_was_done=what_was_done.strip(),
        recorded_by=recorded_by,
        recorded_at=now,
    )
    signal.full_clean()
    signal.save()
    return signal
