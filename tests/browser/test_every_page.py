"""Every page of every role, on a phone (360 px) and a desktop (1280 px): nothing wider than
the screen, no serious or critical axe-core violation, no heading without text, no server
error, nothing the Content-Security-Policy blocks. Every download of those roles, fetched
with the page's cookies: its type and a file name by one convention. And the wizard from
the keyboard alone, the desk registration through to its receipt (issue 14).

The pages come from the URL confs (opvangloket.urls_tenant for a loket's host and the
auditor host, opvangloket.urls_public for the portal and the base domain): each role
visits the pages it uses, those with an id on real, committed objects. Pages that only
take a POST (publish, revoke, answer a proposal...) are reached through the pages that
hold their forms. Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import APIResponse, Page, expect
from playwright.sync_api import Error as PlaywrightError

from shared.accounts.invitations import invitation_create
from shared.accounts.models import Invitation, Membership
from shared.accounts.services import user_ensure
from shared.lokets.models import OutgoingEmail
from shared.portal.models import RequestDraft
from shared.registry.models import PossibleDuplicate, RegistryEntry
from tenants.allocation import rounds
from tenants.allocation.models import AllocationRound, Placement
from tenants.onboarding.models import ImportKind, ImportRun
from tenants.onboarding.services import import_run, import_start
from tenants.providers.imports import example_csv
from tenants.providers.services import location_delete
from tenants.requests.models import ChildcareRequest
from tests.browser.conftest import SCREENSHOTS
from tests.support.allocation import accept, choice_of, offer, register, round_with_proposal
from tests.support.browser import log_in, passwords_for_the_server
from tests.support.providers import grant_location, make_location, set_free_places
from tests.support.requests import catalogue_entry
from tests.support.world import PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
PORTAL = "testregio.localhost"
LOKET = "alpha.localhost"
AUDITOR = "audit.localhost"
PLATFORM = "localhost"
LOCATION_NAME = "Kinderdagverblijf De Wandeling met een heel lange naam"
OTHER_FAMILY = {
    "guardians": [{"name": "Jan Janssens", "email": "jan@example.be", "phone": "0499 99 99 99"}],
    "contact_email": "jan@example.be",
    "street": "Molenstraat 99",
}


@dataclass
class Walk:
    """What a role's walk found wrong, page by page; asserted once at the end."""

    problems: list[str] = field(default_factory=list)

    def check(self, condition: bool, where: str, what: str) -> None:
        if not condition:
            self.problems.append(f"{where}: {what}")


