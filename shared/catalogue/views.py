"""Pages for parents: search the locations of the region, and one location in full."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from shared.catalogue.forms import CatalogueSearchForm
from shared.catalogue.selectors import (
    catalogue_location_detail,
    catalogue_map_markers,
    free_places_by_month,
    search_catalogue,
)
from shared.catalogue.vocabulary import Weekday
from shared.lokets.selectors import municipalities_served

RESULTS_PER_PAGE = 20


def _search_form(request: HttpRequest) -> CatalogueSearchForm:
    # Always bound: no criteria is a valid search (everything, nearest first).
    return CatalogueSearchForm(
        request.GET,
        municipalities=municipalities_served(region=request.region, loket=request.loket),
    )


def _criteria(request: HttpRequest) -> str:
    """The search's query string without its page number."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _map_tiles() -> dict[str, str]:
    """The tile server for the maps (settings ``MAP_TILE_*``), for the map's data attributes."""
    return {
        "url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "attribution_url": settings.MAP_TILE_ATTRIBUTION_URL,
    }


def search(request: HttpRequest) -> HttpResponse:
    form = _search_form(request)
    page = None
    if form.is_valid():
        results = search_catalogue(
            query=form.to_query(), region=request.region, loket=request.loket
        )
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/search.html",
        {
            "form": form,
            "page": page,
            "query_string": _criteria(request),
            "weekdays": dict(Weekday.choices),
            "map_tiles": _map_tiles(),
        },
    )


def search_map_markers(request: HttpRequest) -> JsonResponse:
    """The map's markers for a search: every located result (all pages), as JSON.

    Same criteria as ``search`` (its query string), so the markers follow the filters.
    """
    form = _search_form(request)
    if not form.is_valid():
        errors = {
            field: [error["message"] for error in field_errors]
            for field, field_errors in form.errors.get_json_data().items()
        }
        return JsonResponse(errors, status=400)
    criteria = _criteria(request)
    back = f"?{urlencode({'zoek': criteria})}" if criteria else ""
    markers = [
        {
            "name": marker["name"],
            "address": f"{marker['street']}, {marker['postcode']} {marker['place']}",
            "latitude": marker["latitude"],
            "longitude": marker["longitude"],
            "url": reverse("catalogue:location", args=[marker["pk"]]) + back,
        }
        for marker in catalogue_map_markers(
            query=form.to_query(), region=request.region, loket=request.loket
        )
    ]
    return JsonResponse({"count": len(markers), "markers": markers})


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
            "map_tiles": _map_tiles(),
        },
    )
