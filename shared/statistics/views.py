"""Figures pages: the loket dashboard, figures with charts, and downloads (CSV, XLSX)."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opvangloket.downloads import download_name, download_response
from shared.accounts.permissions import Access, check_access, role_required
from shared.statistics import exports
from shared.statistics.answers import why_no_offer
from shared.statistics.charts import charts
from shared.statistics.forms import FiguresPeriodForm
from shared.statistics.selectors import (
    Scope,
    count_waiting_children,
    duplicates_to_decide,
    figures_compute,
    figures_per_loket,
    loket_dashboard,
    loket_duplicate_counts,
    reconciliation_for_loket,
    scope_for_loket,
    scope_for_region,
)


def _refused_period(
    request: HttpRequest, template: str, form: FiguresPeriodForm, **context
) -> HttpResponse:
    """The page's period form with its errors and what was typed; nothing computed."""
    return render(request, template, {"form": form, **context}, status=400)


def _figures_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = FiguresPeriodForm(request.GET)
    if not form.is_valid():
        return _refused_period(request, "statistics/figures.html", form, scope=scope)
    period = form.period()
    figures = figures_compute(scope=scope, period=period)
    return render(
        request,
        "statistics/figures.html",
        {
            "form": form,
            "scope": scope,
            "period": period,
            "figures": figures,
            "totals": figures["totals"],
            # Whatever the period: the number the start pages show (the same function).
            "waiting_now": count_waiting_children(scope=scope),
            "duplicates_to_decide": duplicates_to_decide(scope=scope, period=period),
            "charts": charts(figures),
            "why_no_offer": why_no_offer(scope=scope, period=period),
            # A region's coordinators see each of its lokets beside the region's totals.
            "lokets": figures_per_loket(region=request.region, period=period)
            if scope.region_id is not None
            else None,
            "query": request.GET.urlencode(),
        },
    )


def _download(request: HttpRequest, scope: Scope, fmt: str) -> HttpResponse:
    table = request.GET.get("table") or "figures"
    if fmt not in ("csv", "xlsx") or table not in exports.TABLES:
        raise Http404
    if table == "lokets" and scope.region_id is None:
        raise Http404  # a loket's own figures have no lokets to break down
    form = FiguresPeriodForm(request.GET)
    if not form.is_valid():
        return _refused_period(request, "statistics/figures.html", form, scope=scope)
    periods = form.periods()
    filename = download_name(
        exports.FILE_NAMES[table] if fmt == "csv" else "cijfers",
        whose=scope.label,
        first=periods[0].start,
        last=periods[-1].end - timedelta(days=1),  # the period's end is exclusive
        ext=fmt,
    )
    if fmt == "xlsx":
        content = exports.export_xlsx(scope=scope, periods=periods)
    else:
        content = exports.export_csv(scope=scope, periods=periods, table=table)
    return download_response(content, filename=filename)


@role_required(Access.LOKET_STAFF)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "statistics/dashboard.html",
        {
            "counts": loket_dashboard(loket=request.loket, now=timezone.now()),
            "duplicates": loket_duplicate_counts(loket=request.loket),
        },
    )


@role_required(Access.LOKET_STAFF)
def loket_reconciliation(request: HttpRequest) -> HttpResponse:
    """The requests behind the loket's figures of a period, per child identity."""
    form = FiguresPeriodForm(request.GET)
    if not form.is_valid():
        return _refused_period(request, "statistics/reconciliation.html", form)
    period = form.period()
    scope = scope_for_loket(loket=request.loket)
    figures = figures_compute(scope=scope, period=period)
    return render(
        request,
        "statistics/reconciliation.html",
        {
            "form": form,
            "period": period,
            "reconciliation": reconciliation_for_loket(loket=request.loket, period=period),
            "totals": figures["totals"],
            "duplicates_to_decide": duplicates_to_decide(scope=scope, period=period),
            "query": request.GET.urlencode(),
        },
    )


@role_required(Access.LOKET_STAFF)
def loket_figures(request: HttpRequest) -> HttpResponse:
    return _figures_page(request, scope_for_loket(loket=request.loket))


@role_required(Access.LOKET_STAFF)
def loket_download(request: HttpRequest, fmt: str) -> HttpResponse:
    return _download(request, scope_for_loket(loket=request.loket), fmt)


@role_required(Access.REGION_COORDINATOR)
def region_figures(request: HttpRequest) -> HttpResponse:
    return _figures_page(request, scope_for_region(region=request.region))


def region_download(request: HttpRequest, fmt: str) -> HttpResponse:
    # check_access, not role_required: a download asked for without a session has always
    # been answered 403, not sent to the login page.
    check_access(request, Access.REGION_COORDINATOR)
    return _download(request, scope_for_region(region=request.region), fmt)
