"""The request wizard (register once): parents on any host, loket staff at their desk.

Parents (logged in) register their own request on a loket's host or on a region's portal
(``/aanvraag/…``); loket staff register on behalf of a parent at the desk or on the phone,
on their own loket's host (``/beheer/aanvraag/…``). Every step saves the draft, encrypted
(``shared.portal.drafts``); the review step checks the request with the rules of
``request_submit`` and registers it there.

Which child: a parent whose family registered children before says on the child step
which one it is, or that it is another child; unborn multiples get one request each. At
the desk the family is not known on that step: only a child staff started from
(``/beheer/aanvraag/nieuw/?kind=<child public id>``) is offered, and linked.

Desk registrations are made with ``parent=None``, also when an account with the given
e-mail address exists: an address typed at the desk proves nothing about who holds that
account, and one typo would show a child's data to a stranger. The parent links the
request to their account by claiming it (``RegistryEntry.claim_email_key``), which proves
that they own the address. ``registered_by`` is the staff member.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shared.accounts.permissions import Access, role_required
from shared.catalogue.forms import CatalogueSearchForm
from shared.catalogue.models import CatalogueLocation
from shared.catalogue.selectors import catalogue_location_detail, search_catalogue
from shared.catalogue.vocabulary import Weekday
from shared.lokets.selectors import municipalities_served
from shared.portal import drafts
from shared.portal.drafts import DESK, FORM_STEPS, PARENT, STEPS, Draft
from shared.portal.forms import FIELD_STEPS, STEP_FORMS, known_child_label, step_context
from shared.portal.models import RequestDraft
from shared.portal.selectors import FamilyChild, family_children_of, registered_child_id
from tenants.requests.claim_codes import desk_claim_codes_issue
from tenants.requests.family import confirmation_address
from tenants.requests.receipts import receipt_codes_remember, references_of_this_loket
from tenants.requests.rules import age_warnings, rule_errors
from tenants.requests.services import (
    RequestData,
    open_registrations_of_child,
    request_data_errors,
    request_submit,
)
from tenants.requests.submission_emails import registered_requests

# Dutch paths, English names in code.
STEP_SLUGS = {
    "child": "kind",
    "family": "gezin",
    "need": "planning",
    "choices": "locaties",
    "priority": "voorrang",
    "remarks": "opmerkingen",
    "review": "overzicht",
}
STEP_BY_SLUG = {slug: step for step, slug in STEP_SLUGS.items()}
STEP_TITLES = {
    "child": gettext_lazy("Child"),
    "family": gettext_lazy("Family"),
    "need": gettext_lazy("Care needed"),
    "choices": gettext_lazy("Locations"),
    "priority": gettext_lazy("Priority"),
    "remarks": gettext_lazy("Remarks and consent"),
    "review": gettext_lazy("Check and send"),
}
CONFIRMATION_SESSION_KEY = "registry_wizard_confirmation"
FOLLOW_UP_PATH = "/mijn-aanvragen/"  # the parent's follow-up pages
RESULTS_PER_PAGE = 10


@dataclass(frozen=True)
class Mode:
    name: str  # drafts.PARENT or drafts.DESK
    url_prefix: str

    def url(self, view: str, *args: Any) -> str:
        return reverse(f"portal:{self.url_prefix}_{view}", args=args)

    @property
    def is_desk(self) -> bool:
        return self.name == DESK


PARENT_MODE = Mode(PARENT, "wizard")
DESK_MODE = Mode(DESK, "desk")


# --- Entry points (one per mode) ---------------------------------------------------------


@role_required(Access.PARENT)
def start(request: HttpRequest) -> HttpResponse:
    return _start(request, PARENT_MODE)


@role_required(Access.PARENT)
def resume(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        return _resume(request, PARENT_MODE, draft_id)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.PARENT)
def step(request: HttpRequest, draft_id: int, slug: str) -> HttpResponse:
    try:
        return _step(request, PARENT_MODE, draft_id, slug)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.PARENT)
def delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        return _delete(request, PARENT_MODE, draft_id)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.PARENT)
def done(request: HttpRequest) -> HttpResponse:
    return _done(request, PARENT_MODE)


# The desk is loket staff's, on their own loket's host; a portal has no desk at all (404).
@role_required(Access.LOKET_STAFF)
def desk_start(request: HttpRequest) -> HttpResponse:
    return _start(request, DESK_MODE)


@role_required(Access.LOKET_STAFF)
def desk_resume(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        return _resume(request, DESK_MODE, draft_id)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.LOKET_STAFF)
def desk_step(request: HttpRequest, draft_id: int, slug: str) -> HttpResponse:
    try:
        return _step(request, DESK_MODE, draft_id, slug)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.LOKET_STAFF)
def desk_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    try:
        return _delete(request, DESK_MODE, draft_id)
    except DraftGone as gone:
        return _draft_gone(request, gone)


@role_required(Access.LOKET_STAFF)
def desk_done(request: HttpRequest) -> HttpResponse:
    return _done(request, DESK_MODE)


# --- Shared handling ---------------------------------------------------------------------


def _draft_or_404(
    request: HttpRequest, mode: Mode, draft_id: int, *, for_update: bool = False
) -> Draft:
    try:
        return drafts.draft_get(
            draft_id=draft_id,
            owner=request.user,
            loket=request.loket,
            mode=mode.name,
            for_update=for_update,
        )
    except RequestDraft.DoesNotExist as error:
        raise DraftGone(mode) from error


class DraftGone(Http404):
    """The draft is not (or no longer) this user's: sent, deleted, or never theirs."""

    def __init__(self, mode: Mode) -> None:
        super().__init__()
        self.mode = mode


