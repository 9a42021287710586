"""The one table of roles, and the checks that read it: pages, API views and objects.

Who may do what is written once, in ``ROLE_TABLE``: for each ``Access`` the membership
roles that qualify, where the membership must be (the host's loket or the host's
region), on which kinds of host it counts, what a page answers elsewhere, and whether
an object grant (django-guardian, in the loket's schema) is needed as well. Pages use
``role_required``, API views ``HasRole``, code that holds one object
``has_object_access`` / ``check_object_access``, querysets ``objects_granted``; all of
them read the table, so the auditor tenant's rules, for one, are written only here.

A role counts only on its own host: staff of one loket are refused in another, and a
region coordinator only on that region's portal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import wraps
from types import MappingProxyType
from typing import Any, Final, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from guardian.shortcuts import get_objects_for_user
from rest_framework.permissions import SAFE_METHODS, BasePermission

from shared.accounts.models import Membership, User
from shared.lokets.models import Loket, Region

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]

READ_METHODS: Final = frozenset(SAFE_METHODS)


# --- The table -------------------------------------------------------------------------


class HostKind(StrEnum):
    """The kind of host a request came in on (``request.loket``, ``request.region``)."""

    LOKET = "loket"  # a municipal or intermunicipal loket's domain
    AUDITOR = "auditor"  # the auditor tenant's domain: read-only, no providers, no requests
    PORTAL = "portal"  # a region's portal domain (public schema)
    PLATFORM = "platform"  # the platform's base domain (public schema, no region)


class MembershipIn(StrEnum):
    """Where the membership that qualifies must be."""

    LOKET = "loket"  # in the loket of the host
    REGION = "region"  # in the region of the host (its portal)
    NOWHERE = "nowhere"  # no membership: any logged-in account qualifies


class OffHost(Enum):
    """What a page answers on a kind of host where the access does not count."""

    REFUSED = "refused"  # as without the role: the login page first, then 403
    NOT_FOUND = "not_found"  # 404 for everyone, before login: the page is not there
    # 404 for those who hold the role in this loket (the page is not there for them),
    # 403 for everyone else, as on any page they may not open.
    NOT_FOUND_FOR_HOLDERS = "not_found_for_holders"


@dataclass(frozen=True)
class Rule:
    """One row of ``ROLE_TABLE``."""

    roles: frozenset[str]  # membership roles that qualify (none needed for NOWHERE)
    membership_in: MembershipIn
    hosts: frozenset[HostKind]  # the kinds of host where the access counts
    off_host: OffHost = OffHost.REFUSED  # pages only; the API always refuses (403/401)
    # Also needs this django-guardian permission on the object itself ("change": the
    # change permission of the object's model), granted in the loket's own schema.
    object_permission: str | None = None


class Access(StrEnum):
    """What a page or an endpoint asks for: each name is one row of ``ROLE_TABLE``."""

    LOKET_STAFF = "loket_staff"
    PROVIDERS_LOKET_STAFF = "providers_loket_staff"
    PROVIDER_STAFF = "provider_staff"
    PROVIDER_STAFF_OF_OBJECT = "provider_staff_of_object"
    STAFF = "staff"
    AUDITOR = "auditor"
    REGION_COORDINATOR = "region_coordinator"
    PARENT = "parent"
    ACCOUNT = "account"

    def on(self, *methods: str) -> Need:
        """This access for these HTTP methods only (``HasRole``)."""
        return Need(access=self, methods=frozenset(methods))


_Role = Membership.Role
LOKET_HOSTS: Final = frozenset({HostKind.LOKET, HostKind.AUDITOR})
LOKET_OWN_HOSTS: Final = frozenset({HostKind.LOKET})
EVERY_HOST: Final = frozenset(HostKind)
PARENT_HOSTS: Final = EVERY_HOST - {HostKind.AUDITOR}

ROLE_TABLE: Final[Mapping[Access, Rule]] = MappingProxyType(
    {
        # The loket's own work: its requests, figures, audit trail, signals, contact
        # details and the desk. It counts on the auditor tenant's host as well as on a
        # loket's: those endpoints never excluded the auditor tenant, which has no
        # requests (nor loket staff), so nothing shows there. PROVIDERS_LOKET_STAFF is the
        # same role where the auditor tenant is excluded; each endpoint keeps its rule.
        Access.LOKET_STAFF: Rule(
            roles=frozenset({_Role.LOKET_STAFF}),
            membership_in=MembershipIn.LOKET,
            hosts=LOKET_HOSTS,
            off_host=OffHost.NOT_FOUND,
        ),
        # The loket's providers and their allocation (organizers, locations, free places,
        # queues, offers, closing a location). The auditor tenant has no providers: on
        # its host these pages are not there (404, whoever asks) and the API refuses.
        Access.PROVIDERS_LOKET_STAFF: Rule(
            roles=frozenset({_Role.LOKET_STAFF}),
            membership_in=MembershipIn.LOKET,
            hosts=LOKET_OWN_HOSTS,
            off_host=OffHost.NOT_FOUND,
        ),
        # Provider staff, for pages and endpoints that show only the locations granted to
        # them (the list is narrowed with ``objects_granted``).
        Access.PROVIDER_STAFF: Rule(
            roles=frozenset({_Role.PROVIDER_STAFF}),
            membership_in=MembershipIn.LOKET,
            hosts=LOKET_OWN_HOSTS,
            off_host=OffHost.NOT_FOUND,
        ),
        # Provider staff on one location: only with that location's grant.
        Access.PROVIDER_STAFF_OF_OBJECT: Rule(
            roles=frozenset({_Role.PROVIDER_STAFF}),
            membership_in=MembershipIn.LOKET,
            hosts=LOKET_OWN_HOSTS,
            off_host=OffHost.NOT_FOUND,
            object_permission="change",
        ),
        # The staff area's home: every staff role of this loket, on any loket host.
        Access.STAFF: Rule(
            roles=frozenset({_Role.LOKET_STAFF, _Role.PROVIDER_STAFF, _Role.AUDITOR}),
            membership_in=MembershipIn.LOKET,
            hosts=LOKET_HOSTS,
            off_host=OffHost.NOT_FOUND,
        ),
        # Auditors read every loket, from the auditor tenant's host only (where their
        # requests go through the read-only database alias).
        Access.AUDITOR: Rule(
            roles=frozenset({_Role.AUDITOR}),
            membership_in=MembershipIn.LOKET,
            hosts=frozenset({HostKind.AUDITOR}),
            off_host=OffHost.NOT_FOUND_FOR_HOLDERS,
        ),
        # Region coordinators: their region's figures, on its portal.
        Access.REGION_COORDINATOR: Rule(
            roles=frozenset({_Role.REGION_COORDINATOR}),
            membership_in=MembershipIn.REGION,
            hosts=frozenset({HostKind.PORTAL}),
        ),
        # Parents: any logged-in account, on every host but the auditor tenant's: parents
        # neither register nor follow requests there (its pages are not there, 404; the
        # API refuses), and the auditor's read-only connection could not write them.
        Access.PARENT: Rule(
            roles=frozenset(),
            membership_in=MembershipIn.NOWHERE,
            hosts=PARENT_HOSTS,
            off_host=OffHost.NOT_FOUND,
        ),
        # One's own account (the second factor's pages): any logged-in account, on every
        # host, the auditor tenant's included, where auditors set up their second factor.
        Access.ACCOUNT: Rule(
            roles=frozenset(),
            membership_in=MembershipIn.NOWHERE,
            hosts=EVERY_HOST,
        ),
    }
)


# --- Checks ----------------------------------------------------------------------------


def host_kind(*, loket: Loket | None, region: Region | None) -> HostKind:
    """The kind of host of a request with this ``request.loket`` and ``request.region``."""
    if loket is not None:
        return HostKind.AUDITOR if loket.is_auditor else HostKind.LOKET
    return HostKind.PORTAL if region is not None else HostKind.PLATFORM


def _held_roles(
    *, user: User, loket: Loket | None, region: Region | None, rules: Iterable[Rule]
) -> set[tuple[MembershipIn, str]]:
    """The roles of ``rules`` that ``user`` holds in ``loket`` and in ``region``."""
    rules = list(rules)
    held: set[tuple[MembershipIn, str]] = set()
    for place, scope in ((MembershipIn.LOKET, loket), (MembershipIn.REGION, region)):
        roles = {role for rule in rules if rule.membership_in is place for role in rule.roles}
        if scope is None or not roles:
            continue
        memberships = Membership.objects.filter(user=user, role__in=sorted(roles))
        memberships = memberships.filter(**{place.value: scope})
        held |= {(place, role) for role in memberships.values_list("role", flat=True)}
    return held


def _qualifies(rule: Rule, held: set[tuple[MembershipIn, str]]) -> bool:
    if rule.membership_in is MembershipIn.NOWHERE:
        return True
    return any((rule.membership_in, role) in held for role in rule.roles)


def _permission_name(rule: Rule, model: type[Model]) -> str:
    meta = model._meta
    return f"{meta.app_label}.{rule.object_permission}_{meta.model_name}"


def _granted(queryset: QuerySet[M], *, user: User, rules: list[Rule]) -> QuerySet[M]:
    """The objects of ``queryset`` granted to ``user`` by any object permission of ``rules``.

    Grants to the user only: no groups, no global permissions, no superuser shortcut.
    """
    return get_objects_for_user(
        user,
        sorted({_permission_name(rule, queryset.model) for rule in rules}),
        klass=queryset,
        any_perm=True,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def _qualifying_rules(
    access: Iterable[Access], *, user: User, loket: Loket | None, region: Region | None
) -> list[Rule]:
    """The rows of ``access`` that count on this host and whose role ``user`` holds."""
    if not user.is_authenticated:
        return []
    kind = host_kind(loket=loket, region=region)
    rules = [ROLE_TABLE[name] for name in access if kind in ROLE_TABLE[name].hosts]
    held = _held_roles(user=user, loket=loket, region=region, rules=rules)
    return [rule for rule in rules if _qualifies(rule, held)]


def has_access(
    *access: Access,
    user: User,
    loket: Loket | None = None,
    region: Region | None = None,
    obj: Model | None = None,
) -> bool:
    """Whether ``user`` holds any of ``access`` on the host of ``loket`` (or of ``region``'s
    portal, or the base domain when both are None).

    A row that needs an object grant holds only for an ``obj`` granted to the user; call
    it inside ``loket``'s schema then, where the grants are kept.
    """
    for rule in _qualifying_rules(access, user=user, loket=loket, region=region):
        if rule.object_permission is None:
            return True
        if obj is not None:
            objects = type(obj)._default_manager.filter(pk=obj.pk)
            if _granted(objects, user=user, rules=[rule]).exists():
                return True
    return False


def accesses_held(
    *, user: User, loket: Loket | None = None, region: Region | None = None
) -> frozenset[Access]:
    """Every row of ``ROLE_TABLE`` that ``user`` holds on this host without an object grant
    (one query per kind of membership, however many rows): what a navigation asks."""
    names = [name for name, rule in ROLE_TABLE.items() if rule.object_permission is None]
    rules = _qualifying_rules(names, user=user, loket=loket, region=region)
    return frozenset(name for name in names if ROLE_TABLE[name] in rules)


def acting_as_provider(*, actors: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (user id, loket id) pairs, those where the user acts at that loket as
    provider staff only (not loket staff): what a parent's history calls "the location"
    rather than "the loket". One query, however many lokets."""
    actors = set(actors)
    roles: dict[tuple[int, int], set[str]] = {}
    for user_id, loket_id, role in Membership.objects.filter(
        user_id__in={user_id for user_id, _loket in actors},
        loket_id__in={loket_id for _user, loket_id in actors},
    ).values_list("user_id", "loket_id", "role"):
        roles.setdefault((user_id, loket_id), set()).add(role)
    return {
        pair
        for pair, held in roles.items()
        if pair in actors
        and Membership.Role.PROVIDER_STAFF in held
        and Membership.Role.LOKET_STAFF not in held
    }


