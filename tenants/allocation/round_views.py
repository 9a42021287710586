"""Allocation round pages under /beheer/rondes/.

Loket staff plan and cancel rounds and see every proposal of a round; provider staff see
and answer the proposals for the locations granted to them (any other proposal: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from tenants.allocation import rounds
from tenants.allocation.models import AllocationRound, RoundProposal
from tenants.allocation.round_forms import (
    ConfirmProposalForm,
    RejectProposalForm,
    RoundForm,
    RoundsSwitchForm,
)
from tenants.allocation.selectors import queue_line_of
from tenants.providers.views import MANAGERS


@role_required(Access.PROVIDERS_LOKET_STAFF)
def rounds_overview(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = rounds.round_create(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round has been planned."))
            return redirect("allocation:round_detail", round_id=made.pk)
    return render(
        request,
        "allocation/rounds.html",
        {
            "rounds": rounds.rounds_all()[:100],
            "form": form,
            "switch_form": RoundsSwitchForm(initial={"on": request.loket.uses_allocation_rounds}),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Access.PROVIDERS_LOKET_STAFF)
def rounds_switch(request: HttpRequest) -> HttpResponse:
    form = RoundsSwitchForm(request.POST)
    form.is_valid()
    try:
        rounds.rounds_switch(
            loket=request.loket, on=form.cleaned_data.get("on", False), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The setting has been saved."))
    return redirect("allocation:rounds")


@role_required(Access.PROVIDERS_LOKET_STAFF)
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    found = get_object_or_404(AllocationRound, pk=round_id)
    return render(
        request,
        "allocation/round_detail.html",
        {"round": found, "proposals": rounds.round_proposals(allocation_round=found)},
    )


@require_POST
@role_required(Access.PROVIDERS_LOKET_STAFF)
def round_cancel(request: HttpRequest, round_id: int) -> HttpResponse:
    found = get_object_or_404(AllocationRound, pk=round_id)
    try:
        rounds.round_cancel(allocation_round=found, actor=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round has been cancelled."))
    return redirect("allocation:round_detail", round_id=found.pk)


@require_POST
@role_required(Access.PROVIDERS_LOKET_STAFF)
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    found = get_object_or_404(AllocationRound, pk=round_id)
    try:
        rounds.round_close(allocation_round=found, actor=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round has been closed."))
    return redirect("allocation:round_detail", round_id=found.pk)


def _proposal_or_404(request: HttpRequest, proposal_id: int) -> RoundProposal:
    return get_object_or_404(
        rounds.proposals_for(user=request.user, loket=request.loket), pk=proposal_id
    )


@role_required(*MANAGERS)
def proposals(request: HttpRequest) -> HttpResponse:
    """The round's proposals for the locations this user manages; the waiting ones first."""
    found = list(rounds.proposals_for(user=request.user, loket=request.loket)[:300])
    return render(
        request,
        "allocation/proposals.html",
        {
            "waiting": [p for p in found if p.status == RoundProposal.Status.PROPOSED],
            "answered": [p for p in found if p.status != RoundProposal.Status.PROPOSED],
            "confirm_form": ConfirmProposalForm(),
            "reject_form": RejectProposalForm(),
        },
    )


@role_required(*MANAGERS)
def proposal_answer(request: HttpRequest, proposal_id: int, answer: str) -> HttpResponse:
    """Confirm (an offer to the parent) or reject (with a reason) one proposal."""
    proposal = _proposal_or_404(request, proposal_id)
    form_class = ConfirmProposalForm if answer == "confirm" else RejectProposalForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if answer == "confirm":
                rounds.proposal_confirm(
                    proposal=proposal, actor=request.user, now=timezone.now(), **form.cleaned_data
                )
                done = _("Confirmed: the parent has been offered the place (%(reference)s).")
            else:
                rounds.proposal_reject(
                    proposal=proposal, actor=request.user, now=timezone.now(), **form.cleaned_data
                )
                done = _(
                    "Rejected: the round has run again for the children waiting (%(reference)s)."
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done % {"reference": proposal.choice.request.reference})
            return redirect("allocation:proposals")
    return render(
        request,
        "allocation/proposal_answer.html",
        {
            "proposal": proposal,
            "form": form,
            "answer": answer,
            "line": queue_line_of(choice=proposal.choice),
        },
        status=400 if form.errors else 200,
    )
