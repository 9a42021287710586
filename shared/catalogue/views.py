"""Pages for parents: search the locations of the region, and one location in full."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from shared.catalogue.forms import CatalogueSearchForm
from shared.catalogue.selectors import (
    catalogue_location_detail,
    free_places_by_month,
    search_catalogue,
)
from shared.catalogue.vocabulary import Weekday
from shared.lokets.selectors import municipalities_served

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    # Always bound: no criteria is a valid search (everything, nearest first).
    form = CatalogueSearchForm(
        request.GET,
        municipalities=municipalities_served(region=request.region, loket=request.loket),
    )
    page = None
    if form.is_valid():
        results = search_catalogue(
            query=form.to_query(), region=request.region, loket=request.loket
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "catalogue/search.html",
        {
            "form": form,
            "page": page,
            "query_string": query_without_page.urlencode(),
            "weekdays": dict(Weekday.choices),
        },
    )


def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = catalogue_location_detail(pk=pk, region=request.region, loket=request.loket)
    if location is None:
        raise Http404
    # Back to the same search: its criteria come along as one parameter (``zoek``).
    search_url = reverse("catalogue:search")
    criteria = request.GET.get("zoek", "")
    return render(
        request,
        "catalogue/location_detail.html",
        {
            "location": location,
            "free_places_by_month": free_places_by_month(location=location),
            "weekdays": dict(Weekday.choices),
            "search_url": f"{search_url}?{criteria}" if criteria else search_url,
        },
    )
