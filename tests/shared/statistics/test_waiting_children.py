"""Children waiting now: the coordinator's start page, the figures page and a loket's
figures count them the same way (``count_waiting_children``): each child once, twins as
two, a child registered before and after birth as one, a placed child not at all."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.registry.models import RegistryEntry
from shared.statistics.selectors import (
    count_waiting_children,
    figures_compute,
    period_of_year,
    scope_for_region,
)
from tenants.requests.models import ChildcareRequest
from tenants.requests.services import request_submit
from tests.support.allocation import accept, choice_of, offer
from tests.support.requests import request_data, submit

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"


def registered_last_year(entries: list[RegistryEntry]) -> None:
    """Move the registration of ``entries`` to the 15th of December of last year."""
    moment = timezone.make_aware(
        datetime.combine(timezone.localdate().replace(month=12, day=15), time(10))
    ).replace(year=timezone.localdate().year - 1)
    for entry in entries:
        with tenant_context(entry.loket):
            ChildcareRequest.objects.filter(pk=entry.request_id).update(registered_at=moment)
        RegistryEntry.objects.filter(pk=entry.pk).update(registered_at=moment)
    connection.set_schema_to_public()


def waiting_on_start_page(client) -> int:
    page = client.get("/").content.decode()
    [count] = re.findall(
        r'id="work-waiting"><a href="/cijfers/"><span class="work-count">(\d+)</span>', page
    )
    return int(count)


def waiting_now_on_figures_page(client, url: str) -> int:
    page = client.get(url).content.decode()
    [count] = re.findall(r'<p id="waiting-now">\D*(\d+)', page)
    return int(count)


@pytest.fixture
def family(world):
    """One family in the region: Mila registered unborn at alpha last December and again
    after her birth at beta (one child, waiting in two lokets); unborn twins at alpha
    (two children); Otto, placed at alpha (his beta request closed with it) and then
    registered once more at gamma; and Pim of the same family, registered last year at
    gamma only and still waiting."""
    from tests.support.providers import make_location

    parent = world.users["parent"]
    alpha, beta, gamma = (world.lokets[slug] for slug in ("alpha", "beta", "gamma"))
    herent, tienen, glabbeek = (
        make_location(alpha, name="Herent"),
        make_location(beta, name="Tienen"),
        make_location(gamma, name="Glabbeek", nis_code="24137"),
    )
    today = timezone.localdate()
    due = today - timedelta(days=10)
    mila_unborn = submit(
        herent,
        parent=parent,
        now=timezone.now() - timedelta(days=150),
        child_first_name="",
        child_last_name="Maes",
        child_birth_date=due,
        is_expected_birth=True,
        desired_start=today + timedelta(days=30),
    )
    registered_last_year(mila_unborn)
    mila_born = submit(
        tienen,
        parent=parent,
        child_first_name="Mila",
        child_last_name="Maes",
        child_birth_date=due + timedelta(days=2),
    )
    twins = request_submit(
        data=request_data(
            herent,
            child_first_name="",
            child_last_name="Maes",
            child_birth_date=today + timedelta(days=120),
            is_expected_birth=True,
            desired_start=today + timedelta(days=300),
        ),
        parent=parent,
        now=timezone.now(),
        expected_children=2,
    )
    otto = submit(herent, tienen, parent=parent, child_first_name="Otto", child_last_name="Maes")
    made = offer(
        alpha,
        choice_of(otto, alpha, herent),
        world.users["staff_alpha"],
        passed_over_reason="Het enige kind voor deze dagen",
    )
    accept(alpha, made, parent)
    otto_again = submit(glabbeek, parent=parent, child_first_name="Otto", child_last_name="Maes")
    pim = submit(
        glabbeek,
        parent=parent,
        child_first_name="Pim",
        child_last_name="Maes",
        child_birth_date=today - timedelta(days=300),
    )
    registered_last_year(pim)
    connection.set_schema_to_public()

    def fresh(entries):
        return [RegistryEntry.objects.get(pk=entry.pk) for entry in entries]

    mila, twins, otto, otto_again = (
        fresh(mila_unborn + mila_born),
        fresh(twins),
        fresh(otto),
        fresh(otto_again),
    )
    # What the registry made of it: the premise of the counts below.
    assert len({entry.child_id for entry in mila}) == 1
    assert len({entry.child_id for entry in twins}) == 2
    assert {entry.child_id for entry in otto_again} == {otto[0].child_id}
    assert sorted(entry.status for entry in otto) == ["cancelled", "placed"]
    assert [entry.status for entry in otto_again] == ["open"]
    return {"waiting_now": 4, "waiting_registered_this_year": 3}


def test_the_start_page_and_the_figures_page_show_the_same_children_waiting(
    client_for, world, family
):
    coordinator = client_for(PORTAL, user="coordinator")
    # Mila once (two lokets, before and after birth), the twins twice, Pim (registered last
    # year) once; Otto has a place, whatever his later request at gamma says.
    assert waiting_on_start_page(coordinator) == family["waiting_now"]
    assert waiting_now_on_figures_page(coordinator, "/cijfers/") == family["waiting_now"]
    # The figures page's default period (this year) has its own count by the same rule.
    region = scope_for_region(region=world.region)
    this_year = period_of_year(timezone.localdate().year)
    figures = figures_compute(scope=region, period=this_year)
    assert figures["totals"]["waiting"] == family["waiting_registered_this_year"]
    assert count_waiting_children(scope=region, period=this_year) == figures["totals"]["waiting"]
    assert count_waiting_children(scope=region) == family["waiting_now"]


def test_a_lokets_figures_and_its_start_figures_agree_on_children_waiting(client_for, family):
    staff = client_for("alpha", user="staff_alpha")
    dashboard = staff.get("/beheer/cijfers/")
    shown = dashboard.context["counts"]["waiting"]
    assert f"</th><td>{shown}</td>" in dashboard.content.decode()
    # At alpha: Mila (unborn, last year) and the twins; Otto was placed here.
    assert shown == 3
    assert waiting_now_on_figures_page(staff, "/beheer/cijfers/overzicht/") == 3
