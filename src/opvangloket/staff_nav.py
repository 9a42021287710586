"""The staff navigation: where each role's pages are, as the role table lets it in.

Each item names a URL; whether a user sees it is read from the page's own check
(``role_required`` keeps what it asks for on the view), against the rows of
``ROLE_TABLE`` the user holds on this host (``accesses_held``). So the navigation never
shows a page that would refuse the user, nor hides one that would let them in. A URL
that is not served on this kind of host (the portal has no ``/beheer/``) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shared.accounts.permissions import Access, HostKind, accesses_held, host_kind


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Promise
    # Where the item is shown: a loket's host serves the figures page too, but its staff
    # reach it from their figures dashboard.
    hosts: frozenset[HostKind] = frozenset(HostKind)


@dataclass(frozen=True)
class NavGroup:
    label: Promise
    items: tuple[NavItem, ...]


# In the order of a working day: what waits today, the requests, the places, the figures.
STAFF_NAV: tuple[NavGroup, ...] = (
    NavGroup(
        _("Today"),
        (
            NavItem("staff_home", _("Today's work")),
            NavItem("audit:auditor_lokets", _("Requests and audit trail per loket")),
            NavItem("statistics:figures", _("Figures of the region"), frozenset({HostKind.PORTAL})),
            NavItem("region_team", _("Coordinators"), frozenset({HostKind.PORTAL})),
            NavItem("branding_edit", _("Face of the portal"), frozenset({HostKind.PORTAL})),
        ),
    ),
    NavGroup(
        _("Requests"),
        (
            NavItem("requests:request_list", _("Childcare requests")),
            NavItem("portal:desk_start", _("Register at the desk")),
            NavItem("requests:child_search", _("Find a child")),
            NavItem("requests:duplicate_list", _("Possible duplicates")),
            NavItem("signals:signal_list", _("Signals")),
        ),
    ),
    NavGroup(
        _("Places"),
        (
            NavItem("providers:location_list", _("Locations and free places")),
            NavItem("providers:organizer_list", _("Organizers")),
            NavItem("allocation:queue_overview", _("Waiting lists")),
            NavItem("allocation:overdue", _("Overdue answers")),
            NavItem("allocation:placements_overview", _("Placements and starts")),
            NavItem("allocation:rounds", _("Allocation rounds")),
            NavItem("allocation:exceptions", _("Exceptions")),
        ),
    ),
    NavGroup(
        _("Loket"),
        (
            NavItem("statistics:dashboard", _("Figures")),
            NavItem("audit:audit_trail", _("Audit trail")),
            NavItem("onboarding:import", _("Import")),
            NavItem("loket_contact_edit", _("Contact details")),
            NavItem("loket_retention_edit", _("Retention of personal data")),
            NavItem("loket_transparency_edit", _("What parents see")),
            NavItem("loket_export", _("All data of the loket")),
            NavItem("team", _("Team")),
            NavItem("planning_clients:client_list", _("Planning software")),
            NavItem("branding_edit", _("Face of the loket"), frozenset({HostKind.LOKET})),
        ),
    ),
)


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: Promise
    path: str
    current: str  # "page", "true" (a page below it) or "" (aria-current)


def _served(url_name: str) -> tuple[str, tuple[Access, ...]] | None:
    """The path of ``url_name`` on this host and what its page asks for; None if not here."""
    try:
        path = reverse(url_name)
    except NoReverseMatch:
        return None
    required = getattr(resolve(path).func, "required_access", None)
    return (path, tuple(required)) if required else None


def staff_nav_links(
    *, request: HttpRequest, only_on_staff_pages: bool = True
) -> list[tuple[Promise, list[NavLink]]]:
    """The groups of links the user of ``request`` may open here, the current one marked.

    With ``only_on_staff_pages``, nothing unless the page is one of them or below one
    (``/beheer/…``), so parents' pages cost no query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    loket, region = getattr(request, "loket", None), getattr(request, "region", None)
    kind = host_kind(loket=loket, region=region)
    served = {
        item.url_name: found
        for group in STAFF_NAV
        for item in group.items
        if kind in item.hosts and (found := _served(item.url_name)) is not None
    }
    if only_on_staff_pages and not any(
        request.path.startswith(path) for path, _required in served.values()
    ):
        return []
    held = accesses_held(user=user, loket=loket, region=region)
    match = getattr(request, "resolver_match", None)
    current_name = match.view_name if match else ""
    below = max(
        (path for path, _required in served.values() if request.path.startswith(path)),
        key=len,
        default="",
    )
    groups = []
    for group in STAFF_NAV:
        links = []
        for item in group.items:
            # One URL can stand under two names, one for each kind of host (the face of
            # the portal, the face of the loket): only this host's item is shown.
            if kind not in item.hosts or item.url_name not in served:
                continue
            path, required = served[item.url_name]
            if not held.intersection(required):
                continue
            if item.url_name == current_name:
                current = "page"
            elif path == below and path != request.path:
                current = "true"
            else:
                current = ""
            links.append(NavLink(item.url_name, item.label, path, current))
        if links:
            groups.append((group.label, links))
    return groups
