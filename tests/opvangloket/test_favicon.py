"""Every page has the site's icon, on every kind of host."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", ["localhost", "testregio.localhost", "alpha", "audit"])
def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client_for, host):
    client = client_for(host)
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/opvangloket/favicon.svg" type="image/svg+xml">' in page
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == "/static/opvangloket/favicon.svg"
