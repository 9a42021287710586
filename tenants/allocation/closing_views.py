"""Loket staff close a location that stops: /beheer/opvang/locaties/<id>/sluiten/.

The page asks the date and the reason; once the location is closing, the same address
shows who was affected (read from the requests' ``location_closed`` events).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from tenants.allocation.closing import (
    REASON_MAX_LENGTH,
    closing_events,
    location_close,
    location_closings,
    location_reopen,
)
from tenants.providers.selectors import locations_manageable_by

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocationCloseForm(forms.Form):
    closes_on = forms.DateField(
        label=gettext_lazy("Closes on"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy(
            "The first day without care: up to a year ago, or up to two years ahead."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("For example: the provider stops, or its licence was withdrawn."),
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
def location_close_page(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=pk
    )
    if location.closes_on is not None:
        return render(
            request,
            "allocation/location_close.html",
            {
                "location": location,
                "events": closing_events(location=location),
                "closings": location_closings(location=location),
            },
        )
    form = LocationCloseForm(
        request.POST if request.method == "POST" else None,
        initial={"closes_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            affected = location_close(
                location=location,
                closes_on=form.cleaned_data["closes_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is closing and no longer shown to parents; "
                    "%(count)s requests were affected."
                )
                % {"name": location.name, "count": len(affected)},
            )
            return redirect("closing:location_close", pk=location.pk)
    return render(
        request,
        "allocation/location_close.html",
        {"location": location, "form": form, "closings": location_closings(location=location)},
        status=400 if form.errors else 200,
    )


@role_required(Access.PROVIDERS_LOKET_STAFF)
@require_POST
def location_reopen_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a closing: the location is no longer closing (staff publish it again)."""
    location = get_object_or_404(
        locations_manageable_by(user=request.user, loket=request.loket), pk=pk
    )
    try:
        location_reopen(location=location, actor=request.user, now=timezone.now())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s is no longer closing. Publish it again on its page when it is ready.")
            % {"name": location.name},
        )
    return redirect("closing:location_close", pk=location.pk)