@pytest.fixture(scope="module")
def committed(django_db_setup, django_db_blocker):
    """One location of alpha (granted to its provider) with two children waiting, one of
    them offered a place; committed so that the served site sees them, removed afterwards."""
    from tests.conftest import _world

    with django_db_blocker.unblock():
        started = timezone.now()
        alpha = _world.lokets["alpha"]
        users = _world.users
        location = make_location(alpha, name=LOCATION_NAME)
        grant_location(alpha, location, users["provider_alpha"])
        offered = register(location, name="Wanda", parent=users["parent"])
        waiting = register(location, name="Wout", parent=users["other_parent"])
        offered_choice = choice_of(offered, alpha, location)
        waiting_choice = choice_of(waiting, alpha, location)
        set_free_places(alpha, location, offered_choice.request.desired_start, "baby", 2)
        made = offer(alpha, offered_choice, users["staff_alpha"])
        (entry,) = offered
        # A child placed (an offer accepted at the desk): the placements and their end date.
        placed = register(location, name="Pim", **OTHER_FAMILY)
        placed_offer = offer(
            alpha,
            choice_of(placed, alpha, location),
            users["staff_alpha"],
            passed_over_reason="Een broer of zus heeft hier al een plaats.",
        )
        placement = accept(alpha, placed_offer, users["staff_alpha"])
        # Another family's Wanda, born the same day: a possible duplicate for loket staff.
        twin = register(location, name="Wanda", **OTHER_FAMILY)
        duplicate = PossibleDuplicate.objects.get(entry__in=twin)
        # An allocation round that proposed places and was closed (rounds off again after).
        closed_round, _proposal = round_with_proposal(alpha, location, users["staff_alpha"])
        with tenant_context(alpha):
            rounds.round_close(
                allocation_round=closed_round, actor=users["staff_alpha"], now=timezone.now()
            )
            rounds.rounds_switch(loket=alpha, on=False, actor=users["staff_alpha"])
            imports = import_runs(alpha, users["staff_alpha"])
            proposed = list(closed_round.proposals.values_list("choice__request_id", flat=True))
        round_entries = list(
            RegistryEntry.objects.filter(loket=alpha, request_id__in=proposed).exclude(
                pk__in=[e.pk for e in offered + waiting + twin + placed]
            )
        )
        connection.set_schema_to_public()
        # An invitation to join alpha's team, as the invited person opens its link.
        last_email = OutgoingEmail.objects.order_by("-id").values_list("id", flat=True).first()
        invitation, invitation_link = invitation_create(
            inviter=users["staff_alpha"],
            email="nieuwe-collega@test.test",
            role=Membership.Role.LOKET_STAFF,
            loket=alpha,
        )
        # The keyboard journey's parent has no child registered yet (no "which child?").
        keyboard_parent = user_ensure(email="keyboard-parent@test.test", password=PASSWORD)
        accounts = [
            users[key]
            for key in ("parent", "staff_alpha", "provider_alpha", "coordinator", "auditor")
        ] + [keyboard_parent]
        with passwords_for_the_server(accounts):
            yield {
                "location": location,
                "listed": catalogue_entry(location).pk,  # its id on the public pages
                "organizer": location.organizer_id,
                "entry": entry,
                "reference": entry.reference,
                "submission": entry.submission,
                "offered_choice": offered_choice,
                "waiting_choice": waiting_choice,
                "offer": made,
                "users": users,
                "keyboard_parent": keyboard_parent,
                "placement": placement.pk,
                "duplicate": duplicate.pk,
                "desk_reference": twin[0].reference,  # a family without an account
                "round": closed_round.pk,
                "imports": imports,
                "invitation_path": urlsplit(invitation_link).path,
                "staff_membership": Membership.objects.get(
                    user=users["provider_alpha"], loket=alpha
                ).pk,
            }
        connection.set_schema_to_public()
        Invitation.objects.filter(pk=invitation.pk).delete()
        OutgoingEmail.objects.filter(id__gt=last_email or 0).delete()
        parent_entries = RegistryEntry.objects.filter(parent__in=[users["parent"], keyboard_parent])
        # The desk journey's family has no account: its entries are the loket's, made here.
        desk_entries = RegistryEntry.objects.filter(
            loket=alpha, parent=None, registered_by_staff=True, registered_at__gte=started
        )
        entries = [
            *parent_entries,
            *desk_entries,
            *waiting,
            *twin,
            *placed,
            *round_entries,
        ]
        RequestDraft.objects.filter(
            owner__in=[users["parent"], users["staff_alpha"], keyboard_parent]
        ).delete()
        for registry_entry in entries:
            with tenant_context(registry_entry.loket):
                Placement.objects.filter(choice__request_id=registry_entry.request_id).delete()
                ChildcareRequest.objects.filter(pk=registry_entry.request_id).delete()
        RegistryEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
        with tenant_context(alpha):
            AllocationRound.objects.filter(pk=closed_round.pk).delete()
            ImportRun.objects.filter(pk__in=imports.values()).delete()
            location_delete(location=location)
        with tenant_context(alpha):  # its object permissions live in the loket's schema
            keyboard_parent.delete()
        connection.set_schema_to_public()


def import_runs(loket, staff) -> dict[str, int]:
    """Two finished imports of locations, only checked: one that would import the example
    file, one refused for a row without a name (the report's table)."""
    good = example_csv(loket=loket)
    header, row = good.splitlines()[:2]
    bad = "\n".join([header, row.replace("Kinderdagverblijf De Kinderkes", "", 1)]) + "\n"
    runs = {}
    expected = {"would_import": ImportRun.Status.DONE, "refused": ImportRun.Status.REFUSED}
    for name, text in (("would_import", good), ("refused", bad)):
        with override_settings(IMPORTS_START_AT_ONCE=False):  # run here, not in a thread
            run = import_start(
                loket=loket,
                kind=ImportKind.LOCATIONS,
                file_name=f"opvanglocaties-{name}.csv",
                content=text.encode(),
                user=staff,
                dry_run=True,
            )
        run = import_run(run=run, loket=loket)
        assert run.status == expected[name], run.report  # the page shows what it is meant to
        runs[name] = run.pk
    return runs