def has_object_access(*access: Access, user: User, loket: Loket, obj: Model) -> bool:
    """Whether ``user`` may reach ``obj`` of ``loket`` with any of ``access``."""
    return has_access(*access, user=user, loket=loket, obj=obj)


def check_object_access(*access: Access, user: User, loket: Loket, obj: Model) -> None:
    """``has_object_access``, or PermissionDenied: the one check for a single object."""
    if not has_object_access(*access, user=user, loket=loket, obj=obj):
        raise PermissionDenied


def objects_granted(
    queryset: QuerySet[M], *access: Access, user: User, loket: Loket
) -> QuerySet[M]:
    """The objects of ``queryset`` that ``user`` may reach with any of ``access``.

    All of them with a row that needs no object grant (loket staff), the granted ones
    with a row that does (provider staff), none otherwise. Call it inside ``loket``'s
    schema; looking an object up through it answers 404 for any other.
    """
    rules = _qualifying_rules(access, user=user, loket=loket, region=None)
    if not rules:
        return queryset.none()
    if any(rule.object_permission is None for rule in rules):
        return queryset
    return _granted(queryset, user=user, rules=rules)


def request_has_access(request: HttpRequest, *access: Access, obj: Model | None = None) -> bool:
    """``has_access`` for the user and host of ``request``."""
    return has_access(
        *access,
        user=request.user,
        loket=getattr(request, "loket", None),
        region=getattr(request, "region", None),
        obj=obj,
    )


