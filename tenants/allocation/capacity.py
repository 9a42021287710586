"""An offer holds a place; a placement keeps it until its end date.

The figures come from ``tenants.providers.occupancy``; these are the rules that use them.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared.accounts.models import User
from shared.accounts.permissions import check_object_access
from shared.catalogue.vocabulary import age_groups_at
from shared.lokets.selectors import current_loket
from tenants.allocation.models import Placement
from tenants.providers.models import Location
from tenants.providers.occupancy import free_places_for_child
from tenants.providers.selectors import LOCATION_MANAGERS
from tenants.providers.services import free_places_publish


def offer_capacity_check(
    *, location: Location, start_date: date, birth_date: date, confirmed: bool
) -> bool:
    """True when this offer goes beyond the free places of its start month (and may).

    The location is locked first, so that two offers at once cannot both take the last
    free place. When the month shows no free place for the child's age group, the offer
    needs ``confirmed`` (the provider or loket staff confirm they have the capacity);
    when the free places of that month are not known, nothing is asked.
    """
    Location.objects.select_for_update().filter(pk=location.pk).first()
    free = free_places_for_child(
        location=location, month=start_date, age_groups=age_groups_at(birth_date, start_date)
    )
    if free is None or free > 0:
        return False
    if not confirmed:
        raise ValidationError(
            {
                "capacity_confirmed": [
                    _(
                        "%(location)s shows no free place in %(month)s for this age group "
                        "(open offers hold their places). Confirm that you have the place, "
                        "or correct the free places first."
                    )
                    % {"location": location.name, "month": f"{start_date:%m/%Y}"}
                ]
            },
            code="no_free_place",
        )
    return True


@transaction.atomic
def placement_set_end(
    *, placement: Placement, end_date: date | None, actor: User, now: datetime
) -> Placement:
    """The child leaves the location after ``end_date`` (None: not known yet).

    From the month after, the place counts as free again; an ended placement no longer
    counts against the 10% of advised places. Only the location's managers.
    """
    check_object_access(
        *LOCATION_MANAGERS, user=actor, loket=current_loket(), obj=placement.location
    )
    placement = (
        Placement.objects.select_for_update().select_related("location").get(pk=placement.pk)
    )
    if end_date is not None and end_date < placement.start_date:
        raise ValidationError(
            {"end_date": [_("The end date cannot be before the start date.")]}, code="before_start"
        )
    placement.end_date = end_date
    placement.save(update_fields=["end_date"])
    free_places_publish(location=placement.location)
    return placement


def placement_is_current(placement: Placement, *, on: date | None = None) -> bool:
    day = on or timezone.localdate()
    return placement.end_date is None or placement.end_date >= day
