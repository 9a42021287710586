"""Loket staff's pages for possible duplicates: the list, a decision, splitting a child.

The other family's request is shown only as "loket <name>, status <status>": never its
reference, names or anything else. A duplicate without an entry in this loket answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from shared.registry.duplicates import (
    DECISION_REASON_MAX_LENGTH,
    DuplicateNotFound,
    duplicate_of_loket,
    duplicate_view,
    duplicates_for_loket,
)
from shared.registry.models import PossibleDuplicate, RegistryEntry
from tenants.requests.duplicates import loket_child_split, loket_duplicate_decide

SAME, DIFFERENT = "same", "different"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            (SAME, gettext_lazy("The same child: keep them together")),
            (DIFFERENT, gettext_lazy("Different children: separate them for good")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Why you decide so (kept with the decision)."),
        max_length=DECISION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SplitForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy(
            "Why this family's child is another child (kept with the decision)."
        ),
        max_length=DECISION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


STATUS_FILTERS = [("", gettext_lazy("All")), *PossibleDuplicate.Status.choices]


@role_required(Access.LOKET_STAFF)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS):
        status = ""
    duplicates = duplicates_for_loket(loket=request.loket, status=status or None)
    return render(
        request,
        "requests/duplicates.html",
        {
            "duplicates": [
                duplicate_view(duplicate=duplicate, loket=request.loket) for duplicate in duplicates
            ],
            "status": status,
            "status_filters": STATUS_FILTERS,
        },
    )


@role_required(Access.LOKET_STAFF)
def duplicate_decide_page(request: HttpRequest, duplicate_id: int) -> HttpResponse:
    try:
        duplicate = duplicate_of_loket(loket=request.loket, duplicate_id=duplicate_id)
    except DuplicateNotFound as error:
        raise Http404 from error
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            is_same = form.cleaned_data["decision"] == SAME
            try:
                loket_duplicate_decide(
                    duplicate_id=duplicate.pk,
                    is_same_child=is_same,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Decided: the same child.")
                    if is_same
                    else _("Decided: different children. They are counted apart from now on."),
                )
                return redirect("requests:duplicate_list")
        status = 400
    return render(
        request,
        "requests/duplicate_decide.html",
        {"view": duplicate_view(duplicate=duplicate, loket=request.loket), "form": form},
        status=status,
    )


@role_required(Access.LOKET_STAFF)
def child_split_page(request: HttpRequest, reference: str) -> HttpResponse:
    """A wrongly merged child: this family's requests become a child of their own."""
    if not RegistryEntry.objects.filter(loket=request.loket, reference=reference).exists():
        raise Http404
    form = SplitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                loket_child_split(
                    reference=reference,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Separated: this family's child is counted as a child of its own.")
                )
                return redirect("requests:request_detail", reference=reference)
        status = 400
    return render(
        request,
        "requests/child_split.html",
        {"reference": reference, "form": form},
        status=status,
    )
