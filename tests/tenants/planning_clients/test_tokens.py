"""Planning software with a client-credentials token: the same walls as its service
account, only the operations its scopes open, only on its own loket's host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from oauth2_provider.models import AccessToken

from tenants.allocation.models import Offer
from tenants.audit.models import AuditEvent
from tenants.planning_clients.services import planning_client_create, planning_client_revoke
from tests.support.allocation import PLAN, choice_of, hours_ago, register
from tests.support.providers import api, make_location
from tests.support.requests import some_day

pytestmark = pytest.mark.django_db

PROVIDER_SCOPES = ["read_waiting_lists", "answer_choices", "update_free_places"]


def register_client(world, slug="alpha", *, kind="provider", scopes=PROVIDER_SCOPES, locations=()):
    loket = world.lokets[slug]
    with tenant_context(loket):
        return planning_client_create(
            loket=loket,
            name="Kidsplan Noord",
            kind=kind,
            scopes=scopes,
            locations=locations,
            created_by=world.users[f"staff_{slug}"],
            now=timezone.now(),
        )


def token_response(client_for, slug, client, secret, **extra):
    return client_for(slug).post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
            **extra,
        },
    )


def fetch_token(client_for, slug, client, secret, **extra) -> str:
    response = token_response(client_for, slug, client, secret, **extra)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def with_token(client_for, slug, token):
    client = client_for(slug)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def planning(world, client_for):
    """Provider software for one location of alpha that has two children waiting; and
    another location of alpha it was not given."""
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Kinderdagverblijf Planning")
    other = make_location(alpha, name="Kinderdagverblijf Elders")
    choices = [
        choice_of(register(place, name=name, registered_at=hours_ago(5)), alpha, place)
        for place, name in ((location, "Api"), (other, "Bea"))
    ]
    client, secret = register_client(world, locations=[location])
    token = fetch_token(client_for, "alpha", client, secret)
    return {
        "client": client,
        "secret": secret,
        "token": token,
        "location": location,
        "other": other,
        "choice": choices[0],
        "other_choice": choices[1],
    }


def test_provider_software_reads_its_waiting_list_and_makes_an_offer(client_for, planning):
    client = with_token(client_for, "alpha", planning["token"])
    queue = client.get(f"/api/v1/queue/{planning['location'].pk}/")
    assert queue.status_code == 200, queue.content
    assert [row["choice"] for row in queue.json()["results"]] == [planning["choice"].pk]

    offer = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    made = api(client, "post", f"/api/v1/choices/{planning['choice'].pk}/offers/", offer)
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "open"


def test_the_token_reaches_only_the_granted_locations(client_for, world, planning):
    client = with_token(client_for, "alpha", planning["token"])
    assert client.get(f"/api/v1/queue/{planning['other'].pk}/").status_code == 404
    offer = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    refused = api(client, "post", f"/api/v1/choices/{planning['other_choice'].pk}/offers/", offer)
    assert refused.status_code == 404
    locations = client.get("/api/v1/providers/locations/").json()["results"]
    assert [row["id"] for row in locations] == [planning["location"].pk]
    with tenant_context(world.lokets["alpha"]):
        assert not Offer.objects.filter(choice_id=planning["other_choice"].pk).exists()


@pytest.mark.parametrize("host", ["beta", "gamma", "audit", "testregio.localhost", "localhost"])
def test_the_token_is_unknown_on_every_other_host(client_for, planning, host):
    client = with_token(client_for, host, planning["token"])
    response = client.get(f"/api/v1/queue/{planning['location'].pk}/")
    assert response.status_code in (401, 404)  # the portal and base domain have no queues
    me = client.get("/api/v1/me/")
    assert me.status_code == 401
    assert me["WWW-Authenticate"].startswith("Bearer ")


def test_the_token_endpoint_of_another_loket_does_not_know_the_client(client_for, planning):
    response = token_response(client_for, "beta", planning["client"], planning["secret"])
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_missing_scope_is_403_and_changes_nothing(client_for, world, planning):
    narrow = fetch_token(
        client_for, "alpha", planning["client"], planning["secret"], scope="read_waiting_lists"
    )
    client = with_token(client_for, "alpha", narrow)
    assert client.get(f"/api/v1/queue/{planning['location'].pk}/").status_code == 200
    offer = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    refused = api(client, "post", f"/api/v1/choices/{planning['choice'].pk}/offers/", offer)
    assert refused.status_code == 403
    assert "answer_choices" in refused.json()["detail"]
    with tenant_context(world.lokets["alpha"]):
        assert not Offer.objects.filter(choice_id=planning["choice"].pk).exists()


def test_a_client_cannot_ask_for_a_scope_it_was_not_given(client_for, planning):
    response = token_response(
        client_for, "alpha", planning["client"], planning["secret"], scope="read_figures"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(
    "path", ["/api/v1/requests/", "/api/v1/me/", "/api/v1/planning-clients/", "/api/v1/loket/"]
)
def test_an_operation_that_declares_no_scope_refuses_every_token(client_for, planning, path):
    response = with_token(client_for, "alpha", planning["token"]).get(path)
    assert response.status_code == 403


def test_a_revoked_clients_tokens_are_refused(client_for, world, planning):
    alpha = world.lokets["alpha"]
    with tenant_context(alpha):
        planning_client_revoke(
            client=planning["client"],
            loket=alpha,
            revoked_by=world.users["staff_alpha"],
            now=timezone.now(),
        )
    client = with_token(client_for, "alpha", planning["token"])
    assert client.get(f"/api/v1/queue/{planning['location'].pk}/").status_code == 401
    again = token_response(client_for, "alpha", planning["client"], planning["secret"])
    assert again.status_code == 401


def test_an_expired_token_is_refused(client_for, world, planning):
    with tenant_context(world.lokets["alpha"]):
        AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    client = with_token(client_for, "alpha", planning["token"])
    assert client.get(f"/api/v1/queue/{planning['location'].pk}/").status_code == 401


def test_tokens_expire_after_the_configured_lifetime(client_for, world, settings):
    client, secret = register_client(world, kind="loket", scopes=["read_figures"])
    response = token_response(client_for, "alpha", client, secret)
    assert response.json()["expires_in"] == 3600
    assert "refresh_token" not in response.json()


def test_only_the_client_credentials_grant_is_served(client_for, planning):
    response = token_response(
        client_for, "alpha", planning["client"], planning["secret"], grant_type="password"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert client_for("alpha").get("/oauth/authorize/").status_code == 404


def test_a_bad_token_is_401_not_a_fallback_to_anonymous(client_for):
    client = with_token(client_for, "alpha", "made-up")
    assert client.get("/api/v1/providers/locations/").status_code == 401


def test_the_session_cookie_works_as_before(client_for, world, planning):
    from tests.support.providers import grant_location

    grant_location(world.lokets["alpha"], planning["location"], world.users["provider_alpha"])
    client = client_for("alpha", "provider_alpha")
    assert client.get(f"/api/v1/queue/{planning['location'].pk}/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    # Without the CSRF token a session's POST is still refused (enforce_csrf_checks).
    strict = client_for("alpha")
    strict.handler.enforce_csrf_checks = True
    strict.force_login(
        world.users["provider_alpha"], backend="django.contrib.auth.backends.ModelBackend"
    )
    offer = {"start_date": some_day(60).isoformat(), "care_plan": PLAN}
    refused = api(strict, "post", f"/api/v1/choices/{planning['choice'].pk}/offers/", offer)
    assert refused.status_code == 403


def test_loket_software_reads_the_figures(client_for, world):
    client, secret = register_client(world, kind="loket", scopes=["read_figures"])
    token = fetch_token(client_for, "alpha", client, secret)
    assert with_token(client_for, "alpha", token).get("/api/v1/figures/").status_code == 200


def test_every_call_is_in_the_audit_trail_under_the_clients_name(client_for, world, planning):
    client = with_token(client_for, "alpha", planning["token"])
    client.get(f"/api/v1/queue/{planning['location'].pk}/")
    client.get("/api/v1/requests/")  # refused (no scope), recorded all the same
    with tenant_context(world.lokets["alpha"]):
        calls = list(
            AuditEvent.objects.filter(object_type=AuditEvent.ObjectType.API_CALL).order_by("id")
        )
    assert [(event.details["operation"], event.details["method"]) for event in calls] == [
        ("api_queue", "GET"),
        ("api_requests", "GET"),
    ]
    assert calls[0].details["location_id"] == planning["location"].pk
    assert {event.actor_id for event in calls} == {planning["client"].user_id}
    assert calls[0].actor.full_name == "Kidsplan Noord"
    trail = client_for("alpha", "staff_alpha").get("/api/v1/audit/events/").json()["results"]
    assert trail[0]["object_type"] == "api_call"
    assert trail[0]["actor"].startswith("kidsplan-noord-")
    page = client_for("alpha", "staff_alpha").get("/beheer/audit/", {"actor": "Kidsplan"})
    assert page.status_code == 200
    assert "kidsplan-noord-" in page.content.decode()


def test_the_toolkits_tables_are_in_every_loket_schema_and_not_in_public(world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables"
            " WHERE table_name = 'oauth2_provider_accesstoken'"
        )
        schemas = {row[0] for row in cursor.fetchall()}
    lokets = {loket.schema_name for loket in world.lokets.values()}
    assert lokets | {"loket_template"} <= schemas
    assert "public" not in schemas


def test_the_daily_job_deletes_expired_tokens_only(client_for, world, planning):
    from django.core.management import call_command

    alpha = world.lokets["alpha"]
    fresh = fetch_token(client_for, "alpha", planning["client"], planning["secret"])
    with tenant_context(alpha):
        AccessToken.objects.filter(pk=AccessToken.objects.order_by("id").first().pk).update(
            expires=timezone.now() - timedelta(minutes=1)
        )
    call_command("run_jobs", "--job", "planning_clients.clear_expired_tokens")
    with tenant_context(alpha):
        assert AccessToken.objects.count() == 1
    assert (
        with_token(client_for, "alpha", fresh).get("/api/v1/providers/locations/").status_code
        == 200
    )


def test_free_places_need_their_own_scope(client_for, world, planning):
    path = f"/api/v1/providers/locations/{planning['location'].pk}/availability/"
    month = timezone.localdate().replace(day=1).strftime("%Y-%m")
    entry = [{"month": month, "age_group": "baby", "free_places": 2}]
    full = with_token(client_for, "alpha", planning["token"])
    changed = api(full, "patch", path, entry)
    assert changed.status_code == 200, changed.content
    assert [(row["month"], row["free_places"]) for row in changed.json()] == [(month, 2)]
    narrow = fetch_token(
        client_for, "alpha", planning["client"], planning["secret"], scope="answer_choices"
    )
    refused = api(with_token(client_for, "alpha", narrow), "patch", path, entry)
    assert refused.status_code == 403
    other = f"/api/v1/providers/locations/{planning['other'].pk}/availability/"
    assert api(full, "patch", other, entry).status_code == 404
