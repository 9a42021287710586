"""Pages for parents to follow up their requests (Mijn aanvragen), on every loket and portal host.

A parent sees every request of theirs, whatever host they use: the registry says which
lokets hold a part, the selectors read each part in its own loket. Every page and form
is scoped to the logged-in parent; another parent's request is simply not found (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_tenants.utils import tenant_context

from opvangloket.forms import add_service_errors
from opvangloket.pdf import pdf_from_template, pdf_response
from shared.accounts.permissions import Access, role_required
from shared.catalogue.selectors import CatalogueQuery, catalogue_location_detail, search_catalogue
from shared.catalogue.vocabulary import DAY_CODES, HALF_DAYS, day_part_choices
from shared.portal.claims import (
    ClaimThrottled,
    desk_registration_claim_with_code,
    desk_registrations_claim,
    has_claimable_registrations,
)
from shared.portal.selectors import (
    PartView,
    SubmissionView,
    parent_request,
    parent_requests,
)
from tenants.allocation.closing import parent_closing_alternatives
from tenants.requests import changes, child_changes, confirmation
from tenants.requests.forms import ChildUpdateForm
from tenants.requests.parts import RequestNotFound
from tenants.requests.receipts import receipt_file_name, request_receipt

SEARCH_RESULTS = 10


# --- Forms -----------------------------------------------------------------------------


class DesiredStartForm(forms.Form):
    desired_start = forms.DateField(
        label=gettext_lazy("Desired start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CarePlanForm(forms.Form):
    care_plan = forms.MultipleChoiceField(
        label=gettext_lazy("Care plan"),
        choices=day_part_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one half-day.")},
    )


class WithdrawForm(forms.Form):
    WHOLE_REQUEST = "all"

    part = forms.ChoiceField(
        label=gettext_lazy("What do you want to withdraw?"), widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you withdraw? (optional)"),
        required=False,
        max_length=changes.WITHDRAW_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, parent_request: SubmissionView, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(self.WHOLE_REQUEST, _("The whole request, at every loket"))]
        if len(parent_request.open_parts) > 1:
            options += [
                (
                    str(part.id),
                    _("Only at %(loket)s (reference %(reference)s)")
                    % {"loket": part.loket.name, "reference": part.reference},
                )
                for part in parent_request.open_parts
            ]
        self.fields["part"].choices = options
        self.fields["part"].initial = self.WHOLE_REQUEST

    @property
    def part_id(self) -> int | None:
        value = self.cleaned_data["part"]
        return None if value == self.WHOLE_REQUEST else int(value)


class ClaimCodeForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        max_length=30,
        help_text=gettext_lazy("As on the receipt, for example TIW-2026-00042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Claim code"),
        max_length=30,
        help_text=gettext_lazy("The 12 characters on the receipt, for example ABCD-EFGH-JKMN."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


# --- Helpers ---------------------------------------------------------------------------


def _own_request(request: HttpRequest, submission: uuid.UUID) -> SubmissionView:
    found = parent_request(user=request.user, submission=submission)
    if found is None:
        raise Http404
    return found


def _own_part(parent: SubmissionView, part_id: int) -> PartView:
    for part in parent.parts:
        if part.id == part_id:
            return part
    raise Http404


def _run(request: HttpRequest, service: Callable, success: str, **arguments) -> bool:
    """Call a change service for the logged-in parent; say how it went. True when it worked."""
    try:
        service(user=request.user, now=timezone.now(), **arguments)
    except changes.RequestNotFound as missing:
        raise Http404 from missing
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _run_with_form(
    request: HttpRequest, form: forms.Form, service: Callable, success: str, **arguments
) -> bool:
    """Like ``_run``, with the service's errors shown next to the form's fields."""
    try:
        service(user=request.user, now=timezone.now(), **arguments)
    except changes.RequestNotFound as missing:
        raise Http404 from missing
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, success)
    return True


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (an empty QueryDict is falsy)."""
    return request.POST if request.method == "POST" else None


def _detail_url(submission: uuid.UUID, anchor: str = "") -> str:
    url = reverse("portal:my_request", kwargs={"submission": submission})
    return f"{url}#{anchor}" if anchor else url


def _choices_url(submission: uuid.UUID, anchor: str = "") -> str:
    url = reverse("portal:my_request_choices", kwargs={"submission": submission})
    return f"{url}#{anchor}" if anchor else url


def _refuse_if_closed(request: HttpRequest, parent: SubmissionView) -> HttpResponse | None:
    if parent.can_change:
        return None
    messages.error(request, parent.refusal)
    return redirect(_detail_url(parent.submission))


# --- Pages -----------------------------------------------------------------------------


