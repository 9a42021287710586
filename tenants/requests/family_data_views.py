"""Loket staff answer a desk family's access or erasure request (requests without an account).

From the request's staff page: download what this loket holds of the family (JSON or
PDF) and, after a confirmation page, erase it. Their own loket only; every download and
erasure is in the audit trail (``tenants.requests.family_data``).
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from opvangloket.downloads import download_name
from opvangloket.pdf import pdf_from_template, pdf_response
from shared.accounts.permissions import Access, role_required
from tenants.requests.family_data import (
    desk_family_erase,
    desk_family_export,
    desk_family_summary,
)
from tenants.requests.parts import RequestNotFound
from tenants.requests.readable import data_for_reading, readable_value


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I checked who asks: withdraw the open requests and remove the family's personal data"
        ),
        error_messages={"required": gettext_lazy("Tick the box to confirm the erasure.")},
    )


def _detail(reference: str) -> HttpResponse:
    return redirect("requests:request_detail", reference=reference)


@role_required(Access.LOKET_STAFF)
@require_GET
def desk_family_download(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    if fmt not in ("json", "pdf"):
        raise Http404
    try:
        data = desk_family_export(
            loket=request.loket, reference=reference, actor=request.user, now=timezone.now()
        )
    except RequestNotFound as missing:
        raise Http404 from missing
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _detail(reference)
    filename = download_name("gegevens", whose=reference, first=timezone.localdate(), ext=fmt)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    content = pdf_from_template(
        "requests/family_data_pdf.html",
        {
            "data": data_for_reading(data),
            "title": _("Data of the family of request %(reference)s") % {"reference": reference},
            "generated_at": readable_value(timezone.now().isoformat()),
        },
        request=request,
    )
    return pdf_response(content, filename=filename)


@role_required(Access.LOKET_STAFF)
def desk_family_erase_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        family = desk_family_summary(loket=request.loket, reference=reference)
    except RequestNotFound as missing:
        raise Http404 from missing
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _detail(reference)
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = desk_family_erase(
                loket=request.loket, reference=reference, actor=request.user, now=timezone.now()
            )
        except RequestNotFound as missing:
            raise Http404 from missing
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return _detail(reference)
        messages.success(
            request,
            _(
                "The family's data have been erased: %(withdrawn)s open requests withdrawn, "
                "personal data removed from %(anonymised)s requests."
            )
            % done,
        )
        return _detail(reference)
    return render(
        request,
        "requests/desk_family_erase.html",
        {"reference": reference, "family": family, "form": form},
    )
