"""Pages: the platform root, a region's portal, a loket's home and its staff area."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shared.accounts.permissions import Access, accesses_held, has_access, role_required
from shared.accounts.selectors import loket_team, roles_in_loket
from shared.lokets.dashboard import (
    auditor_work,
    coordinator_work,
    loket_staff_work,
    provider_staff_work,
    urgent_first,
)
from shared.lokets.forms import LoketContactForm, LoketRetentionForm, LoketTransparencyForm
from shared.lokets.selectors import lokets_without_region, public_lokets, regions_with_lokets
from shared.lokets.services import (
    loket_update_contact,
    loket_update_retention,
    loket_update_settings,
)
from tenants.allocation.selectors import locations_with_overdue
from tenants.audit.auditor_selectors import audited_lokets
from tenants.providers.selectors import locations_manageable_by


def public_home(request: HttpRequest) -> HttpResponse:
    """The portal of a region on its own domain; the list of regions on the base domain."""
    if request.region is not None:
        # A region coordinator lands here after logging in: their figures first.
        is_coordinator = request.user.is_authenticated and has_access(
            Access.REGION_COORDINATOR, user=request.user, region=request.region
        )
        return render(
            request,
            "lokets/portal_home.html",
            {
                "region": request.region,
                "lokets": public_lokets(region=request.region),
                "is_coordinator": is_coordinator,
                "work": coordinator_work(region=request.region, now=timezone.now())
                if is_coordinator
                else [],
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
    """Today's work of each role the user holds here, each a count linking to its list;
    the staff navigation (in the page's header) leads to every other page."""
    loket, user, now = request.loket, request.user, timezone.now()
    held = accesses_held(user=user, loket=loket)
    work = []
    if Access.PROVIDERS_LOKET_STAFF in held:
        work = loket_staff_work(loket=loket, user=user, now=now)
    elif Access.PROVIDER_STAFF in held:
        work = provider_staff_work(loket=loket, user=user, now=now)
    audit = auditor_work(lokets=len(audited_lokets())) if Access.AUDITOR in held else []
    # The answer clock: locations (all, or the provider's own) with choices past due.
    overdue = []
    if Access.PROVIDERS_LOKET_STAFF in held or Access.PROVIDER_STAFF in held:
        overdue = list(
            locations_with_overdue(
                locations=locations_manageable_by(user=user, loket=loket), loket=loket, now=now
            )[:50]
        )
    return render(
        request,
        "lokets/staff_home.html",
        {
            "loket": loket,
            "work": urgent_first(work),
            "audit_work": audit,
            "team": loket_team(loket=loket),
            # The team page asks the same (shared.accounts.team_views).
            "manages_team": Access.PROVIDERS_LOKET_STAFF in held,
            "overdue": overdue,
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
