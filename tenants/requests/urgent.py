"""Urgent requests: loket staff send a request to every suitable location at once.

Used where every provider must see an urgent request straight away (Dutch-speaking
Brussels). The request gets a choice at each published location of this loket whose kind
and age range fit the child at the desired start, ranked after the parent's own choices
(nearest first). It keeps its place in the legal order of every queue: being urgent only
shows a badge, and a filter, on the providers' waiting lists.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.accounts.permissions import Access, has_access
from shared.catalogue.selectors import postcode_point
from shared.catalogue.vocabulary import CareKind, age_in_months
from shared.lokets.selectors import current_loket
from shared.registry.models import RequestStatus
from tenants.providers.models import Location
from tenants.requests.history import record_marked_urgent
from tenants.requests.models import ChildcareRequest, ChoiceStatus, RequestChoice
from tenants.requests.parts import part_touch

# Out-of-school care takes children from school age (2.5 years); group and family care
# take them until they go to school (3 years at the latest).
SCHOOL_FROM_MONTHS = 30
PRESCHOOL_UNTIL_MONTHS = 36


def kinds_for_age(age_months: int) -> list[str]:
    """The kinds of care that fit a child of ``age_months`` at the start."""
    kinds = []
    if age_months < PRESCHOOL_UNTIL_MONTHS:
        kinds += [CareKind.GROUP, CareKind.FAMILY]
    if age_months >= SCHOOL_FROM_MONTHS:
        kinds.append(CareKind.OUT_OF_SCHOOL)
    return kinds


def age_at_start(request: ChildcareRequest) -> int:
    return age_in_months(request.child_birth_date, request.desired_start)


def suitable_locations(*, request: ChildcareRequest) -> QuerySet[Location]:
    """Published locations of this loket that fit the child and the request has not chosen."""
    age = age_at_start(request)
    return (
        Location.objects.filter(
            is_published=True,
            closes_on__isnull=True,
            kind__in=kinds_for_age(age),
            age_min_months__lte=age,
            age_max_months__gte=age,
        )
        .exclude(choices__request=request)
        .order_by("name", "id")
    )


def _nearest_first(locations: list[Location], postcode: str) -> list[Location]:
    point = postcode_point(postcode)
    if point is None:
        return locations

    def distance(location: Location) -> float:
        if location.latitude is None or location.longitude is None:
            return math.inf
        return math.dist(point, (float(location.latitude), float(location.longitude)))

    return sorted(locations, key=distance)  # stable: ties keep the name order


@transaction.atomic
def request_mark_urgent(
    *, request: ChildcareRequest, actor: User, now: datetime
) -> list[RequestChoice]:
    """Mark an open request urgent and give it a choice at every suitable location.

    Returns the choices added. Marking an urgent request again adds the locations that
    became suitable since (none: nothing changes, no event). Loket staff of the current
    loket only (PermissionDenied); an open request only (ValidationError).
    """
    loket = current_loket()
    if not has_access(Access.LOKET_STAFF, user=actor, loket=loket):
        raise PermissionDenied
    request = ChildcareRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("Only an open request can be marked urgent."), code="not_open")
    was_urgent = request.is_urgent
    locations = _nearest_first(list(suitable_locations(request=request)), request.postcode)
    last_rank = max(request.choices.values_list("rank", flat=True), default=0)
    added = RequestChoice.objects.bulk_create(
        RequestChoice(
            request=request,
            location=location,
            rank=last_rank + position,
            status=ChoiceStatus.IN_REVIEW,
            status_changed_at=now,
        )
        for position, location in enumerate(locations, start=1)
    )
    if was_urgent and not added:
        return []
    request.is_urgent = True
    request.save(update_fields=["is_urgent", "updated_at"])
    record_marked_urgent(
        request, actor=actor, at=now, locations=[location.name for location in locations]
    )
    part_touch(request, now=now)
    return added
