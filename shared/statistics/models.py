"""Monthly snapshots of the figures, so that a report for a past month never changes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureSnapshot(models.Model):
    """The figures of one scope (``all``, ``region:<id>``, ``loket:<id>``) for one month."""

    scope = models.CharField(_("scope"), max_length=40)
    month = models.DateField(_("month"))  # the first day of the month
    figures = models.JSONField(_("figures"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "scope"]
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="statistics_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m}"