def _draft_gone(request: HttpRequest, gone: DraftGone) -> HttpResponse:
    """Back after sending, or an old link: a page that says so and where to go (404)."""
    mode = gone.mode
    return render(
        request,
        "portal/wizard_gone.html",
        {
            "mode": mode,
            "start_url": mode.url("start"),
            "follow_up_url": FOLLOW_UP_PATH,
            # Just sent in this session: the references are still on the done page.
            "done_url": mode.url("done")
            if (request.session.get(CONFIRMATION_SESSION_KEY) or {}).get("mode") == mode.name
            else "",
        },
        status=404,
    )


def _step_url(mode: Mode, draft: Draft, step: str, *, from_review: bool = False) -> str:
    url = mode.url("step", draft.id, STEP_SLUGS[step])
    return f"{url}?from=review" if from_review else url


def _wizard_context(request: HttpRequest, mode: Mode, draft: Draft, current: str) -> dict:
    done_steps = set(draft.completed)
    steps = [
        {
            "key": key,
            "number": number,
            "title": STEP_TITLES[key],
            "url": _step_url(mode, draft, key) if draft.is_reachable(key) else None,
            "is_current": key == current,
            "is_done": key in done_steps,
        }
        for number, key in enumerate(STEPS, start=1)
    ]
    index = STEPS.index(current)
    return {
        "mode": mode,
        "draft": draft,
        "steps": steps,
        "step": current,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_title": STEP_TITLES[current],
        "previous_url": _step_url(mode, draft, STEPS[index - 1]) if index else None,
        "start_url": mode.url("start"),
    }


def _linked_child(request: HttpRequest, mode: Mode) -> str:
    """At the desk, ``?kind=<child public id>``: a registered child staff start from."""
    asked = request.POST.get("kind") or request.GET.get("kind")
    if not mode.is_desk or not asked:
        return ""
    child_id = registered_child_id(value=asked)
    if child_id is None:
        messages.error(request, _("This child is not in the registry: start without linking."))
        return ""
    return str(child_id)


def _first_choice(request: HttpRequest) -> CatalogueLocation | None:
    """``locatie``: a location this host shows, that the parent asked a place at."""
    try:
        pk = int(request.POST.get("locatie") or request.GET.get("locatie") or "")
    except ValueError:
        return None
    visible = drafts.choices_visible(ids=[pk], region=request.region, loket=request.loket)
    return visible[0] if visible else None


