"""The role table itself: each role, on each kind of host, with or without an object grant.

Every check goes through the public functions of ``shared.accounts.permissions``
(``has_access``, ``has_object_access``, ``objects_granted``, ``role_required``,
``check_access``, ``HasRole``) against the test world's real lokets: ``alpha`` (a loket
host), ``audit`` (the auditor tenant's host), the region's portal and the base domain.
The expectations are written out here, not derived from the table, so a change to the
table shows up as a change to this file.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_tenants.utils import tenant_context
from guardian.shortcuts import assign_perm

from shared.accounts.models import Membership, User
from shared.accounts.permissions import (
    READ_METHODS,
    Access,
    HasRole,
    check_access,
    check_object_access,
    has_access,
    has_object_access,
    objects_granted,
    role_required,
)
from shared.accounts.services import membership_grant, user_ensure
from tenants.providers.models import Location
from tenants.providers.services import LOCATION_CHANGE_PERMISSION
from tests.support.providers import make_location
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

A = Access
HOSTS = ("loket", "auditor", "portal", "platform")
ROLES = (*Membership.Role.values, "no_role", "anonymous")

# What each role holds on each kind of host, without an object. The role is held where
# it can be: in the host's loket (alpha or audit), in alpha for the public hosts, and a
# coordinator in the test region. Anything not listed: PARENT for a logged-in account
# (nothing on the auditor tenant's host, where parents have no pages), nothing for an
# anonymous visitor.
HELD: dict[tuple[str, str], set[Access]] = {
    ("loket_staff", "loket"): {A.LOKET_STAFF, A.PROVIDERS_LOKET_STAFF, A.STAFF, A.PARENT},
    # The auditor tenant is excluded from the offer, not from the loket's own work.
    ("loket_staff", "auditor"): {A.LOKET_STAFF, A.STAFF},
    ("provider_staff", "loket"): {A.PROVIDER_STAFF, A.STAFF, A.PARENT},
    ("provider_staff", "auditor"): {A.STAFF},
    ("auditor", "loket"): {A.STAFF, A.PARENT},
    ("auditor", "auditor"): {A.AUDITOR, A.STAFF},
    ("region_coordinator", "portal"): {A.REGION_COORDINATOR, A.PARENT},
}


def expected(role: str, host: str, *, granted: bool, with_object: bool) -> set[Access]:
    if role == "anonymous":
        return set()
    held = set(HELD.get((role, host), set() if host == "auditor" else {A.PARENT}))
    held.add(A.ACCOUNT)  # one's own account's pages: any logged-in account, every host
    # The object grant counts for provider staff of this loket, for that object only.
    if with_object and granted and role == "provider_staff" and host == "loket":
        held.add(A.PROVIDER_STAFF_OF_OBJECT)
    return held


@pytest.fixture
def location(world) -> Location:
    return make_location(world.lokets["alpha"], name="Kinderdagverblijf Tabel")


def host_of(world, host: str) -> dict:
    """``loket`` and ``region`` as ``LoketMiddleware`` sets them on a request to that host."""
    alpha, audit = world.lokets["alpha"], world.lokets["audit"]
    return {
        "loket": {"loket": alpha, "region": alpha.region},
        "auditor": {"loket": audit, "region": None},
        "portal": {"loket": None, "region": world.region},
        "platform": {"loket": None, "region": None},
    }[host]


def account(world, role: str, host: str, *, location: Location | None = None) -> User:
    """A fresh account holding ``role`` on ``host`` (and the grant on ``location``)."""
    if role == "anonymous":
        return AnonymousUser()
    user = user_ensure(email=f"{role}.{host}@roles.test", password=PASSWORD)
    if role == Membership.Role.REGION_COORDINATOR:
        membership_grant(user=user, role=role, region=world.region)
    elif role != "no_role":
        loket = host_of(world, host)["loket"] or world.lokets["alpha"]
        membership_grant(user=user, role=role, loket=loket)
    if location is not None:
        with tenant_context(world.lokets["alpha"]):
            assign_perm(LOCATION_CHANGE_PERMISSION, user, location)
    return user


def held_accesses(user, *, world, host: str, obj: Location | None) -> set[Access]:
    """Every access ``has_access`` says ``user`` holds on ``host``, in alpha's schema."""
    with tenant_context(world.lokets["alpha"]):
        return {
            access
            for access in Access
            if has_access(access, user=user, obj=obj, **host_of(world, host))
        }


