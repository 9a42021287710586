"""The parents' portal keeps only unfinished requests (drafts), encrypted."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RequestDraft(models.Model):
    """A parent's unfinished request, encrypted: the public schema holds no readable data."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="request_drafts", on_delete=models.CASCADE
    )
    # On a loket's host the draft belongs to that loket's staff desk or its parents.
    loket = models.ForeignKey(
        "lokets.Loket", related_name="+", on_delete=models.CASCADE, null=True, blank=True
    )
    encrypted_payload = models.TextField()
    step = models.CharField(max_length=20, default="child")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        db_table = "portal_requestdraft"

    def __str__(self) -> str:
        return f"draft {self.pk} of {self.owner_id}"
