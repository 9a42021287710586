"""Loket staff's signals: /beheer/signalen/ (list and new signal) and its CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from opvangloket.downloads import download_name, download_response
from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from tenants.signals.forms import SignalForm
from tenants.signals.selectors import loket_signals, signals_csv
from tenants.signals.services import signal_record


def _since(request: HttpRequest):
    """``?since=YYYY-MM-DD``: only the signals recorded that day or later (the start page's
    "new signals"); anything else lists them all."""
    try:
        since = parse_date(request.GET.get("since") or "")
    except ValueError:
        return None
    return since if since is not None and since.year > 1 else None


@role_required(Access.LOKET_STAFF)
def signal_list(request: HttpRequest) -> HttpResponse:
    form = SignalForm(request.POST or None)
    since = _since(request)
    if request.method == "POST" and form.is_valid():
        try:
            signal_record(recorded_by=request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The signal has been recorded."))
            return redirect("signals:signal_list")
    return render(
        request,
        "signals/signal_list.html",
        {"form": form, "signals": loket_signals(recorded_since=since), "since": since},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Access.LOKET_STAFF)
def signal_export(request: HttpRequest) -> HttpResponse:
    signals = list(loket_signals())
    today = timezone.localdate()
    filename = download_name(
        "signalen",
        whose=request.loket.name,
        first=min((signal.happened_on for signal in signals), default=today),
        last=today,
        ext="csv",
    )
    return download_response(signals_csv(signals=signals), filename=filename)