def pages_of(role: str, data: dict) -> list[tuple[str, str]]:
    """(host, path) of every page ``role`` uses; the first ones get a screenshot."""
    location = data["location"].pk
    reference = data["reference"]
    submission = data["submission"]
    waiting = data["waiting_choice"].pk
    offered = data["offered_choice"].pk
    listed = data["listed"]
    public_pages = ["/", "/opvang/", f"/opvang/{listed}/", "/privacy/", "/toegankelijkheid/"]
    if role == "anonymous":
        return [
            *[(PORTAL, path) for path in public_pages],
            (PORTAL, "/opvang/?near=3020&radius_km=5&free_places=on"),
            (PORTAL, "/account/login/"),
            (PORTAL, "/account/signup/"),
            (PORTAL, "/account/password/reset/"),
            (PORTAL, "/cijfers/"),
            *[(LOKET, path) for path in public_pages],
            (LOKET, "/account/login/"),
            (LOKET, data["invitation_path"]),  # the link in an invitation's e-mail
            (PLATFORM, "/"),
            (PLATFORM, "/privacy/"),
            (AUDITOR, "/"),
            (AUDITOR, "/account/login/"),
            (PORTAL, "/bestaat-niet/"),
        ]
    if role == "parent":
        base = f"/mijn-aanvragen/{submission}/"
        entry = data["entry"]
        return [
            (PORTAL, "/mijn-aanvragen/"),
            (PORTAL, base),
            (PORTAL, "/aanvraag/nieuw/"),
            (PORTAL, "/opvang/"),
            (PORTAL, f"{base}startdatum/"),
            (PORTAL, f"{base}opvangplan/"),
            (PORTAL, f"{base}locaties/"),
            (PORTAL, f"{base}locaties/{entry.pk}/{offered}/verwijderen/"),
            (PORTAL, f"{base}intrekken/"),
            (PORTAL, f"{base}kind/"),
            (PORTAL, f"/mijn-aanvragen/aanbod/{data['offer'].public_id}/aanvaarden/"),
            (PORTAL, f"/mijn-aanvragen/aanbod/{data['offer'].public_id}/weigeren/"),
            (PORTAL, "/mijn-aanvragen/mijn-gegevens/"),
            (PORTAL, "/mijn-aanvragen/mijn-gegevens/account-wissen/"),
            (PORTAL, "/mijn-aanvragen/koppelen/"),
            (PORTAL, "/account/email/"),
            (PORTAL, "/account/password/change/"),
            (PORTAL, "/"),
            (PORTAL, f"/opvang/{listed}/"),
        ]
    if role == "loket_staff":
        place = f"/beheer/opvang/locaties/{location}/"
        request = f"/beheer/aanvragen/{reference}/"
        organizer = data["organizer"]
        return [
            (LOKET, "/beheer/"),
            (LOKET, "/beheer/aanvragen/"),
            (LOKET, request),
            (LOKET, f"/beheer/wachtlijst/{location}/"),
            (LOKET, "/beheer/opvang/"),
            (LOKET, place),
            (LOKET, "/beheer/cijfers/overzicht/"),
            (LOKET, "/beheer/aanvraag/nieuw/"),
            (LOKET, "/beheer/gegevens/"),
            (LOKET, "/beheer/bewaartermijn/"),
            (LOKET, "/beheer/transparantie/"),
            (LOKET, "/beheer/export/"),
            (LOKET, "/beheer/opvang/locaties/nieuw/"),
            (LOKET, f"{place}bewerken/"),
            (LOKET, f"{place}verwijderen/"),
            (LOKET, f"{place}vrije-plaatsen/"),
            (LOKET, f"{place}bezetting/"),
            (LOKET, f"{place}sluiten/"),
            (LOKET, "/beheer/opvang/organisatoren/"),
            (LOKET, "/beheer/opvang/organisatoren/nieuw/"),
            (LOKET, f"/beheer/opvang/organisatoren/{organizer}/bewerken/"),
            (LOKET, f"/beheer/opvang/organisatoren/{organizer}/verwijderen/"),
            (LOKET, "/beheer/opvang/import/"),
            (LOKET, f"{request}ontvangstbewijs/"),
            (LOKET, f"{request}gegevens-wissen/"),
            (LOKET, f"{request}ander-kind/"),
            (LOKET, "/beheer/kind-zoeken/"),
            (LOKET, "/beheer/kind-zoeken/?q=Wanda"),
            (LOKET, "/beheer/dubbels/"),
            (LOKET, "/beheer/wachtlijst/"),
            (LOKET, "/beheer/wachtlijst/uitzonderingen/"),
            (LOKET, "/beheer/wachtlijst/achterstand/"),
            (LOKET, f"/beheer/wachtlijst/{location}/{waiting}/aanbod/"),
            (LOKET, f"/beheer/wachtlijst/{location}/{offered}/aanbod-intrekken/"),
            (LOKET, f"/beheer/wachtlijst/{location}/{waiting}/geen-plaats/"),
            (LOKET, f"/beheer/wachtlijst/{location}/{waiting}/andere-datum/"),
            (LOKET, "/beheer/plaatsingen/"),
            (LOKET, f"/beheer/plaatsingen/{location}/"),
            (LOKET, f"/beheer/plaatsingen/{location}/{data['placement']}/einddatum/"),
            (LOKET, "/beheer/rondes/"),
            (LOKET, "/beheer/rondes/voorstellen/"),
            (LOKET, "/beheer/cijfers/"),
            (LOKET, "/beheer/cijfers/verantwoording/"),
            (LOKET, "/beheer/audit/"),
            (LOKET, "/beheer/import/"),
            (LOKET, f"/beheer/import/{data['imports']['would_import']}/"),
            (LOKET, f"/beheer/import/{data['imports']['refused']}/"),
            (LOKET, f"/beheer/dubbels/{data['duplicate']}/"),
            (LOKET, f"/beheer/rondes/{data['round']}/"),
            (LOKET, "/beheer/signalen/"),
            (LOKET, "/beheer/team/"),
            (LOKET, f"/beheer/team/{data['staff_membership']}/locaties/"),
            (LOKET, "/beheer/koppelingen/"),
            (LOKET, "/beheer/huisstijl/"),
            (LOKET, "/account/2fa/"),
        ]
    if role == "provider_staff":
        place = f"/beheer/opvang/locaties/{location}/"
        return [
            (LOKET, "/beheer/"),
            (LOKET, f"/beheer/wachtlijst/{location}/"),
            (LOKET, "/beheer/opvang/"),
            (LOKET, place),
            (LOKET, f"{place}vrije-plaatsen/"),
            (LOKET, f"{place}bezetting/"),
            (LOKET, "/beheer/wachtlijst/"),
            (LOKET, f"/beheer/wachtlijst/{location}/{waiting}/aanbod/"),
            (LOKET, "/beheer/plaatsingen/"),
            (LOKET, f"/beheer/plaatsingen/{location}/"),
        ]
    if role == "coordinator":
        return [
            (PORTAL, "/cijfers/"),
            (PORTAL, "/"),
            (PORTAL, "/coordinatie/team/"),
            (PORTAL, "/beheer/huisstijl/"),
        ]
    if role == "auditor":
        return [
            (AUDITOR, "/controle/"),
            (AUDITOR, "/controle/alpha/aanvragen/"),
            (AUDITOR, "/controle/alpha/audit/"),
            (AUDITOR, "/"),
        ]
    raise AssertionError(role)


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
JSON = "application/json"
ZIP = "application/zip"


