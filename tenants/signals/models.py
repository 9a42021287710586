"""A signal of a problem in a location (the loket's schema), for Opgroeien's follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LocationSignal(models.Model):
    location = models.ForeignKey(
        "providers.Location",
        verbose_name=_("location"),
        related_name="signals",
        # A signal is kept for Opgroeien when its location is deleted (with its name).
        on_delete=models.SET_NULL,
        null=True,
    )
    location_name = models.CharField(_("location"), max_length=150)
    happened_on = models.DateField(_("date"))
    what_happened = models.TextField(_("what happened"), max_length=4000)
    what_was_done = models.TextField(_("what was done"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # When its free text and who recorded it were removed (``tenants.signals.retention``).
    anonymised_at = models.DateTimeField(_("text removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")

    def __str__(self) -> str:
        return f"{self.happened_on} {self.location_name}"
