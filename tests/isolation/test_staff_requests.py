"""The cross-loket matrix for loket staff's request pages and API.

One parent registers one child with choices in alpha and beta. Loket staff see their own
loket's part, on their own host, and no more: of the other loket only its name and the
status of its request. Everyone else gets 403 (no role here), 404 (not in this loket) or
the login page. Staff notes never reach another loket or any parent-facing output.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from tenants.requests.models import RequestEvent, RequestNote
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

MARKER = "Kwikstaart-4711"  # a word that appears nowhere else
NOTE = f"Mother prefers a call after five; ask about the older brother. {MARKER}"


@pytest.fixture
def registered(world):
    """Wout Claes: two choices in alpha, one in beta, one submission. Another child in gamma."""
    alpha, beta, gamma = (world.lokets[slug] for slug in ("alpha", "beta", "gamma"))
    alpha_locations = [
        make_location(alpha, name="Bengeltjes Alpha"),
        make_location(alpha, name="Speelvogel Alpha"),
    ]
    beta_location = make_location(beta, name="Zonnestraal Beta")
    gamma_location = make_location(gamma, name="Regenboog Gamma")
    entries = submit(
        *alpha_locations,
        beta_location,
        parent=world.users["parent"],
        child_first_name="Wout",
        child_last_name="Claes",
    )
    other = submit(
        gamma_location,
        parent=world.users["other_parent"],
        child_first_name="Mila",
        child_last_name="Janssens",
    )
    return SimpleNamespace(
        alpha=entries[0].reference,
        beta=entries[1].reference,
        gamma=other[0].reference,
        entries=entries,
    )


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text_of(response) -> str:
    """What a response says: its text, or a PDF's text (a parent's data download)."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return "\n".join(page.extract_text() for page in reader.pages)
    return response.content.decode()


# --- Who may come in -------------------------------------------------------------------

OUTSIDERS = [
    "provider_alpha",
    "staff_beta",
    "provider_beta",
    "staff_gamma",
    "provider_gamma",
    "parent",
    "other_parent",
    "auditor",
    "coordinator",
    "operator",
]


def paths(reference: str) -> dict[str, tuple[str, str]]:
    return {
        "list": ("get", "/beheer/aanvragen/"),
        "detail": ("get", f"/beheer/aanvragen/{reference}/"),
        "note": ("post", f"/beheer/aanvragen/{reference}/notities/"),
        "api_list": ("get", "/api/v1/requests/"),
        "api_detail": ("get", f"/api/v1/requests/{reference}/"),
    }


def call(client, method: str, path: str):
    return getattr(client, method)(path, {"text": NOTE} if method == "post" else None)


def notes_everywhere(world) -> int:
    count = 0
    for slug in ("alpha", "beta", "gamma"):
        with tenant_context(world.lokets[slug]):
            count += RequestNote.objects.count()
    return count


@pytest.mark.parametrize("user", OUTSIDERS)
@pytest.mark.parametrize("target", ["list", "detail", "note", "api_list", "api_detail"])
def test_only_loket_staff_of_the_host_get_in(client_for, world, registered, user, target):
    method, path = paths(registered.alpha)[target]
    response = call(client_for("alpha", user=user), method, path)
    assert response.status_code == 403
    assert "Wout" not in text_of(response)
    assert notes_everywhere(world) == 0


@pytest.mark.parametrize("target", ["list", "detail", "note", "api_list", "api_detail"])
def test_anonymous_visitors_are_sent_to_login_or_refused(client_for, registered, target):
    method, path = paths(registered.alpha)[target]
    response = call(client_for("alpha"), method, path)
    if target.startswith("api"):
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("target", ["list", "detail", "note", "api_list", "api_detail"])
def test_staff_of_alpha_on_betas_host_are_refused(client_for, world, registered, target):
    method, path = paths(registered.beta)[target]
    response = call(client_for("beta", user="staff_alpha"), method, path)
    assert response.status_code == 403
    assert "Wout" not in text_of(response) and "Zonnestraal" not in text_of(response)
    assert notes_everywhere(world) == 0


@pytest.mark.parametrize("target", ["detail", "note", "api_detail"])
def test_a_reference_of_beta_on_alphas_host_is_not_found(client_for, world, registered, target):
    method, path = paths(registered.beta)[target]
    response = call(client_for("alpha", user="staff_alpha"), method, path)
    assert response.status_code == 404
    assert "Zonnestraal" not in text_of(response)
    assert notes_everywhere(world) == 0


@pytest.mark.parametrize("host", ["testregio.localhost", "localhost"])
def test_the_pages_and_api_do_not_exist_outside_a_lokets_host(client_for, registered, host):
    client = client_for(host, user="staff_alpha")
    for path in ("/beheer/aanvragen/", f"/beheer/aanvragen/{registered.alpha}/"):
        assert client.get(path).status_code == 404
    assert client.get("/api/v1/requests/").status_code == 404


def test_staff_of_the_auditor_tenant_have_no_request_pages(client_for, registered):
    assert client_for("audit", user="auditor").get("/beheer/aanvragen/").status_code == 403
    assert client_for("audit", user="staff_alpha").get("/api/v1/requests/").status_code == 403


# --- What each loket's staff see -------------------------------------------------------


def test_staff_of_alpha_see_only_alphas_part(client_for, registered):
    client = client_for("alpha", user="staff_alpha")
    page = text_of(client.get("/beheer/aanvragen/"))
    assert registered.alpha in page
    assert "Bengeltjes Alpha" in page and "Speelvogel Alpha" in page
    for foreign in (registered.beta, "Zonnestraal Beta", registered.gamma, "Mila", "Janssens"):
        assert foreign not in page
    data = client.get("/api/v1/requests/").json()
    assert [row["reference"] for row in data["results"]] == [registered.alpha]
    assert [c["location"]["name"] for c in data["results"][0]["choices"]] == [
        "Bengeltjes Alpha",
        "Speelvogel Alpha",
    ]


