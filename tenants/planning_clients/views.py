"""Loket staff's planning software: /beheer/koppelingen/ (register, list, revoke)."""

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
from tenants.planning_clients import services
from tenants.planning_clients.forms import PlanningClientForm
from tenants.planning_clients.selectors import client_locations, planning_clients

ACCESS = Access.PROVIDERS_LOKET_STAFF


@role_required(ACCESS)
def client_list(request: HttpRequest) -> HttpResponse:
    form = PlanningClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, secret = services.planning_client_create(
                loket=request.loket,
                created_by=request.user,
                now=timezone.now(),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The secret is shown on this answer only (kept hashed): no redirect.
            return render(
                request,
                "planning_clients/client_created.html",
                {
                    "client": client,
                    "secret": secret,
                    "token_url": request.build_absolute_uri("/oauth/token/"),
                },
                status=201,
            )
    clients = [(client, list(client_locations(client=client))) for client in planning_clients()]
    return render(
        request,
        "planning_clients/client_list.html",
        {"form": form, "clients": clients},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(ACCESS)
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(planning_clients(), pk=pk)
    services.planning_client_revoke(
        client=client, loket=request.loket, revoked_by=request.user, now=timezone.now()
    )
    messages.success(request, _("%(name)s can no longer use the API.") % {"name": client.name})
    return redirect("planning_clients:client_list")