def _start(request: HttpRequest, mode: Mode) -> HttpResponse:
    linked_child = _linked_child(request, mode)
    if request.method == "POST":
        draft = drafts.draft_create(
            owner=request.user,
            loket=request.loket,
            mode=mode.name,
            child_id=uuid.UUID(linked_child) if linked_child else None,
            first_choice=None if mode.is_desk else _first_choice(request),
        )
        return redirect(_step_url(mode, draft, STEPS[0]))
    open_drafts = [
        {
            "draft": draft,
            "resume_url": mode.url("resume", draft.id),
            "delete_url": mode.url("delete", draft.id),
            "step_title": STEP_TITLES[draft.resume_step],
        }
        for draft in drafts.drafts_of_owner(owner=request.user, loket=request.loket, mode=mode.name)
    ]
    return render(
        request,
        "portal/wizard_start.html",
        {
            "mode": mode,
            "open_drafts": open_drafts,
            "step_titles": list(STEP_TITLES.values()),
            "linked_child": linked_child,
            "first_choice": None if mode.is_desk else _first_choice(request),
        },
    )


def _resume(request: HttpRequest, mode: Mode, draft_id: int) -> HttpResponse:
    draft = _draft_or_404(request, mode, draft_id)
    return redirect(_step_url(mode, draft, draft.resume_step))