def downloads_of(role: str, data: dict) -> list[tuple[str, str, str]]:
    """(host, path, content type) of every file ``role`` downloads; the loket's export is
    a POST from its page (it is recorded), the others are links."""
    reference = data["reference"]
    if role == "parent":
        receipt = f"/mijn-aanvragen/{data['submission']}/ontvangstbewijs/{data['entry'].pk}.pdf"
        return [
            (PORTAL, "/mijn-aanvragen/mijn-gegevens/download.json", JSON),
            (PORTAL, "/mijn-aanvragen/mijn-gegevens/download.pdf", PDF),
            (PORTAL, receipt, PDF),
        ]
    if role == "loket_staff":
        desk = data["desk_reference"]
        return [
            (LOKET, "/beheer/cijfers/export.csv", CSV),
            (LOKET, "/beheer/cijfers/export.csv?table=why_no_offer", CSV),
            (LOKET, "/beheer/cijfers/export.xlsx", XLSX),
            (LOKET, "/beheer/signalen/export.csv", CSV),
            (LOKET, "/beheer/opvang/import/voorbeeld.csv", CSV),
            (LOKET, f"/beheer/aanvragen/{reference}/ontvangstbewijs.pdf", PDF),
            (LOKET, f"/beheer/aanvragen/{desk}/gegevens.json", JSON),
            (LOKET, f"/beheer/aanvragen/{desk}/gegevens.pdf", PDF),
            (LOKET, "/beheer/export/", ZIP),
        ]
    if role == "coordinator":
        return [
            (PORTAL, "/cijfers/export.csv", CSV),
            (PORTAL, "/cijfers/export.csv?table=lokets", CSV),
            (PORTAL, "/cijfers/export.xlsx", XLSX),
        ]
    return []


# One convention for every file name (src/opvangloket/downloads.py): what, whose and when,
# lower case, e.g. cijfers-loket-alpha-20260101-20261231.csv or
# ontvangstbewijs-alp-2026-00001-20261203.pdf.
FILE_NAME = re.compile(
    r'^attachment; filename="(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)+?'
    r'-(?P<first>\d{8})(?:-(?P<last>\d{8}))?\.(?P<ext>[a-z]+))"$'
)
EXTENSIONS = {CSV: "csv", XLSX: "xlsx", PDF: "pdf", JSON: "json", ZIP: "zip"}


def fetch(page: Page, url: str, *, form: dict | None = None) -> APIResponse:
    """``url`` fetched by ``page.request`` with the page's cookies for it, not shown in the
    page; a redirect is answered as it is (it is no file).

    Node (which sends page.request) does not resolve *.localhost as Chromium does: the
    request goes to 127.0.0.1 with the host and the cookies of ``url`` in its headers."""
    parts = urlsplit(url)
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies(url))
    headers = {"Host": parts.netloc, "Cookie": cookies, "Referer": url}
    direct = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))
    if form is None:
        return page.request.get(direct, headers=headers, max_redirects=0)
    return page.request.post(direct, headers=headers, form=form, max_redirects=0)


