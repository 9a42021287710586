"""One row per run of a job, in the public schema: operators inspect every loket in one place.

Only names, times, counts and the error's text are kept: no personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        # Its worker stopped (killed, connection lost) before it finished: set by the
        # next run of the same job for the same loket, which then does the work.
        INTERRUPTED = "interrupted", _("interrupted")

    job = models.CharField(_("job"), max_length=80)
    # Empty for platform jobs (run once, in the public schema).
    loket = models.ForeignKey(
        "lokets.Loket",
        verbose_name=_("loket"),
        related_name="+",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    # The job's clock: what the job took as "now" (a test or a catch-up run may differ).
    ran_for = models.DateTimeField(_("run for"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=11, choices=Status.choices, default=Status.RUNNING
    )
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [
            models.Index(fields=["job", "loket", "status", "-ran_for"], name="jobrun_last"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.loket_id or 'platform'} {self.started_at:%Y-%m-%d %H:%M}"