def _delete(request: HttpRequest, mode: Mode, draft_id: int) -> HttpResponse:
    """A confirmation page first: only its button (``confirm=yes``) deletes the draft, so a
    single tap in the list of drafts never throws a family's answers away."""
    draft = _draft_or_404(request, mode, draft_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        drafts.draft_delete(draft=draft)
        messages.success(request, _("The draft has been deleted."))
        return redirect(mode.url("start"))
    return render(
        request,
        "portal/wizard_delete.html",
        {
            "mode": mode,
            "draft": draft,
            "step_title": STEP_TITLES[draft.resume_step],
            "start_url": mode.url("start"),
        },
    )


def _step(request: HttpRequest, mode: Mode, draft_id: int, slug: str) -> HttpResponse:
    current = STEP_BY_SLUG.get(slug)
    if current is None:
        raise Http404
    draft = _draft_or_404(request, mode, draft_id)
    if not draft.is_reachable(current):
        return redirect(_step_url(mode, draft, draft.first_open_step))
    if current == "choices":
        return _choices_step(request, mode, draft)
    if current == "review":
        if request.method == "POST":
            return _submit(request, mode, draft.id)
        return _render_review(request, mode, draft, _review_state(request, mode, draft))
    return _form_step(request, mode, draft, current)


def _known_children(
    request: HttpRequest, mode: Mode, draft: Draft
) -> tuple[list[tuple[str, str]], list[FamilyChild]]:
    """The children registered before that the child step asks about: [(id, label)], and
    the family's children as their requests say.

    A parent: their family's own children. At the desk the family is not known yet: only
    the child staff started from (``?kind=``), if any.
    """
    if mode.is_desk:
        linked = draft.linked_child_id
        offered = [(linked, _("Linked to a child that is already registered"))] if linked else []
        return offered, []
    family = family_children_of(user=request.user)
    return [(str(child.child_id), known_child_label(child)) for child in family], family


def _context_for_forms(request: HttpRequest, mode: Mode, draft: Draft, *, children: bool = False):
    """The draft's chosen locations and what the forms know; ``children``: for the child step."""
    choices = drafts.draft_choices(draft=draft, region=request.region, loket=request.loket)
    known, family = _known_children(request, mode, draft) if children else ([], [])
    return choices, step_context(
        mode=mode.name,
        today=timezone.localdate(),
        draft_payload=draft.payload,
        choices=choices,
        known_children=known,
        family_children=family,
    )


def _initial(request: HttpRequest, mode: Mode, draft: Draft, current: str) -> dict:
    if current == "child" and mode.is_desk and draft.linked_child_id:
        return {"known_child": draft.linked_child_id}
    if current != "family":
        return {}
    if mode.is_desk:
        return {"language": "nl"}
    language = (get_language() or "nl")[:2]
    return {
        "guardian_1_name": request.user.full_name,
        "guardian_1_email": request.user.email,
        "language": language if language in ("nl", "fr", "en") else "nl",
    }


def _next_step(current: str, *, from_review: bool) -> str:
    return "review" if from_review else STEPS[STEPS.index(current) + 1]


def _form_step(request: HttpRequest, mode: Mode, draft: Draft, current: str) -> HttpResponse:
    _choices, context = _context_for_forms(request, mode, draft, children=current == "child")
    form_class = STEP_FORMS[current]
    from_review = (request.POST.get("from") or request.GET.get("from")) == "review"
    if request.method == "POST":
        form = form_class(request.POST, context=context)
        if form.is_valid():
            following = _next_step(current, from_review=from_review)
            drafts.draft_save_step(
                draft=draft, step=current, values=form.to_payload(), next_step=following
            )
            return redirect(_step_url(mode, draft, following))
    elif draft.section(current) is not None:
        # What was saved, checked again: a date that has passed since shows its message.
        form = form_class(data=draft.section(current), context=context)
    else:
        form = form_class(initial=_initial(request, mode, draft, current), context=context)
    return render(
        request,
        f"portal/wizard_{current}.html",
        {
            **_wizard_context(request, mode, draft, current),
            "form": form,
            "from_review": from_review,
        },
    )


# --- Choosing locations ------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _search_data(request: HttpRequest, draft: Draft) -> QueryDict:
    """The parent's search, or a first search from the draft: age, start month, postcode."""
    if set(CatalogueSearchForm.base_fields) & set(request.GET):
        return request.GET
    child, need = draft.section("child") or {}, draft.section("need") or {}
    family = draft.section("family") or {}
    defaults = QueryDict(mutable=True)
    if child.get("birth_date"):
        defaults["birth_date"] = child["birth_date"]
    if need.get("desired_start"):
        defaults["start"] = need["desired_start"][:7]
    if family.get("postcode"):
        defaults["near"] = family["postcode"]
    return defaults


def _choices_step(request: HttpRequest, mode: Mode, draft: Draft) -> HttpResponse:
    scope = {"region": request.region, "loket": request.loket}
    chosen, context = _context_for_forms(request, mode, draft)
    ids = [location.pk for location in chosen]
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        pk = _int_or_none(request.POST.get("location"))
        # Back to the same search and result page, scrolled to what changed (issue 14).
        kept = QueryDict(request.POST.get("query", ""), mutable=True)
        kept.pop("page", None)
        page_number = _int_or_none(request.POST.get("page"))
        if page_number and page_number > 1:
            kept["page"] = str(page_number)
        query = kept.urlencode()
        here = _step_url(mode, draft, "choices") + (f"?{query}" if query else "")
        if action == "add":
            location = catalogue_location_detail(pk=pk, **scope) if pk else None
            if location is None:
                messages.error(request, _("This location cannot be chosen here."))
            elif location.pk in ids:
                messages.info(
                    request, _("%(name)s is already one of your choices.") % {"name": location}
                )
            else:
                drafts.draft_set_choices(draft=draft, location_ids=[*ids, location.pk])
                messages.success(
                    request,
                    _("%(name)s is now choice number %(rank)d.")
                    % {"name": location.name, "rank": len(ids) + 1},
                )
            return redirect(f"{here}#result-{location.pk}" if location else f"{here}#your-choices")
        if action in ("remove", "up", "down"):
            if pk in ids:
                _move_or_remove(request, draft, chosen, ids.index(pk), action)
            moved = action != "remove" and pk in ids
            return redirect(f"{here}#choice-{pk}" if moved else f"{here}#your-choices")
        if action != "next":
            return redirect(here)
        errors = _choice_errors(context, chosen)
        if not errors:
            following = _next_step("choices", from_review=request.POST.get("from") == "review")
            drafts.draft_save_step(draft=draft, step="choices", values=ids, next_step=following)
            return redirect(_step_url(mode, draft, following))

    search_data = _search_data(request, draft)
    form = CatalogueSearchForm(search_data, municipalities=municipalities_served(**scope))
    page = None
    if form.is_valid():
        results = search_catalogue(query=form.to_query(), **scope)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    from_review = (request.POST.get("from") or request.GET.get("from")) == "review"
    query = search_data.copy()
    query.pop("page", None)
    if from_review:
        query["from"] = "review"
    warnings = (
        age_warnings(
            birth_date=context.birth_date, desired_start=context.desired_start, choices=chosen
        )
        if context.birth_date and context.desired_start
        else []
    )
    return render(
        request,
        "portal/wizard_choices.html",
        {
            **_wizard_context(request, mode, draft, "choices"),
            "chosen": chosen,
            "chosen_ids": set(ids),
            "choice_errors": errors,
            "warnings": warnings,
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "weekdays": dict(Weekday.choices),
            "from_review": from_review,
        },
    )


def _move_or_remove(
    request: HttpRequest, draft: Draft, chosen: list, index: int, action: str
) -> None:
    ids = [location.pk for location in chosen]
    name = chosen[index].name
    if action == "remove":
        ids.pop(index)
        messages.success(request, _("%(name)s removed from your choices.") % {"name": name})
    else:
        other = index - 1 if action == "up" else index + 1
        if not 0 <= other < len(ids):
            return
        ids[index], ids[other] = ids[other], ids[index]
        messages.success(
            request,
            _("%(name)s is now choice number %(rank)d.") % {"name": name, "rank": other + 1},
        )
    drafts.draft_set_choices(draft=draft, location_ids=ids)


def _choice_errors(context, chosen) -> list[str]:
    if not chosen:
        return [_("Choose at least one location.")]
    if context.birth_date is None or context.desired_start is None:
        return []
    return rule_errors(
        today=context.today,
        birth_date=context.birth_date,
        is_expected_birth=context.is_expected_birth,
        desired_start=context.desired_start,
        choices=chosen,
    ).get("choices", [])


# --- Review and submit -------------------------------------------------------------------


@dataclass
class ReviewState:
    sections: list[dict] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: RequestData | None = None
    warnings: list[str] = field(default_factory=list)
    open_lokets: list[str] = field(default_factory=list)  # names only, never content
    can_add: bool = False
    duplicate_error: str = ""
    child: drafts.ChildChoice = field(default_factory=drafts.ChildChoice)

    @property
    def is_ready(self) -> bool:
        return self.data is not None and not any(self.errors.values())


def _add_error(errors: list[str], message: str) -> None:
    if not any(existing == message or existing.endswith(f": {message}") for existing in errors):
        errors.append(message)


def _review_state(request: HttpRequest, mode: Mode, draft: Draft) -> ReviewState:
    choices, context = _context_for_forms(request, mode, draft, children=True)
    state = ReviewState(errors={key: [] for key in FORM_STEPS})
    for key in FORM_STEPS:
        section = {
            "key": key,
            "title": STEP_TITLES[key],
            "change_url": _step_url(mode, draft, key, from_review=True),
        }
        if key == "choices":
            section["choices"] = choices
            if not choices:
                _add_error(state.errors[key], _("Choose at least one location."))
        else:
            saved = draft.section(key)
            form = STEP_FORMS[key](data=saved or {}, context=context)
            if saved is None:
                _add_error(state.errors[key], _("This step has not been filled in yet."))
            elif not form.is_valid():
                for name, messages_ in form.errors.items():
                    label = form.fields[name].label if name in form.fields else ""
                    for message in messages_:
                        state.errors[key].append(f"{label}: {message}" if label else message)
            section["groups"] = form.summary() if saved is not None else []
        state.sections.append(section)
    if context.birth_date and context.desired_start:
        state.warnings = age_warnings(
            birth_date=context.birth_date, desired_start=context.desired_start, choices=choices
        )
    if any(state.errors.values()):
        return state

    data = drafts.draft_request_data(draft=draft, choices=choices)
    for name, messages_ in request_data_errors(data=data, today=context.today).items():
        for message in messages_:
            _add_error(state.errors[FIELD_STEPS.get(name, "remarks")], message)
    state.data = data
    # A parent hears only of their own family's requests for this child; loket staff at
    # the desk also of other families' probable matches (names of lokets, no content).
    matches = open_registrations_of_child(
        data=data,
        parent=None if mode.is_desk else request.user,
        at_the_desk=mode.is_desk,
    )
    # Which child it is, as the child step says: only that child's requests can be added
    # to, and none when it is another child than those registered before.
    state.child = drafts.draft_child_choice(draft=draft)
    if state.child.another_child:
        matches = matches.none()
    elif state.child.child_id is not None:
        matches = matches.filter(child__public_id=state.child.child_id)
    matches = list(matches)
    state.open_lokets = list(dict.fromkeys(entry.loket.name for entry in matches))
    state.can_add = bool(matches)
    return state


def _render_review(
    request: HttpRequest, mode: Mode, draft: Draft, state: ReviewState, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/wizard_review.html",
        {
            **_wizard_context(request, mode, draft, "review"),
            "state": state,
            "error_steps": [
                {
                    "title": STEP_TITLES[key],
                    "url": _step_url(mode, draft, key, from_review=True),
                    "messages": state.errors[key],
                }
                for key in FORM_STEPS
                if state.errors.get(key)
            ],
        },
        status=status,
    )


def _submit(request: HttpRequest, mode: Mode, draft_id: int) -> HttpResponse:
    duplicate = request.POST.get("duplicate", "")
    with transaction.atomic():
        # Locked: a second click waits, then finds the draft gone.
        draft = _draft_or_404(request, mode, draft_id, for_update=True)
        state = _review_state(request, mode, draft)
        if state.is_ready and state.open_lokets and duplicate not in ("add", "separate"):
            state.duplicate_error = _(
                "Your child already has an open request: choose how to register this one."
            )
        elif state.is_ready:
            now = timezone.now()
            data = state.data
            # At the desk the confirmation goes to the typed address only when the staff
            # member read it back to the parent and ticked so (family.confirmation_address).
            staff_checked = mode.is_desk and request.POST.get("confirm_contact_email") == "on"
            try:
                entries = request_submit(
                    data=data,
                    parent=None if mode.is_desk else request.user,
                    registered_by=request.user if mode.is_desk else None,
                    now=now,
                    add_to_open_requests=bool(state.open_lokets)
                    and duplicate == "add"
                    and state.can_add,
                    follow_url=request.build_absolute_uri(FOLLOW_UP_PATH),
                    child_id=state.child.child_id,
                    another_child=state.child.another_child,
                    expected_children=state.child.expected_children,
                    confirm_to_contact_email=staff_checked,
                )
            except ValidationError as error:
                for name, messages_ in error.message_dict.items():
                    for message in messages_:
                        _add_error(state.errors[FIELD_STEPS.get(name, "remarks")], message)
            else:
                drafts.draft_delete(draft=draft)
                if mode.is_desk:
                    # The receipt printed now shows each code; nothing else ever can.
                    codes = desk_claim_codes_issue(
                        loket=request.loket, entries=entries, actor=request.user, now=now
                    )
                    receipt_codes_remember(session=request.session, codes=codes, now=now)
                registered = registered_requests(entries=entries, choices=data.choices, now=now)
                # The session lives in the public schema: references and locations only,
                # never a name or an address.
                request.session[CONFIRMATION_SESSION_KEY] = {
                    "mode": mode.name,
                    "requests": [asdict(item) for item in registered],
                    "emailed": bool(
                        confirmation_address(
                            parent=None if mode.is_desk else request.user,
                            registered_by=request.user if mode.is_desk else None,
                            contact_email=data.contact_email,
                            staff_checked_address=staff_checked,
                        )
                    ),
                }
                return redirect(mode.url("done"))
    return _render_review(request, mode, draft, state)


def _done(request: HttpRequest, mode: Mode) -> HttpResponse:
    confirmation = request.session.get(CONFIRMATION_SESSION_KEY)
    if not confirmation or confirmation.get("mode") != mode.name:
        return redirect(mode.url("start"))
    return render(
        request,
        "portal/wizard_done.html",
        {
            "mode": mode,
            "confirmation": confirmation,
            # At the desk: this loket's own references, with their page and receipt.
            "references_here": references_of_this_loket(
                [item["reference"] for item in confirmation["requests"]]
            )
            if mode.is_desk
            else set(),
            "follow_up_url": FOLLOW_UP_PATH,
            "start_url": mode.url("start"),
        },
    )