def check_downloads(page: Page, walk: Walk, served_site, role: str, data: dict) -> list[str]:
    """Fetch each file with the page's cookies: 200, its type, an attachment named by the
    convention. Returns the file names."""
    names = []
    today = f"{timezone.localdate():%Y%m%d}"
    for host, path, content_type in downloads_of(role, data):
        url = served_site.url(host) + path
        if content_type == ZIP:  # a POST with the form's CSRF token, as the button sends it
            page.goto(url)
            token = page.locator("main form input[name=csrfmiddlewaretoken]").input_value()
            response = fetch(page, url, form={"csrfmiddlewaretoken": token})
        else:
            response = fetch(page, url)
        walk.check(response.status == 200, url, f"download answered HTTP {response.status}")
        if response.status != 200:
            continue
        headers = response.headers
        walk.check(
            headers.get("content-type") == content_type,
            url,
            f"content type {headers.get('content-type')!r}, not {content_type!r}",
        )
        disposition = headers.get("content-disposition", "")
        named = FILE_NAME.match(disposition)
        walk.check(named is not None, url, f"file name off the convention: {disposition!r}")
        body = response.body()
        walk.check(len(body) > 0, url, "an empty file")
        if content_type == CSV:
            walk.check(body.startswith("\ufeff".encode()), url, "a CSV without byte order mark")
            first_line = body.decode("utf-8-sig").splitlines()[0]
            walk.check(";" in first_line, url, f"a CSV not separated by ';': {first_line!r}")
        if named is None:
            continue
        names.append(named["name"])
        walk.check(named["ext"] == EXTENSIONS[content_type], url, f"named {named['name']}")
        if named["last"] is None:  # a copy of what there is today, not a period's figures
            walk.check(named["first"] == today, url, f"not dated today: {named['name']}")
    return names


LOGINS = {
    "parent": ("parent", PORTAL, "/mijn-aanvragen/"),
    "loket_staff": ("staff_alpha", LOKET, "/beheer/"),
    "provider_staff": ("provider_alpha", LOKET, "/beheer/"),
    "coordinator": ("coordinator", PORTAL, "/cijfers/"),
    "auditor": ("auditor", AUDITOR, "/controle/"),
}
SCREENSHOTS_PER_ROLE = 4
# The page lays itself out again after a resize; axe reads the result.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const nodes = v.nodes.slice(0, 3).map((n) => n.target.join(" "));
      return `${v.impact} ${v.id}: ${nodes.join(" | ")}`;
    });
}"""
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .filter((el) => el.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return `${document.documentElement.scrollWidth}px wide: ${wide.join(", ")}`;
}"""
# One row on a desktop: every item of the header's row shares its vertical middle.
# A heading with nothing to read (an empty h1..h3, or one of only an image without text).
EMPTY_HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3")]
  .filter((h) => !h.textContent.trim()
    && ![...h.querySelectorAll("img[alt]")].some((img) => img.alt.trim()))
  .map((h) => h.tagName.toLowerCase() + (h.id ? "#" + h.id : ""))"""
HEADER_ON_ONE_ROW = """() => {
  const items = [...document.querySelectorAll(".header-row > .brand, .nav > li, .language-switch")];
  const middles = items.map((el) => {
    const box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  });
  return Math.max(...middles) - Math.min(...middles) < 12;
}"""


def check_page(page: Page, walk: Walk, where: str, *, logged_in: bool) -> None:
    overflow = page.evaluate(OVERFLOW)
    walk.check(overflow is None, where, f"sideways scrolling ({overflow})")
    for violation in page.evaluate(AXE_RUN):
        walk.problems.append(f"{where}: axe {violation}")
    if page.viewport_size == PHONE:  # the same markup at every width
        empty = page.evaluate(EMPTY_HEADINGS)
        walk.check(not empty, where, f"empty headings: {', '.join(empty)}")
    if logged_in and page.viewport_size == DESKTOP:
        walk.check(page.evaluate(HEADER_ON_ONE_ROW), where, "the header wraps onto two rows")


def assert_page_is_fine(page: Page, where: str) -> None:
    """The walk's checks on the page at hand (the wizard's steps need a draft to exist)."""
    walk = Walk()
    page.evaluate(AXE.read_text() + "\n;0")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        check_page(page, walk, f"{where} @{viewport['width']}", logged_in=True)
    page.set_viewport_size(PHONE)
    assert not walk.problems, "\n".join(walk.problems)


def walk_pages(page: Page, served_site, role: str, pages: list[tuple[str, str]]) -> Walk:
    walk = Walk()
    axe_source = AXE.read_text()
    errors: list[str] = []
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 500 else None
        ),
    )
    for index, (host, path) in enumerate(pages):
        url = served_site.url(host) + path
        page.set_viewport_size(PHONE)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a download, or no page at all
            walk.problems.append(f"{url}: {error.message.splitlines()[0]}")
            continue
        status = response.status if response else 0
        expected = 404 if path == "/bestaat-niet/" else None
        walk.check(
            status == expected if expected else status < 400,
            url,
            f"answered HTTP {status}",
        )
        # The script is evaluated by the browser's tools, not injected as a <script>: the
        # page's own Content-Security-Policy stays in force and is checked as it is.
        page.evaluate(axe_source + "\n;0")  # ;0: the value sent back is a number, not axe
        stable = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "request", path)  # no uuids in names
        name = re.sub(r"[^\w]+", "_", f"{role}_{host}{stable}").strip("_")
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            check_page(page, walk, f"{url} @{viewport['width']}", logged_in=role != "anonymous")
            if index < SCREENSHOTS_PER_ROLE:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                shot = SCREENSHOTS / f"every_page_{name}_{viewport['width']}.png"
                page.screenshot(path=str(shot), full_page=True)
    walk.problems.extend(f"server error: {error}" for error in errors)
    return walk


@pytest.mark.parametrize(
    "role", ["anonymous", "parent", "loket_staff", "provider_staff", "coordinator", "auditor"]
)
def test_every_page_fits_a_phone_and_passes_axe(page: Page, served_site, committed, role):
    if role != "anonymous":
        key, host, landing = LOGINS[role]
        log_in(page, served_site.url(host), committed["users"][key].email, landing)
    walk = walk_pages(page, served_site, role, pages_of(role, committed))
    names = check_downloads(page, walk, served_site, role, committed)
    walk.check(len(set(names)) == len(names), role, f"two downloads share a file name: {names}")
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)


def test_the_menu_opens_from_the_keyboard_on_a_phone(page: Page, served_site, committed):
    page.set_viewport_size(PHONE)
    page.goto(served_site.url(PORTAL) + "/")
    login_link = page.locator("header a[href^='/account/login/']")
    expect(login_link).to_be_hidden()
    tab_to(page, "summary.site-menu-toggle")
    page.keyboard.press("Enter")
    expect(login_link).to_be_visible()
    tab_to(page, "header a[href^='/account/login/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    # On a desktop the menu is simply there, no button to press.
    page.set_viewport_size(DESKTOP)
    expect(page.locator("summary.site-menu-toggle")).to_be_hidden()
    expect(page.locator("header a[href^='/account/signup/']")).to_be_visible()


def test_on_a_phone_the_results_come_first_and_the_filters_wait_behind_one_button(
    page: Page, served_site, committed
):
    page.set_viewport_size(PHONE)
    page.goto(served_site.url(PORTAL) + "/opvang/?near=3020&free_places=on")
    toggle = page.locator("details.search-filters > summary")
    expect(toggle).to_have_text("Filters (2 actief)")
    expect(page.locator("#id_near")).to_be_hidden()
    results = page.locator(".result-list").bounding_box()
    assert results["y"] < PHONE["height"], "the first result is below the first screen"
    toggle.click()
    expect(page.locator("#id_near")).to_have_value("3020")
    page.set_viewport_size(DESKTOP)
    page.goto(served_site.url(PORTAL) + "/opvang/")
    expect(toggle).to_be_hidden()
    expect(page.locator("#id_near")).to_be_visible()


# Whatever of ``selector`` lies (partly) outside the screen, or has its text cut off.
OUT_OF_VIEW = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth
    || el.getBoundingClientRect().left < 0 || el.scrollWidth > el.clientWidth + 1)
  .map((el) => `${el.textContent.trim()} (${Math.round(el.getBoundingClientRect().right)}px)`)"""


