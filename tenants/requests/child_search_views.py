"""The desk's child search, /beheer/kind-zoeken/: is the child in the registry already?

Loket staff search by first name, last name and date of birth, or by national register
number, before registering a request at the desk; per child found they see which lokets
have a request and its status (references only of their own loket's) and start a new
request for that child, or register a new child. The terms are posted, never put in the
URL (they would end up in logs and the browser's history).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from opvangloket.forms import add_service_errors
from shared.accounts.permissions import Access, role_required
from tenants.requests.child_search import ChildSearchForm, registry_search


@role_required(Access.LOKET_STAFF)
@require_http_methods(["GET", "POST"])
def child_search_page(request: HttpRequest) -> HttpResponse:
    desk_start = reverse("portal:desk_start")
    form = ChildSearchForm(request.POST if request.method == "POST" else None)
    results = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                matches = registry_search(actor=request.user, loket=request.loket, **form.terms())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                results = [
                    {
                        "number": number,
                        "match": match,
                        "new_request_url": f"{desk_start}?{urlencode({'kind': match.child_id})}",
                    }
                    for number, match in enumerate(matches, start=1)
                ]
        if form.errors:
            status = 400
    return render(
        request,
        "requests/child_search.html",
        {"form": form, "results": results, "desk_start_url": desk_start},
        status=status,
    )