def _holds_role_off_host(request: HttpRequest, access: Iterable[Access]) -> bool:
    """Whether the user holds, in this loket, the role of a row that says
    ``NOT_FOUND_FOR_HOLDERS`` and does not count on this host."""
    if not request.user.is_authenticated:
        return False
    loket, region = getattr(request, "loket", None), getattr(request, "region", None)
    kind = host_kind(loket=loket, region=region)
    rules = [
        ROLE_TABLE[name]
        for name in access
        if ROLE_TABLE[name].off_host is OffHost.NOT_FOUND_FOR_HOLDERS
        and kind not in ROLE_TABLE[name].hosts
    ]
    held = _held_roles(user=request.user, loket=loket, region=region, rules=rules)
    return any(_qualifies(rule, held) for rule in rules)


def check_access(request: HttpRequest, *access: Access) -> None:
    """Raise PermissionDenied unless the user holds one of ``access`` on this host.

    For a check inside a view: anonymous visitors get 403 here, not the login page.
    Http404 instead where a row says ``NOT_FOUND_FOR_HOLDERS`` and the user holds its role.
    """
    if request_has_access(request, *access):
        return
    if _holds_role_off_host(request, access):
        raise Http404
    raise PermissionDenied


def _page_not_here(request: HttpRequest, access: Iterable[Access]) -> bool:
    kind = host_kind(loket=getattr(request, "loket", None), region=getattr(request, "region", None))
    return all(
        kind not in ROLE_TABLE[name].hosts and ROLE_TABLE[name].off_host is OffHost.NOT_FOUND
        for name in access
    )


