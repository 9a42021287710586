"""A region coordinator who logs in on the portal finds their figures at once."""

import pytest

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"


def test_the_portal_home_leads_the_region_coordinator_to_the_figures(client_for):
    page = client_for(PORTAL, user="coordinator").get("/").content.decode()
    assert 'href="/cijfers/"' in page
    assert "Je werk als regiocoördinator" in page


@pytest.mark.parametrize("user", [None, "parent", "staff_alpha", "auditor"])
def test_nobody_else_gets_the_link(client_for, user):
    page = client_for(PORTAL, user=user).get("/").content.decode()
    assert 'href="/cijfers/"' not in page