def test_on_a_phone_the_waiting_list_shows_every_action_and_the_staff_menu_waits(
    page: Page, served_site, committed
):
    """At 360 px the rows of the waiting list are cards: every action in the screen, no
    scrolling sideways; the staff pages sit behind one button, the heading near the top."""
    origin = served_site.url(LOKET)
    page.set_viewport_size(PHONE)
    log_in(page, origin, committed["users"]["provider_alpha"].email, "/beheer/")
    page.goto(f"{origin}/beheer/wachtlijst/{committed['location'].pk}/")
    actions = page.locator("table.queue .row-actions a")
    expect(actions.first).to_be_visible()
    assert actions.count() >= 3
    for index in range(actions.count()):
        box = actions.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"{actions.nth(index).inner_text()} at {box}"
        )
    assert not page.evaluate(OUT_OF_VIEW, "table.queue caption, table.queue .row-actions a")
    # Each cell says which column it is.
    expect(
        page.locator(f"#choice-{committed['waiting_choice'].pk} td.reference")
    ).to_have_attribute("data-label", "Referentie")
    heading = page.locator("main h1").bounding_box()
    assert heading["y"] < 300, f"the staff menu pushes the heading down to {heading['y']}px"
    # The staff pages: behind one button, opened from the keyboard.
    staff_link = page.locator(".staff-nav a[href='/beheer/plaatsingen/']")
    expect(staff_link).to_be_hidden()
    tab_to(page, "summary.staff-menu-toggle")
    page.keyboard.press("Enter")
    expect(staff_link).to_be_visible()
    tab_to(page, ".staff-nav a[href='/beheer/plaatsingen/']")
    # On a desktop the menu is simply open and the waiting list a table again.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{origin}/beheer/wachtlijst/{committed['location'].pk}/")
    expect(page.locator("summary.staff-menu-toggle")).to_be_hidden()
    expect(staff_link).to_be_visible()
    assert page.locator("table.queue thead").bounding_box()["height"] > 1