@pytest.mark.parametrize("granted", [False, True], ids=["no-grant", "grant"])
@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("role", ROLES)
def test_the_role_table(world, location, role, host, granted):
    user = account(world, role, host, location=location if granted else None)
    assert held_accesses(user, world=world, host=host, obj=None) == expected(
        role, host, granted=granted, with_object=False
    )
    assert held_accesses(user, world=world, host=host, obj=location) == expected(
        role, host, granted=granted, with_object=True
    )


@pytest.mark.parametrize("host", ["alpha", "beta"])
def test_a_role_in_another_loket_counts_for_nothing(world, host):
    loket = world.lokets[host]
    for key in ("staff_gamma", "provider_gamma"):
        held = {a for a in Access if has_access(a, user=world.users[key], loket=loket)}
        assert held == {A.PARENT, A.ACCOUNT}, key


def test_a_coordinator_of_another_region_is_refused_on_this_portal(world):
    from shared.lokets.services import region_ensure

    other = region_ensure(slug="elders", name="Elders", domain="elders.localhost")
    user = world.users["coordinator"]
    assert has_access(A.REGION_COORDINATOR, user=user, region=world.region)
    assert not has_access(A.REGION_COORDINATOR, user=user, region=other)


def test_objects_granted_gives_all_the_granted_or_none(world, location):
    alpha = world.lokets["alpha"]
    other = make_location(alpha, name="Kinderdagverblijf Ander")
    provider = account(world, "provider_staff", "loket", location=location)
    managers = (A.LOKET_STAFF, A.PROVIDER_STAFF_OF_OBJECT)
    with tenant_context(alpha):
        locations = Location.objects.filter(pk__in=[location.pk, other.pk])

        def reach(user) -> set[int]:
            return set(
                objects_granted(locations, *managers, user=user, loket=alpha).values_list(
                    "pk", flat=True
                )
            )

        assert reach(world.users["staff_alpha"]) == {location.pk, other.pk}
        assert reach(provider) == {location.pk}
        assert reach(world.users["provider_alpha"]) == set()
        assert reach(world.users["staff_beta"]) == set()
        assert reach(AnonymousUser()) == set()
        assert has_object_access(*managers, user=provider, loket=alpha, obj=location)
        assert not has_object_access(*managers, user=provider, loket=alpha, obj=other)
        with pytest.raises(PermissionDenied):
            check_object_access(*managers, user=provider, loket=alpha, obj=other)


# --- Pages: what role_required answers, per row's OffHost ----------------------------------


def page(*access: Access):
    @role_required(*access)
    def view(request) -> HttpResponse:
        return HttpResponse("ok")

    return view


def request_to(world, host: str, user) -> object:
    request = RequestFactory().get("/beheer/iets/?x=1")
    request.user = user
    for name, value in host_of(world, host).items():
        setattr(request, name, value)
    return request


@pytest.fixture
def outcome(world):
    """``outcome(access, host, user)``: 200, "login", 403 or 404 for a page needing ``access``."""

    def answer(access: tuple[Access, ...], host: str, user) -> int | str:
        try:
            response = page(*access)(request_to(world, host, user))
        except Http404:
            return 404
        except PermissionDenied:
            return 403
        if response.status_code == 302:
            assert response["Location"].endswith("?next=/beheer/iets/%3Fx%3D1")
            return "login"
        return response.status_code

    return answer


@pytest.mark.parametrize(
    ("access", "host", "user", "answer"),
    [
        # The offer is not on the auditor host: 404 before anything else.
        ((A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF), "auditor", "anonymous", 404),
        ((A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF), "auditor", "auditor", 404),
        ((A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF), "loket", "anonymous", "login"),
        ((A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF), "loket", "staff_beta", 403),
        ((A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF), "loket", "provider_alpha", 200),
        ((A.PROVIDERS_LOKET_STAFF,), "loket", "provider_alpha", 403),
        # The loket's own pages exist on the auditor host, not on a portal (the desk).
        ((A.LOKET_STAFF,), "auditor", "anonymous", "login"),
        ((A.LOKET_STAFF,), "auditor", "auditor", 403),
        ((A.LOKET_STAFF,), "portal", "anonymous", 404),
        ((A.LOKET_STAFF,), "portal", "staff_alpha", 404),
        ((A.LOKET_STAFF,), "loket", "staff_alpha", 200),
        ((A.STAFF,), "auditor", "auditor", 200),
        ((A.STAFF,), "loket", "parent", 403),
        # Auditor pages: only on the auditor host; elsewhere 404 for auditors only.
        ((A.AUDITOR,), "auditor", "auditor", 200),
        ((A.AUDITOR,), "auditor", "staff_alpha", 403),
        ((A.AUDITOR,), "loket", "anonymous", "login"),
        ((A.AUDITOR,), "loket", "staff_alpha", 403),
        # Coordinators: their portal; refused elsewhere, as without the role.
        ((A.REGION_COORDINATOR,), "portal", "coordinator", 200),
        ((A.REGION_COORDINATOR,), "portal", "anonymous", "login"),
        ((A.REGION_COORDINATOR,), "portal", "staff_alpha", 403),
        ((A.REGION_COORDINATOR,), "platform", "anonymous", "login"),
        ((A.REGION_COORDINATOR,), "platform", "coordinator", 403),
        ((A.REGION_COORDINATOR,), "loket", "coordinator", 403),
        ((A.PARENT,), "platform", "parent", 200),
        ((A.PARENT,), "portal", "anonymous", "login"),
        # Parents' pages are not on the auditor host, whoever asks.
        ((A.PARENT,), "auditor", "parent", 404),
        ((A.PARENT,), "auditor", "anonymous", 404),
        ((A.PARENT,), "auditor", "auditor", 404),
        # One's own account: every host, for every logged-in account.
        ((A.ACCOUNT,), "auditor", "auditor", 200),
        ((A.ACCOUNT,), "platform", "parent", 200),
        ((A.ACCOUNT,), "loket", "anonymous", "login"),
    ],
)
def test_what_a_page_answers(world, outcome, access, host, user, answer):
    visitor = AnonymousUser() if user == "anonymous" else world.users[user]
    assert outcome(access, host, visitor) == answer


