"""Closing a location takes a date that makes sense, and a closing entered by mistake can be undone.

Staff once closed a location on 0001-01-01 (any date was taken) and could do nothing
about it. The closing day may be in the recent past (a licence withdrawn last month) or
up to two years ahead; loket staff reopen a closing location, and both the closing and
the reopening stay in the loket's audit trail.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.allocation.closing import location_close, location_reopen
from tenants.audit.models import AuditEvent
from tenants.providers import services as provider_services
from tenants.providers.models import Location
from tests.support.providers import api, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def location(world) -> Location:
    return make_location(world.lokets["alpha"], name="De Vergissing")


def _close(world, location, closes_on):
    with tenant_context(world.lokets["alpha"]):
        return location_close(
            location=location,
            closes_on=closes_on,
            reason="Typo",
            actor=world.users["staff_alpha"],
            now=timezone.now(),
        )


def _reload(world, location) -> Location:
    with tenant_context(world.lokets["alpha"]):
        return Location.objects.get(pk=location.pk)


@pytest.mark.parametrize("days", [-400, 800])
def test_a_closing_day_far_in_the_past_or_future_is_refused(world, location, days):
    with pytest.raises(ValidationError) as error:
        _close(world, location, some_day(days))
    assert error.value.error_dict["closes_on"]
    assert _reload(world, location).closes_on is None


def test_a_closing_day_in_the_recent_past_is_fine(world, location):
    _close(world, location, some_day(-30))
    assert _reload(world, location).closes_on == some_day(-30)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_the_page_and_the_api_answer_an_absurd_date_with_a_message(
    client_for, world, location, value
):
    client = client_for("alpha", "staff_alpha")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/beheer/opvang/locaties/{location.pk}/sluiten/"
    response = client.post(url, {"closes_on": value, "reason": "x"})
    assert response.status_code == 400
    assert "at the earliest" in response.content.decode() or "at the latest" in (
        response.content.decode()
    )
    api_url = f"/api/v1/providers/locations/{location.pk}/close/"
    answer = api(client, "post", api_url, {"closes_on": value})
    assert answer.status_code == 400
    assert "closes_on" in answer.content.decode()
    assert _reload(world, location).closes_on is None


def test_staff_reopen_a_closing_location_and_may_publish_it_again(world, location):
    _close(world, location, some_day(10))
    with tenant_context(world.lokets["alpha"]):
        location_reopen(location=location, actor=world.users["staff_alpha"], now=timezone.now())
        reopened = Location.objects.get(pk=location.pk)
        assert reopened.closes_on is None and reopened.closing_reason == ""
        provider_services.location_update(location=reopened, is_published=True)
        assert Location.objects.get(pk=location.pk).is_published
        events = list(
            AuditEvent.objects.filter(object_type="location", object_id=location.pk)
            .order_by("at", "id")
            .values_list("details__event", flat=True)
        )
    assert events == ["location_closed", "location_reopened"]


def test_only_a_closing_location_is_reopened_and_only_by_loket_staff(world, location):
    from django.core.exceptions import PermissionDenied

    with tenant_context(world.lokets["alpha"]), pytest.raises(ValidationError):
        location_reopen(location=location, actor=world.users["staff_alpha"], now=timezone.now())
    _close(world, location, some_day(10))
    with tenant_context(world.lokets["alpha"]), pytest.raises(PermissionDenied):
        location_reopen(location=location, actor=world.users["provider_alpha"], now=timezone.now())


def test_staff_reopen_on_the_page_and_the_closing_stays_in_its_history(client_for, world, location):
    _close(world, location, some_day(10))
    client = client_for("alpha", "staff_alpha")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/beheer/opvang/locaties/{location.pk}/sluiten/"
    assert "Reopen" in client.get(url).content.decode()
    response = client.post(f"{url}heropenen/")
    assert response.status_code == 302
    assert _reload(world, location).closes_on is None
    page = client.get(url).content.decode()
    assert "Close this location" in page
    assert "Earlier closings" in page
    assert (timezone.localdate() + timedelta(days=10)).strftime("%Y") in page
    assert client_for("alpha", "provider_alpha").post(f"{url}heropenen/").status_code == 403
