from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "tenants.onboarding"
    label = "onboarding"
    verbose_name = _("Onboarding from another system")

    def ready(self) -> None:
        from tenants.onboarding import jobs  # noqa: F401  (registers the import job)