@role_required(Access.PARENT)
def my_requests(request: HttpRequest) -> HttpResponse:
    # Reading writes nothing: desk registrations are linked on login (shared.portal.claims)
    # or with the button this page shows when some wait.
    requests = parent_requests(user=request.user)
    open_offers = sum(
        1 for each in requests for part in each.parts for choice in part.choices if choice.offer
    )
    return render(
        request,
        "portal/my_requests.html",
        {
            "requests": requests,
            "open_offers": open_offers,
            "can_claim": has_claimable_registrations(user=request.user),
        },
    )


@role_required(Access.PARENT)
@require_POST
def my_requests_claim_email(request: HttpRequest) -> HttpResponse:
    """Link the desk registrations made with one of the parent's verified addresses."""
    if not desk_registrations_claim(request=request, user=request.user):
        messages.info(request, _("There are no requests of the loket to link to your account."))
    return redirect("portal:my_requests")


@role_required(Access.PARENT)
def my_requests_claim(request: HttpRequest) -> HttpResponse:
    """Link a desk registration with the reference and claim code of its receipt."""
    form = ClaimCodeForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                claimed = desk_registration_claim_with_code(
                    request=request,
                    user=request.user,
                    reference=form.cleaned_data["reference"],
                    code=form.cleaned_data["code"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                if isinstance(error, ClaimThrottled):
                    status = 429
            else:
                messages.success(request, _("The request is now linked to your account."))
                return redirect(_detail_url(claimed[0].submission))
    return render(request, "portal/my_requests_claim.html", {"form": form}, status=status)


@role_required(Access.PARENT)
@require_GET
def my_request_receipt(request: HttpRequest, submission: uuid.UUID, part: int) -> HttpResponse:
    """The receipt of one part of the parent's own request, as the desk prints it (no code).

    On a loket's host only that loket's parts: another loket's answers 404 there.
    """
    own = _own_part(_own_request(request, submission), part)
    here = getattr(request, "loket", None)
    if here is not None and here.pk != own.loket.pk:
        raise Http404
    with tenant_context(own.loket):
        try:
            receipt = request_receipt(
                loket=own.loket, reference=own.reference, actor=request.user, now=timezone.now()
            )
        except RequestNotFound as missing:
            raise Http404 from missing
    content = pdf_from_template("requests/receipt_pdf.html", {"receipt": receipt}, request=request)
    return pdf_response(content, filename=receipt_file_name(receipt))


@role_required(Access.PARENT)
def my_request(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    parent_request = _own_request(request, submission)
    # A location of this request closes: nearby locations with free places.
    alternatives = parent_closing_alternatives(parent_request=parent_request)
    return render(
        request,
        "portal/my_request.html",
        {"parent_request": parent_request, "alternatives": alternatives},
    )


@role_required(Access.PARENT)
def my_request_start(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    parent = _own_request(request, submission)
    refused = _refuse_if_closed(request, parent)
    if refused:
        return refused
    form = DesiredStartForm(_posted(request), initial={"desired_start": parent.desired_start})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run_with_form(
            request,
            form,
            changes.request_change_desired_start,
            _("The desired start date has been changed."),
            submission=submission,
            desired_start=form.cleaned_data["desired_start"],
        )
    ):
        return redirect(_detail_url(submission))
    return render(request, "portal/my_request_start.html", {"parent_request": parent, "form": form})


@role_required(Access.PARENT)
def my_request_care_plan(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    parent = _own_request(request, submission)
    refused = _refuse_if_closed(request, parent)
    if refused:
        return refused
    form = CarePlanForm(_posted(request), initial={"care_plan": list(parent.care_plan)})
    if (
        request.method == "POST"
        and form.is_valid()
        and _run_with_form(
            request,
            form,
            changes.request_change_care_plan,
            _("The care plan has been changed."),
            submission=submission,
            care_plan=form.cleaned_data["care_plan"],
        )
    ):
        return redirect(_detail_url(submission))
    selected = set(form["care_plan"].value() or [])
    grid = [
        (
            str(weekday.label),
            [(f"{code}_{half}", f"{code}_{half}" in selected) for half in HALF_DAYS],
        )
        for code, weekday in DAY_CODES.items()
    ]
    return render(
        request,
        "portal/my_request_care_plan.html",
        {"parent_request": parent, "form": form, "grid": grid},
    )


@role_required(Access.PARENT)
def my_request_choices(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    """The locations per loket: reorder, remove, and search the catalogue to add one."""
    parent = _own_request(request, submission)
    refused = _refuse_if_closed(request, parent)
    if refused:
        return refused
    text = request.GET.get("q", "").strip()[:100]
    results = []
    if text:
        chosen = {
            (part.loket.pk, choice.location_id)
            for part in parent.open_parts
            for choice in part.open_choices
        }
        found = search_catalogue(
            query=CatalogueQuery(text=text, sort="name"),
            region=request.region,
            loket=request.loket,
        )
        results = [
            location
            for location in found[: SEARCH_RESULTS * 2]
            if (location.loket_id, location.location_id) not in chosen
        ][:SEARCH_RESULTS]
    return render(
        request,
        "portal/my_request_choices.html",
        {"parent_request": parent, "query": text, "results": results},
    )


@role_required(Access.PARENT)
@require_POST
def my_request_add_choice(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    _own_request(request, submission)
    try:
        pk = int(request.POST.get("location", ""))
    except ValueError:
        raise Http404 from None
    location = catalogue_location_detail(pk=pk, region=request.region, loket=request.loket)
    if location is None:
        raise Http404
    _run(
        request,
        changes.request_add_choices,
        _("%(location)s has been added to your request.") % {"location": location.name},
        submission=submission,
        locations=[location],
    )
    return redirect(_choices_url(submission))


@role_required(Access.PARENT)
@require_POST
def my_request_move_choice(
    request: HttpRequest, submission: uuid.UUID, part: int, choice: int
) -> HttpResponse:
    parent = _own_request(request, submission)
    target = _own_part(parent, part)
    order = [line.id for line in target.open_choices]
    if choice not in order:
        raise Http404
    position = order.index(choice)
    step = -1 if request.POST.get("direction") == "up" else 1
    if 0 <= position + step < len(order):
        order[position], order[position + step] = order[position + step], order[position]
        _run(
            request,
            changes.request_reorder_choices,
            _("The order of your locations at %(loket)s has been changed.")
            % {"loket": target.loket.name},
            submission=submission,
            part=part,
            order=order,
        )
    return redirect(_choices_url(submission, f"part-{part}"))


@role_required(Access.PARENT)
def my_request_remove_choice(
    request: HttpRequest, submission: uuid.UUID, part: int, choice: int
) -> HttpResponse:
    parent = _own_request(request, submission)
    target = _own_part(parent, part)
    line = next((line for line in target.choices if line.id == choice), None)
    if line is None:
        raise Http404
    if request.method == "POST":
        _run(
            request,
            changes.request_remove_choice,
            _("%(location)s has been removed from your request.")
            % {"location": line.location_name},
            submission=submission,
            part=part,
            choice=choice,
        )
        return redirect(_choices_url(submission, f"part-{part}"))
    refused = _refuse_if_closed(request, parent)
    if refused:
        return refused
    return render(
        request,
        "portal/my_request_remove_choice.html",
        {"parent_request": parent, "part": target, "choice": line},
    )


@role_required(Access.PARENT)
def my_request_withdraw(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    parent = _own_request(request, submission)
    refused = _refuse_if_closed(request, parent)
    if refused:
        return refused
    form = WithdrawForm(_posted(request), parent_request=parent)
    if request.method == "GET" and request.GET.get("part") in dict(form.fields["part"].choices):
        form.fields["part"].initial = request.GET["part"]
    if (
        request.method == "POST"
        and form.is_valid()
        and _run_with_form(
            request,
            form,
            changes.request_withdraw,
            _("Your request has been withdrawn.")
            if form.part_id is None
            else _("Your request has been withdrawn at that loket."),
            submission=submission,
            part=form.part_id,
            reason=form.cleaned_data["reason"],
        )
    ):
        return redirect(_detail_url(submission))
    return render(
        request, "portal/my_request_withdraw.html", {"parent_request": parent, "form": form}
    )


@role_required(Access.PARENT)
@require_POST
def my_request_confirm(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    """The parent still needs care: every open part is confirmed again."""
    _own_request(request, submission)
    _run(
        request,
        confirmation.request_confirm,
        _("Thank you: your request stays open."),
        submission=submission,
    )
    return redirect(_detail_url(submission))


@role_required(Access.PARENT)
def my_request_child(request: HttpRequest, submission: uuid.UUID) -> HttpResponse:
    """The child is born: its first name and date of birth, in every loket of the request."""
    parent = _own_request(request, submission)
    if parent.status not in child_changes.UPDATABLE_STATUSES:
        messages.error(request, parent.refusal)
        return redirect(_detail_url(submission))
    initial = {} if parent.is_expected_birth else {"birth_date": parent.child_birth_date}
    form = ChildUpdateForm(_posted(request), initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run_with_form(
            request,
            form,
            child_changes.request_update_child,
            _("Thank you: your child's details have been updated at every loket."),
            submission=submission,
            **form.service_arguments(),
        )
    ):
        return redirect(_detail_url(submission))
    return render(request, "portal/my_request_child.html", {"parent_request": parent, "form": form})
