"""Pages: the platform root, a region's portal, a loket's home and its staff area."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shared.accounts.permissions import Access, has_access, role_required
from shared.accounts.selectors import loket_team, roles_in_loket
from shared.lokets.forms import LoketContactForm, LoketRetentionForm, LoketTransparencyForm
from shared.lokets.selectors import lokets_without_region, public_lokets, regions_with_lokets
from shared.lokets.services import (
    loket_update_contact,
    loket_update_retention,
    loket_update_settings,
)
from shared.registry.duplicates import open_duplicates_count
from tenants.allocation.selectors import locations_with_overdue
from tenants.providers.selectors import locations_manageable_by


def public_home(request: HttpRequest) -> HttpResponse:
    """The portal of a region on its own domain; the list of regions on the base domain."""
    if request.region is not None:
        return render(
            request,
            "lokets/portal_home.html",
            {
                "region": request.region,
                "lokets": public_lokets(region=request.region),
                # A region coordinator lands here after logging in: their figures first.
                "is_coordinator": request.user.is_authenticated
                and has_access(Access.REGION_COORDINATOR, user=request.user, region=request.region),
            },
        )
    return render(
        request,
        "lokets/platform_home.html",
        {"regions": regions_with_lokets(), "lokets_without_region": lokets_without_region()},
    )


@require_safe
def loket_home(request: HttpRequest) -> HttpResponse:
    loket = request.loket
    return render(
        request,
        "lokets/loket_home.html",
        {
            "loket": loket,
            "municipalities": loket.municipalities.order_by("name_nl"),
            "my_roles": roles_in_loket(user=request.user, loket=loket),
        },
    )


@require_safe
@role_required(Access.STAFF)
def staff_home(request: HttpRequest) -> HttpResponse:
    loket = request.loket
    roles = roles_in_loket(user=request.user, loket=loket)
    can_manage = has_access(Access.LOKET_STAFF, user=request.user, loket=loket)
    # The answer clock: locations (all, or the provider's own) with choices past due.
    overdue = list(
        locations_with_overdue(
            locations=locations_manageable_by(user=request.user, loket=loket),
            loket=loket,
            now=timezone.now(),
        )[:50]
    )
    return render(
        request,
        "lokets/staff_home.html",
        {
            "loket": loket,
            "my_roles": roles,
            "can_manage": can_manage,
            "team": loket_team(loket=loket),
            "open_duplicates": open_duplicates_count(loket=loket) if can_manage else 0,
            "overdue": overdue,
            "overdue_total": sum(location.overdue_count for location in overdue),
        },
    )


@role_required(Access.LOKET_STAFF)
def loket_contact_edit(request: HttpRequest) -> HttpResponse:
    loket = request.loket
    form = LoketContactForm(request.POST or None, instance=loket)
    if request.method == "POST" and form.is_valid():
        loket_update_contact(
            loket=loket, **{field: form.cleaned_data[field] for field in form.fields}
        )
        messages.success(request, _("The loket's details have been saved."))
        return redirect("staff_home")
    return render(request, "lokets/loket_contact_form.html", {"loket": loket, "form": form})


@role_required(Access.LOKET_STAFF)
def loket_retention_edit(request: HttpRequest) -> HttpResponse:
    """How long closed requests keep personal data (the job removes it afterwards)."""
    loket = request.loket
    form = LoketRetentionForm(request.POST or None, instance=loket)
    if request.method == "POST" and form.is_valid():
        loket_update_retention(
            loket=loket,
            personal_data_retention_months=form.cleaned_data["personal_data_retention_months"],
        )
        messages.success(request, _("The retention period has been saved."))
        return redirect("staff_home")
    return render(request, "lokets/loket_retention_form.html", {"loket": loket, "form": form})


@role_required(Access.LOKET_STAFF)
def loket_transparency_edit(request: HttpRequest) -> HttpResponse:
    """What parents see of where their child stands on the waiting lists."""
    loket = request.loket
    form = LoketTransparencyForm(request.POST or None, instance=loket)
    if request.method == "POST" and form.is_valid():
        loket_update_settings(loket=loket, **form.cleaned_data)
        messages.success(request, _("What parents see has been saved."))
        return redirect("staff_home")
    return render(request, "lokets/loket_transparency_form.html", {"loket": loket, "form": form})
