"""Reading the planning clients of the current loket (its schema)."""

from __future__ import annotations

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from tenants.planning_clients.models import PlanningClient
from tenants.providers.models import Location
from tenants.providers.services import LOCATION_CHANGE_PERMISSION


def planning_clients() -> QuerySet[PlanningClient]:
    """Every client of this loket, revoked ones too, newest first."""
    return PlanningClient.objects.select_related("user", "created_by", "revoked_by")


def client_locations(*, client: PlanningClient) -> QuerySet[Location]:
    """The locations a provider's software was granted (none once revoked)."""
    return get_objects_for_user(
        client.user,
        LOCATION_CHANGE_PERMISSION,
        klass=Location,
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    ).order_by("name")
