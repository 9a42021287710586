"""Imports from another system into a loket (its own schema): each run, and what it made.

An ``ImportRun`` holds the uploaded file until the import has run (then the file is
dropped: it holds personal data) and keeps its report. An ``ExternalRecord`` remembers,
per kind of row, the other system's stable id of a row and the object it became, so that
a second run of the same file changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    LOCATIONS = "locations", _("locations and organizers")
    REQUESTS = "requests", _("requests (the waiting list)")
    FREE_PLACES = "free_places", _("free places")


class ImportRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused: nothing imported")
        FAILED = "failed", _("failed: nothing imported")

    kind = models.CharField(_("kind of file"), max_length=12, choices=ImportKind.choices)
    mapping = models.CharField(_("column mapping"), max_length=60, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    # The upload itself, dropped once the import has run.
    content = models.BinaryField(blank=True, default=b"")
    is_dry_run = models.BooleanField(_("only check"), default=False)
    language = models.CharField(max_length=5, default="nl")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Counts ({"created": n, "unchanged": n, ...}) and "problems": [{row, column, message}].
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class ExternalRecord(models.Model):
    """The other system's id of an imported row and the object it became here."""

    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    external_id = models.CharField(_("external id"), max_length=100)
    object_id = models.BigIntegerField()
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="external_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} → {self.object_id}"
