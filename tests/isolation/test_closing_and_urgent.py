"""Closing a location and marking a request urgent stay inside the host's loket.

Ids are per schema: beta's staff closing "their" location never touch alpha's location
with the same id, and alpha's references are unknown on beta's host.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from tenants.providers.models import Location
from tenants.requests.models import ChildcareRequest
from tests.support.allocation import register
from tests.support.providers import api, make_locations_with_the_same_id
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db


def test_closing_by_id_closes_only_the_hosts_own_location(client_for, world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    in_alpha, in_beta = make_locations_with_the_same_id(alpha, beta)
    register(in_alpha, name="Alfa")
    client = client_for("beta", "staff_beta")
    response = api(
        client,
        "post",
        f"/api/v1/providers/locations/{in_beta.pk}/close/",
        {"closes_on": some_day(10).isoformat()},
    )
    assert response.status_code == 200
    assert response.json()["affected"] == []
    with tenant_context(beta):
        assert Location.objects.get(pk=in_beta.pk).closes_on == some_day(10)
    with tenant_context(alpha):
        untouched = Location.objects.get(pk=in_alpha.pk)
        assert untouched.closes_on is None and untouched.is_published
    page = client_for("alpha", "staff_beta").get(f"/beheer/opvang/locaties/{in_alpha.pk}/sluiten/")
    assert page.status_code == 403


def test_the_auditor_and_other_lokets_cannot_mark_a_request_urgent(client_for, world):
    alpha = world.lokets["alpha"]
    location = make_locations_with_the_same_id(alpha, world.lokets["beta"])[0]
    (entry,) = register(location, name="Urgent")
    for host, user in (("alpha", "auditor"), ("alpha", "staff_gamma"), ("gamma", "staff_gamma")):
        client = client_for(host, user)
        assert client.post(f"/beheer/aanvragen/{entry.reference}/dringend/").status_code in (
            403,
            404,
        )
        response = api(client, "post", f"/api/v1/requests/{entry.reference}/urgent/")
        assert response.status_code in (403, 404)
    with tenant_context(alpha):
        assert not ChildcareRequest.objects.get(pk=entry.request_id).is_urgent