def test_staff_of_beta_see_only_betas_part(client_for, registered):
    client = client_for("beta", user="staff_beta")
    page = text_of(client.get("/beheer/aanvragen/"))
    assert registered.beta in page and "Zonnestraal Beta" in page
    for foreign in (registered.alpha, "Bengeltjes Alpha", "Speelvogel Alpha", "Mila"):
        assert foreign not in page
    data = client.get("/api/v1/requests/").json()
    assert [row["reference"] for row in data["results"]] == [registered.beta]
    assert [c["location"]["name"] for c in data["results"][0]["choices"]] == ["Zonnestraal Beta"]


def test_staff_of_gamma_see_nothing_of_the_child(client_for, registered):
    client = client_for("gamma", user="staff_gamma")
    page = text_of(client.get("/beheer/aanvragen/"))
    for foreign in (registered.alpha, registered.beta, "Wout", "Claes", "Alpha", "Beta"):
        assert foreign not in page
    assert registered.gamma in page
    data = client.get("/api/v1/requests/").json()
    assert [row["reference"] for row in data["results"]] == [registered.gamma]


def test_the_detail_names_the_other_loket_but_shows_nothing_of_its_request(client_for, registered):
    client = english(client_for("alpha", user="staff_alpha"))
    page = text_of(client.get(f"/beheer/aanvragen/{registered.alpha}/"))
    linked = page[page.index('id="linked-heading"') : page.index('id="history-heading"')]
    assert "Loket Beta" in linked and "Open" in linked
    assert "Loket Gamma" not in linked  # another child
    assert "Loket Alpha" not in linked  # never the loket itself
    for hidden in (registered.beta, "Zonnestraal Beta"):
        assert hidden not in page
    data = client.get(f"/api/v1/requests/{registered.alpha}/").json()
    assert data["linked_lokets"] == [{"loket_name": "Loket Beta", "status": "open"}]
    assert registered.beta not in str(data) and "Zonnestraal" not in str(data)

    beta_page = text_of(
        english(client_for("beta", user="staff_beta")).get(f"/beheer/aanvragen/{registered.beta}/")
    )
    assert "Loket Alpha" in beta_page
    for hidden in (registered.alpha, "Bengeltjes Alpha", "Speelvogel Alpha"):
        assert hidden not in beta_page


def test_the_same_child_is_linked_by_national_number_despite_another_spelling(
    client_for, world, registered
):
    prefix = "250315123"
    number = prefix + f"{97 - int('2' + prefix) % 97:02d}"
    alpha = make_location(world.lokets["alpha"], name="Kinderhuis Alpha")
    gamma = make_location(world.lokets["gamma"], name="Kinderhuis Gamma")
    first = submit(alpha, child_first_name="Noor", child_last_name="Maes", national_number=number)
    submit(gamma, child_first_name="Nora", child_last_name="Maas", national_number=number)
    data = (
        client_for("alpha", user="staff_alpha")
        .get(f"/api/v1/requests/{first[0].reference}/")
        .json()
    )
    assert data["linked_lokets"] == [{"loket_name": "Loket Gamma", "status": "open"}]


# --- Notes stay with the loket's staff -------------------------------------------------


def test_a_note_stays_in_its_loket_and_out_of_every_parent_facing_output(
    client_for, world, registered
):
    alpha_staff = client_for("alpha", user="staff_alpha")
    response = alpha_staff.post(f"/beheer/aanvragen/{registered.alpha}/notities/", {"text": NOTE})
    assert response.status_code == 302
    assert NOTE in text_of(alpha_staff.get(f"/beheer/aanvragen/{registered.alpha}/"))

    # Not in beta, although it is the same child.
    beta_staff = client_for("beta", user="staff_beta")
    assert NOTE not in text_of(beta_staff.get(f"/beheer/aanvragen/{registered.beta}/"))
    assert NOTE not in text_of(beta_staff.get(f"/api/v1/requests/{registered.beta}/"))
    with tenant_context(world.lokets["beta"]):
        assert not RequestNote.objects.exists()
        assert not RequestEvent.objects.filter(kind=RequestEvent.Kind.NOTE).exists()

    # Not in the public schema (the registry keeps no free text).
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(r)::text FROM registry_registryentry r")
        assert not any(MARKER in row[0] for row in cursor.fetchall())

    # Not in anything the parent can open, on the loket's host or on the portal.
    for host, urlconf in (
        ("alpha", "opvangloket.urls_tenant"),
        (world.region.domain, "opvangloket.urls_public"),
    ):
        client = client_for(host, user="parent")
        client.raise_request_exception = False
        reachable = parent_reachable_paths(urlconf, registered)
        assert "/" in reachable
        for path in reachable:
            assert MARKER not in text_of(client.get(path)), path


_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def parent_reachable_paths(urlconf: str, registered) -> list[str]:
    """Every page and API path of the host's URL conf a parent could open with GET.

    Paths with a reference or submission take the parent's own; others with a parameter
    we cannot fill are left out. The account, language and admin paths say nothing of
    requests.
    """
    values = {
        "reference": registered.alpha,
        "submission": str(registered.entries[0].submission),
        "pk": str(registered.entries[0].pk),
    }
    found = []
    for route in _patterns(get_resolver(urlconf)):
        if route.startswith(("account/", "i18n/", "admin/")) or "^" in route or "$" in route:
            continue
        names = _PLACEHOLDER.findall(route)
        if any(name not in values for name in names):
            continue
        found.append("/" + _PLACEHOLDER.sub(lambda match: values[match.group(1)], route))
    return found
