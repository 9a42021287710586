"""Search pages and the open data API give the same answers, on portals and loket hosts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared.catalogue.vocabulary import add_months, first_of_month
from tests.support.providers import make_location, set_free_places

pytestmark = pytest.mark.django_db

NEXT_MONTH = add_months(first_of_month(timezone.localdate()), 1)


@pytest.fixture
def catalogue(world):
    alpha, beta, gamma = (world.lokets[s] for s in ("alpha", "beta", "gamma"))
    made = {
        "herent": make_location(alpha, name="Bengeltjes Herent"),
        "tienen": make_location(beta, name="Crèche Zonnestraal", is_inclusive=True),
        "glabbeek": make_location(gamma, name="Onthaalouder Els", kind="family", nis_code="24137"),
    }
    set_free_places(beta, made["tienen"], NEXT_MONTH, "baby", 3)
    return made


def page_names(response) -> list[str]:
    return [location.name for location in response.context["page"].object_list]


def api_names(response) -> list[str]:
    return [location["name"] for location in response.json()["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "kind=family",
        "inclusive=on",
        f"free_places=on&start={NEXT_MONTH:%Y-%m}",
        "near=3300&radius_km=5",
        "near=3020&sort=distance",
        "q=zonnestraal",
        "municipality=24038",
        "age_months=6&days=1&days=3",
    ],
)
def test_page_and_api_return_the_same_locations(client_for, world, catalogue, query):
    client = client_for(world.region.domain)
    page = client.get(f"/opvang/?{query}")
    api = client.get(f"/api/v1/catalogue/locations/?{query.replace('=on', '=true')}")
    assert page.status_code == api.status_code == 200
    assert page_names(page) == api_names(api)
    assert api.json()["count"] == page.context["page"].paginator.count


def test_portal_search_finds_every_loket_of_the_region(client_for, world, catalogue):
    names = page_names(client_for(world.region.domain).get("/opvang/"))
    assert {"Bengeltjes Herent", "Crèche Zonnestraal", "Onthaalouder Els"} <= set(names)


def test_loket_search_shows_its_working_area_first(client_for, catalogue):
    names = page_names(client_for("beta").get("/opvang/"))
    assert names[0] == "Crèche Zonnestraal"
    assert "Bengeltjes Herent" in names


def test_detail_page_shows_what_a_parent_needs(client_for, world, catalogue):
    entry = catalogue["tienen"]
    client = client_for(world.region.domain)
    listed = client.get("/api/v1/catalogue/locations/?q=zonnestraal").json()["results"][0]
    page = client.get(f"/opvang/{listed['id']}/").content.decode()
    assert entry.name in page
    assert "Dorpsstraat 1, 3300 Tienen" in page
    assert "<strong>3</strong>" in page  # free places next month
    assert "<dd>Nederlands</dd>" in page  # the language by its name, not "nl"
    detail = client.get(f"/api/v1/catalogue/locations/{listed['id']}/").json()
    assert detail["availabilities"] == [
        {"month": f"{NEXT_MONTH:%Y-%m}", "age_group": "baby", "free_places": 3}
    ]


def test_invalid_criteria_get_clear_messages_and_keep_the_input(client_for, world):
    client = client_for(world.region.domain)
    page = client.get("/opvang/?near=9999&kind=family&radius_km=5")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["page"] is None
    assert 'value="9999"' in html
    assert '<option value="family" selected>' in html
    api = client.get("/api/v1/catalogue/locations/?near=9999&age_months=-1")
    assert api.status_code == 400
    assert set(api.json()) == {"near", "age_months"}


def test_query_count_does_not_grow_with_the_number_of_results(client_for, world):
    client = client_for(world.region.domain)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/opvang/").status_code == 200
        return len(captured)

    make_location(world.lokets["alpha"])
    few = queries()
    for _ in range(6):
        make_location(world.lokets["beta"])
    assert queries() == few

    def api_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/catalogue/locations/").status_code == 200
        return len(captured)

    before = api_queries()
    make_location(world.lokets["gamma"], nis_code="24133")
    assert api_queries() == before


def test_a_location_outside_the_region_is_not_found_from_this_portal(client_for, world):
    # The auditor tenant has no region; nothing of another scope leaks through an id.
    other = make_location(world.lokets["alpha"], name="Alpha only")
    from shared.catalogue.models import CatalogueLocation

    entry = CatalogueLocation.objects.get(location_id=other.pk, loket=world.lokets["alpha"])
    assert client_for("audit").get(f"/opvang/{entry.pk}/").status_code == 404
    assert client_for(world.region.domain).get(f"/opvang/{entry.pk}/").status_code == 200


def test_back_to_the_search_keeps_its_criteria(client_for, world, catalogue):
    client = client_for(world.region.domain)
    page = client.get("/opvang/?kind=group&near=3020").content.decode()
    listed = client.get("/api/v1/catalogue/locations/?q=bengeltjes").json()["results"][0]
    assert f'href="/opvang/{listed["id"]}/?zoek=kind%3Dgroup%26near%3D3020"' in page
    detail = client.get(f"/opvang/{listed['id']}/", {"zoek": "kind=group&near=3020"})
    assert 'href="/opvang/?kind=group&amp;near=3020"' in detail.content.decode()
    # Without criteria: the plain search.
    plain = client.get(f"/opvang/{listed['id']}/").content.decode()
    assert 'href="/opvang/">' in plain


def test_asking_for_a_place_from_the_location_page_starts_with_it_chosen(
    client_for, world, catalogue
):
    from shared.portal.drafts import PARENT, draft_get

    def chosen(response) -> list[int]:
        draft_id = int(response["Location"].split("/")[2])
        draft = draft_get(draft_id=draft_id, owner=world.users["parent"], loket=None, mode=PARENT)
        return draft.choice_ids

    client = client_for(world.region.domain, user="parent")
    listed = client.get("/api/v1/catalogue/locations/?q=zonnestraal").json()["results"][0]
    detail = client.get(f"/opvang/{listed['id']}/").content.decode()
    ask = f'href="/aanvraag/nieuw/?locatie={listed["id"]}"'
    assert ask in detail
    start = client.get("/aanvraag/nieuw/", {"locatie": listed["id"]}).content.decode()
    assert f'name="locatie" value="{listed["id"]}"' in start
    assert chosen(client.post("/aanvraag/nieuw/", {"locatie": listed["id"]})) == [listed["id"]]
    # A location this host does not show is not slipped in.
    assert chosen(client.post("/aanvraag/nieuw/", {"locatie": "999999"})) == []
    assert chosen(client.post("/aanvraag/nieuw/", {"locatie": "x\u0000"})) == []
    # The auditor host offers no such button.
    audit = client_for("audit").get(f"/opvang/{listed['id']}/").content.decode()
    assert "ask-place" not in audit
