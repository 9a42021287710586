"""Building childcare requests in tests, through the same services the pages use."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from shared.catalogue.models import CatalogueLocation
from shared.geography.models import Municipality
from tenants.requests.services import RequestData, request_submit


def catalogue_entry(location) -> CatalogueLocation:
    return CatalogueLocation.objects.get(location_id=location.pk, name=location.name)


def request_data(*locations, **overrides) -> RequestData:
    today = timezone.localdate()
    values = {
        "child_first_name": "Lotte",
        "child_last_name": "Vermeulen",
        "child_birth_date": today - timedelta(days=120),
        "is_expected_birth": False,
        "street": "Kerkstraat 4",
        "postcode": "3020",
        "residence": Municipality.objects.get(nis_code="24038"),
        "desired_start": today + timedelta(days=60),
        "care_plan": ["mon_am", "mon_pm", "tue_am", "tue_pm", "thu_am", "thu_pm"],
        "choices": [catalogue_entry(location) for location in locations],
        "consent": True,
        "guardians": [
            {"name": "Sara Peeters", "email": "sara@example.be", "phone": "0470 12 34 56"}
        ],
        "contact_email": "sara@example.be",
    }
    values.update(overrides)
    return RequestData(**values)


def submit(
    *locations,
    parent=None,
    now: datetime | None = None,
    registered_by=None,
    confirm_to_contact_email: bool = False,
    **overrides,
):
    return request_submit(
        data=request_data(*locations, **overrides),
        parent=parent,
        now=now or timezone.now(),
        registered_by=registered_by,
        confirm_to_contact_email=confirm_to_contact_email,
    )


def some_day(days: int = 0) -> date:
    return timezone.localdate() + timedelta(days=days)


def committed_requests_remove(parents) -> list:
    """Remove the committed requests of ``parents`` in every loket (their placements, the
    requests, their registry entries) after a test that had to commit them; returns the
    entries that were removed (their children may go too)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from shared.registry.models import RegistryEntry
    from tenants.allocation.models import Placement
    from tenants.requests.models import ChildcareRequest

    connection.set_schema_to_public()
    entries = list(RegistryEntry.objects.filter(parent__in=parents))
    for loket in {entry.loket for entry in entries}:
        request_ids = [entry.request_id for entry in entries if entry.loket_id == loket.pk]
        with tenant_context(loket):
            Placement.objects.filter(choice__request_id__in=request_ids).delete()
            ChildcareRequest.objects.filter(pk__in=request_ids).delete()
    RegistryEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    return entries
