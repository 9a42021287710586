"""Planning software registered by a loket (its own schema): an OAuth2 client with a
service account whose role and location grants limit what its tokens reach."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from tenants.planning_clients.scopes import Scope


class PlanningClient(models.Model):
    """One piece of planning software with its client id; the secret is kept hashed.

    ``user`` is the client's service account (public schema, no password): provider
    software holds the provider staff role with grants on its locations, loket software
    the loket staff role, so every existing check on the API limits its tokens too.
    """

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("provider's planning software")
        LOKET = "loket", _("loket's software")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    scopes = ArrayField(
        models.CharField(max_length=30, choices=Scope.choices), verbose_name=_("scopes")
    )
    # Kept after revocation (the application and its tokens are deleted then).
    client_id = models.CharField(_("client id"), max_length=100, unique=True)
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("OAuth2 application"),
        related_name="planning_client",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    created_at = models.DateTimeField(_("registered at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("planning client")
        verbose_name_plural = _("planning clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