def role_required(*access: Access) -> Callable[[View], View]:
    """Page decorator: the user must hold one of ``access`` on this host (``ROLE_TABLE``).

    On a kind of host where none of them counts and every row says ``NOT_FOUND``, the page
    is not there: 404, before login. Otherwise anonymous visitors are sent to the login
    page, and a logged-in user without the access (staff of another loket, say) gets 403.
    """
    if not access:
        raise ValueError("role_required needs at least one access")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _page_not_here(request, access):
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check_access(request, *access)
            return view(request, *args, **kwargs)

        # What the page asks for, read by the staff navigation (``opvangloket.staff_nav``):
        # a link is shown exactly to those this check lets in.
        wrapper.required_access = access  # type: ignore[attr-defined]
        return wrapper

    return decorator


# --- API -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """An access an API view asks for, for some HTTP methods or (None) for all."""

    access: Access
    methods: frozenset[str] | None = None

    def applies_to(self, method: str | None) -> bool:
        return self.methods is None or method in self.methods

    def __str__(self) -> str:
        if self.methods is None:
            return self.access.name
        return f"{self.access.name}.on({', '.join(sorted(self.methods))})"


class RolePermission(BasePermission):
    """DRF permission reading ``ROLE_TABLE``; make one with ``HasRole``.

    The request passes when the user holds, on this host, one of the ``needs`` that
    apply to its method; with ``open_reads``, reading is open to anyone (as the view
    allows). A refusal is DRF's: 403, or 401 where an authenticator asks for credentials.
    Rows that need an object grant are checked on the object (``has_object_permission``,
    from the view's ``get_object``); the role alone opens the view.
    """

    needs: tuple[Need, ...] = ()
    open_reads: bool = False

    def _access(self, request: Any) -> list[Access]:
        return [need.access for need in self.needs if need.applies_to(request.method)]

    def has_permission(self, request: Any, view: Any) -> bool:
        if self.open_reads and request.method in SAFE_METHODS:
            return True
        access = self._access(request)
        if not access:
            return False
        loket, region = getattr(request, "loket", None), getattr(request, "region", None)
        return bool(_qualifying_rules(access, user=request.user, loket=loket, region=region))

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if self.open_reads and request.method in SAFE_METHODS:
            return True
        access = self._access(request)
        if not any(ROLE_TABLE[name].object_permission for name in access):
            return True
        return isinstance(obj, Model) and request_has_access(request, *access, obj=obj)


def HasRole(*needs: Access | Need, open_reads: bool = False) -> type[RolePermission]:
    """A ``RolePermission`` for ``permission_classes``; each need an ``Access`` (every
    method) or ``Access.X.on(*methods)``, e.g.
    ``HasRole(Access.PROVIDERS_LOKET_STAFF, Access.PROVIDER_STAFF.on(*READ_METHODS))``.
    """
    resolved = tuple(need if isinstance(need, Need) else Need(access=need) for need in needs)
    name = f"HasRole({', '.join(str(need) for need in resolved)})"
    return type(name, (RolePermission,), {"needs": resolved, "open_reads": open_reads})
