from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningClientsConfig(AppConfig):
    name = "tenants.planning_clients"
    label = "planning_clients"
    verbose_name = _("Planning software")

    def ready(self) -> None:
        # Registers the OpenAPI description of the token scheme with drf-spectacular.
        from tenants.planning_clients import openapi  # noqa: F401