def test_on_a_phone_the_request_lists_and_the_drafts_fit(page: Page, served_site, committed):
    """Loket staff's requests, the auditor's and a parent's drafts: at 360 px every row's
    cells and buttons are in the screen, none cut off."""
    page.set_viewport_size(PHONE)
    loket = served_site.url(LOKET)
    log_in(page, loket, committed["users"]["staff_alpha"].email, "/beheer/")
    page.goto(f"{loket}/beheer/aanvragen/")
    expect(page.locator("table.request-table tbody th a").first).to_be_visible()
    assert not page.evaluate(OUT_OF_VIEW, "table.request-table tbody > tr > *")

    page.context.clear_cookies()
    auditor = served_site.url(AUDITOR)
    log_in(page, auditor, committed["users"]["auditor"].email, "/controle/")
    page.goto(f"{auditor}/controle/alpha/aanvragen/")
    expect(page.locator("table.request-table tbody th").first).to_be_visible()
    assert not page.evaluate(OUT_OF_VIEW, "table.request-table tbody > tr > *")

    page.context.clear_cookies()
    portal = served_site.url(PORTAL)
    log_in(page, portal, committed["users"]["parent"].email, "/aanvraag/nieuw/")
    with page.expect_navigation():
        page.locator("main form.wizard-actions button[type=submit]").click()
    page.goto(f"{portal}/aanvraag/nieuw/")
    buttons = page.locator("table.drafts .row-actions .button")
    expect(buttons.first).to_be_visible()
    assert not page.evaluate(OUT_OF_VIEW, "table.drafts .row-actions .button")
    expect(buttons.nth(0)).to_contain_text("Verdergaan")
    expect(buttons.nth(1)).to_contain_text("Verwijderen")
    # Deleting asks first; only "Yes" deletes.
    with page.expect_navigation():
        buttons.nth(1).click()
    expect(page).to_have_url(re.compile(r"/aanvraag/\d+/verwijderen/$"))
    with page.expect_navigation():
        page.locator("form.draft-delete button[type=submit]").click()
    expect(page.locator(".message")).to_be_visible()


def test_on_a_phone_the_figures_tables_scroll_under_a_caption_in_view(
    page: Page, served_site, committed
):
    """The coordinator's figures stay true tables, scrolling in their own region; what
    names them (a visible caption) is never cut off by the scrolling."""
    page.set_viewport_size(PHONE)
    portal = served_site.url(PORTAL)
    log_in(page, portal, committed["users"]["coordinator"].email, "/cijfers/")
    expect(page.locator("table.per-loket")).to_be_attached()
    assert page.locator(".table-scroll > table > caption:not(.visually-hidden)").count() >= 2
    for region in page.locator(".table-scroll").all():
        region.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert not page.evaluate(OUT_OF_VIEW, ".table-scroll > table > caption:not(.visually-hidden)")


# --- The wizard from the keyboard ----------------------------------------------------------


def tab_to(page: Page, selector: str, presses: int = 120) -> None:
    """Press Tab until ``selector`` has the focus (the way a keyboard user gets there)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def press_and_wait(page: Page, key: str = "Enter") -> None:
    """Press a key that sends a form, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_a_parent_registers_with_the_keyboard_alone(page: Page, served_site, committed):
    today = timezone.localdate()
    born = today - timedelta(days=100)
    start = today + timedelta(days=40)
    origin = served_site.url(PORTAL)
    page.set_viewport_size(PHONE)
    page.goto(f"{origin}/account/login/?next=/aanvraag/nieuw/")
    type_into(page, "#id_login", committed["keyboard_parent"].email)
    type_into(page, "#id_password", PASSWORD)
    press_and_wait(page)
    expect(page).to_have_url(f"{origin}/aanvraag/nieuw/")
    tab_to(page, "main form.wizard-actions button[type=submit]")
    press_and_wait(page)

    # Child: a date field takes its parts typed in a row, in the order of the browser's
    # own language (Debian's Chromium: month, day, year).
    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("1.")
    assert_page_is_fine(page, "the child step")
    type_into(page, "#id_first_name", "Kiki")
    type_into(page, "#id_last_name", "Toetsenbord")
    type_into(page, "#id_birth_date", f"{born:%m%d%Y}")
    expect(page.locator("#id_birth_date")).to_have_value(born.isoformat())
    press_and_wait(page)

    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("2.")
    assert_page_is_fine(page, "the family step")
    type_into(page, "#id_guardian_1_name", "Sara Toetsenbord")
    type_into(page, "#id_street", "Kerkstraat 4")
    type_into(page, "#id_postcode", "3020")
    type_into(page, "#id_residence", "Herent")  # a closed select picks what is typed
    tab_to(page, "form.wizard-form button[type=submit]")
    press_and_wait(page)

    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("3.")
    assert_page_is_fine(page, "the need step")
    type_into(page, "#id_desired_start", f"{start:%m%d%Y}")
    expect(page.locator("#id_desired_start")).to_have_value(start.isoformat())
    for value in ("mon_am", "mon_pm"):
        tab_to(page, f"input[name=care_plan][value={value}]")
        page.keyboard.press("Space")
    expect(page.locator("input[name=care_plan][value=mon_pm]")).to_be_checked()
    tab_to(page, "form.wizard-form button[type=submit]")
    press_and_wait(page)

    # Choices: add from the results, and the page comes back at the same result.
    location = committed["listed"]
    card = page.locator(f"#result-{location}")
    expect(card).to_be_visible()
    assert_page_is_fine(page, "the choices step")
    tab_to(page, f"#result-{location} form button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(re.compile(rf"/locaties/\?.*#result-{location}$"))
    expect(page.locator(".chosen-name")).to_have_text([LOCATION_NAME])
    assert page.evaluate("() => window.scrollY") > 0, "the page did not keep the parent's place"
    tab_to(page, "#your-choices button[value=next]")
    press_and_wait(page)

    assert_page_is_fine(page, "the priority step")
    tab_to(page, "form.wizard-form button[type=submit]")  # priority: nothing applies
    press_and_wait(page)
    assert_page_is_fine(page, "the last step")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "form.wizard-form button[type=submit]")
    press_and_wait(page)

    expect(page).to_have_url(re.compile(r"/aanvraag/\d+/overzicht/$"))
    expect(page.locator("main")).to_contain_text("Kiki")
    assert_page_is_fine(page, "the review")
    tab_to(page, "form.submit-form button[type=submit]")
    press_and_wait(page)
    expect(page).to_have_url(f"{origin}/aanvraag/ingediend/")
    expect(page.locator("td.reference strong")).to_have_text(re.compile(r"^ALP-\d{4}-\d{5}$"))
    assert_page_is_fine(page, "the confirmation")


