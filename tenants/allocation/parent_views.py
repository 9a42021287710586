"""Parents answer an offer on "Mijn aanvragen", from any host: accept, or decline with a reason.

The offer is looked up among the parent's own requests only (``parent_offer``), so an
offer for someone else's child answers 404, whatever id is tried.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.accounts.permissions import Access, role_required
from shared.catalogue.vocabulary import care_plan_days, day_parts_in_order
from shared.lokets.models import Loket
from shared.registry.models import RegistryEntry
from tenants.allocation import services
from tenants.allocation.forms import DeclineForm
from tenants.allocation.models import Offer
from tenants.allocation.selectors import closing_on_accept, parent_offer


def _own_offer(request: HttpRequest, offer_id: uuid.UUID) -> tuple[Loket, Offer]:
    found = parent_offer(user=request.user, public_id=offer_id)
    if found is None:
        raise Http404
    return found


def _request_url(loket: Loket, offer: Offer) -> str:
    entry = RegistryEntry.objects.filter(loket=loket, request_id=offer.choice.request_id).first()
    if entry is None:
        return reverse("portal:my_requests")
    return reverse("portal:my_request", kwargs={"submission": entry.submission})


@role_required(Access.PARENT)
def my_offer_accept(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    """A page that says what accepting closes; its button accepts (POST)."""
    loket, offer = _own_offer(request, offer_id)
    if request.method != "POST":
        if offer.status != Offer.Status.OPEN:
            messages.error(request, _("This offer is no longer open."))
            return redirect(_request_url(loket, offer))
        care_plan = day_parts_in_order(offer.care_plan)
        return render(
            request,
            "allocation/my_offer_accept.html",
            {
                "offer": offer,
                "loket": loket,
                "closing": closing_on_accept(loket=loket, offer=offer),
                "days_per_week": len(care_plan) / 2,
                "care_plan_days": care_plan_days(care_plan),
                "back_url": _request_url(loket, offer),
            },
        )
    try:
        with tenant_context(loket):
            services.offer_accept(offer=offer, parent_or_staff=request.user, now=timezone.now())
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "You accepted the place at %(location)s. Your other choices have been closed; "
                "the location will contact you for the contract."
            )
            % {"location": offer.choice.location.name},
        )
    return redirect(_request_url(loket, offer))


@role_required(Access.PARENT)
def my_offer_decline(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    loket, offer = _own_offer(request, offer_id)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with tenant_context(loket):
                services.offer_decline(
                    offer=offer,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    now=timezone.now(),
                )
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("You declined the place at %(location)s.")
                % {"location": offer.choice.location.name},
            )
        return redirect(_request_url(loket, offer))
    return render(
        request,
        "allocation/my_offer_decline.html",
        {"offer": offer, "loket": loket, "form": form, "back_url": _request_url(loket, offer)},
    )
