"""Municipalities and postcodes (public schema)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A Belgian municipality, identified by its NIS code (Statbel)."""

    nis_code = models.CharField(_("NIS code"), max_length=5, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    province_nl = models.CharField(_("province (Dutch)"), max_length=100, blank=True)
    province_fr = models.CharField(_("province (French)"), max_length=100, blank=True)
    region_nl = models.CharField(_("region (Dutch)"), max_length=100, blank=True)
    main_postcode = models.CharField(_("main postcode"), max_length=4, blank=True)

    class Meta:
        ordering = ["name_nl"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language: French for French, Dutch otherwise."""
        if (get_language() or "nl").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name_nl


class Postcode(models.Model):
    """A postcode and one of its places, with the place's centre for search by distance."""

    code = models.CharField(_("postcode"), max_length=4, db_index=True)
    place = models.CharField(_("place"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        related_name="postcodes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["code", "place"]
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        constraints = [
            models.UniqueConstraint(fields=["code", "place"], name="postcode_code_place_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.place}"
