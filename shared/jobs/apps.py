from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "shared.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Every app's jobs.py registers its jobs with @loket_job / @platform_job.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