# --- The desk registration, step by step to its receipt --------------------------------------


def test_the_desk_registration_passes_the_checks_through_to_its_receipt(
    page: Page, served_site, committed
):
    """Loket staff register a family without an account at the desk: every step, the
    confirmation, the receipt page and its PDF pass the walk's checks."""
    today = timezone.localdate()
    origin = served_site.url(LOKET)
    page.set_viewport_size(PHONE)
    # The start page is in the walk of loket staff; the steps need a draft.
    log_in(page, origin, committed["users"]["staff_alpha"].email, "/beheer/aanvraag/nieuw/")
    page.locator("main form.wizard-actions button[type=submit]").click()

    def save_step() -> None:
        with page.expect_navigation():
            page.locator("form.wizard-form button[type=submit]").click()

    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("1.")
    page.locator("#id_first_name").fill("Bram")
    page.locator("#id_last_name").fill("Baliebezoek")
    page.locator("#id_birth_date").fill((today - timedelta(days=80)).isoformat())
    assert_page_is_fine(page, "the desk's child step")
    save_step()

    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("2.")
    page.locator("#id_guardian_1_name").fill("Mira Baliebezoek")
    page.locator("#id_guardian_1_phone").fill("0470 11 22 33")  # no e-mail: a phone then
    page.locator("#id_street").fill("Stationsstraat 12")
    page.locator("#id_postcode").fill("3020")
    page.locator("#id_residence").select_option("24038")
    assert_page_is_fine(page, "the desk's family step")
    save_step()

    expect(page.locator('.wizard-steps [aria-current="step"]')).to_contain_text("3.")
    page.locator("#id_desired_start").fill((today + timedelta(days=50)).isoformat())
    for value in ("tue_am", "tue_pm"):
        page.locator(f"input[name=care_plan][value={value}]").check()
    assert_page_is_fine(page, "the desk's need step")
    save_step()

    card = page.locator(f"#result-{committed['listed']}")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    expect(page.locator(".chosen-name")).to_have_text([LOCATION_NAME])
    assert_page_is_fine(page, "the desk's choices step")
    with page.expect_navigation():
        page.locator("#your-choices button[value=next]").click()

    assert_page_is_fine(page, "the desk's priority step")
    save_step()
    assert_page_is_fine(page, "the desk's remarks step")
    page.locator("#id_consent").check()
    save_step()

    expect(page).to_have_url(re.compile(r"/beheer/aanvraag/\d+/overzicht/$"))
    expect(page.locator("main")).to_contain_text("Baliebezoek")
    assert_page_is_fine(page, "the desk's review")
    with page.expect_navigation():
        page.locator("form.submit-form button[type=submit]").click()

    expect(page).to_have_url(f"{origin}/beheer/aanvraag/ingediend/")
    reference = page.locator("td.reference strong").inner_text()
    assert re.fullmatch(r"ALP-\d{4}-\d{5}", reference)
    assert_page_is_fine(page, "the desk's confirmation")
    with page.expect_navigation():
        page.get_by_role("link", name="Ontvangstbewijs afdrukken").click()
    expect(page).to_have_url(f"{origin}/beheer/aanvragen/{reference}/ontvangstbewijs/")
    expect(page.locator("main")).to_contain_text(reference)
    assert_page_is_fine(page, "the receipt")
    pdf = fetch(page, f"{origin}/beheer/aanvragen/{reference}/ontvangstbewijs.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == PDF
    assert FILE_NAME.match(pdf.headers["content-disposition"])
    assert pdf.body().startswith(b"%PDF-")