def test_an_auditor_page_is_not_found_for_an_auditor_of_a_loket_elsewhere(world, outcome):
    auditor = world.users["auditor"]
    membership_grant(user=auditor, role=Membership.Role.AUDITOR, loket=world.lokets["alpha"])
    assert outcome((A.AUDITOR,), "loket", auditor) == 404


def test_check_access_refuses_anonymous_visitors_without_the_login_page(world):
    with pytest.raises(PermissionDenied):
        check_access(request_to(world, "portal", AnonymousUser()), A.REGION_COORDINATOR)
    check_access(request_to(world, "portal", world.users["coordinator"]), A.REGION_COORDINATOR)


# --- API: HasRole, per method ----------------------------------------------------------------


def api_request(world, host: str, user, method: str) -> SimpleNamespace:
    return SimpleNamespace(method=method, user=user, **host_of(world, host))


@pytest.fixture
def provider_reads():
    return HasRole(A.PROVIDERS_LOKET_STAFF, A.PROVIDER_STAFF.on(*READ_METHODS, "PATCH"))()


@pytest.mark.parametrize(
    ("user", "host", "method", "allowed"),
    [
        ("staff_alpha", "loket", "DELETE", True),
        ("staff_alpha", "loket", "GET", True),
        ("provider_alpha", "loket", "GET", True),
        ("provider_alpha", "loket", "PATCH", True),
        ("provider_alpha", "loket", "PUT", False),
        ("provider_alpha", "loket", "DELETE", False),
        ("staff_beta", "loket", "GET", False),
        ("parent", "loket", "GET", False),
        ("anonymous", "loket", "GET", False),
        ("auditor", "auditor", "GET", False),
    ],
)
def test_has_role_gives_each_access_its_methods(world, provider_reads, user, host, method, allowed):
    visitor = AnonymousUser() if user == "anonymous" else world.users[user]
    request = api_request(world, host, visitor, method)
    assert provider_reads.has_permission(request, view=None) is allowed


def test_has_role_with_open_reads_lets_anyone_read_and_only_the_access_write(world):
    permission = HasRole(A.LOKET_STAFF, open_reads=True)()
    anonymous = AnonymousUser()
    assert permission.has_permission(api_request(world, "loket", anonymous, "GET"), None)
    assert not permission.has_permission(api_request(world, "loket", anonymous, "PATCH"), None)
    staff = world.users["staff_alpha"]
    assert permission.has_permission(api_request(world, "loket", staff, "PATCH"), None)
    assert not permission.has_permission(
        api_request(world, "loket", world.users["staff_beta"], "PATCH"), None
    )


def test_has_role_checks_an_object_grant_on_the_object(world, location):
    alpha = world.lokets["alpha"]
    other = make_location(alpha, name="Kinderdagverblijf Niet Toegekend")
    provider = account(world, "provider_staff", "loket", location=location)
    permission = HasRole(A.LOKET_STAFF, A.PROVIDER_STAFF_OF_OBJECT)()
    request = api_request(world, "loket", provider, "GET")
    assert permission.has_permission(request, None)
    with tenant_context(alpha):
        assert permission.has_object_permission(request, None, location)
        assert not permission.has_object_permission(request, None, other)
