"""Pages for a parent's own data (Mijn gegevens): download everything, erase the account."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from shared.portal.own_data import account_erase, erasure_refusal, parent_data_export
from shared.portal.own_data_api import my_data_file_name, my_data_pdf_response
from shared.portal.selectors import parent_requests


class AccountEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand: my open requests are withdrawn, my data are removed and my "
            "account is closed. This cannot be undone."
        ),
        error_messages={"required": gettext_lazy("Tick the box to erase your account.")},
    )


@role_required(Access.PARENT)
def my_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/my_data.html",
        {"refusal": erasure_refusal(user=request.user)},
    )


@role_required(Access.PARENT)
@require_GET
def my_data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("json", "pdf"):
        raise Http404
    if fmt == "pdf":
        return my_data_pdf_response(request)
    now = timezone.now()
    data = parent_data_export(user=request.user, now=now)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{my_data_file_name(ext="json", now=now)}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(Access.PARENT)
def my_account_erase(request: HttpRequest) -> HttpResponse:
    refusal = erasure_refusal(user=request.user)
    form = AccountEraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            done = account_erase(user=request.user, now=timezone.now())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account has been erased: %(withdrawn)s open requests were withdrawn "
                    "and the personal data of %(anonymised)s requests were removed."
                )
                % done,
            )
            return redirect("/")
    requests = parent_requests(user=request.user)
    return render(
        request,
        "portal/my_account_erase.html",
        {
            "form": form,
            "refusal": refusal,
            "open_requests": [each for each in requests if each.open_parts],
            "requests": requests,
        },
    )
