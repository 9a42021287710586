"""Readable PDF documents from HTML templates (WeasyPrint, on pango and cairo).

Nothing is fetched while rendering: the documents carry their own styles, and text a
family typed can never make the server load a URL.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict:
    raise ValueError(f"PDF documents load nothing from outside: {url[:80]}")


def pdf_from_template(template: str, context: dict[str, Any], *, request: HttpRequest) -> bytes:
    """The template rendered (in the request's language) and laid out as a PDF."""
    from weasyprint import HTML  # imported when used: it loads pango at import

    html = render_to_string(template, context, request=request)
    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
