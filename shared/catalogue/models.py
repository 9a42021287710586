"""The regional catalogue of locations (public schema): one row per published location of any loket.

Written by ``catalogue_location_sync`` in the same transaction as the change in the
loket's schema, so a search across lokets is one indexed query and never stale.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared.catalogue.vocabulary import AgeGroup, CareKind, Tariff


class CatalogueLocation(models.Model):
    loket = models.ForeignKey(
        "lokets.Loket", related_name="catalogue_locations", on_delete=models.CASCADE
    )
    # Denormalised from the loket, so that a region's search needs no join.
    region = models.ForeignKey(
        "lokets.Region",
        related_name="catalogue_locations",
        on_delete=models.SET_NULL,
        null=True,
    )
    # The location's id in the loket's own schema (not a foreign key: another schema).
    location_id = models.BigIntegerField()
    name = models.CharField(max_length=150)
    organizer_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=CareKind.choices)
    dossier_number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=150)
    postcode = models.CharField(max_length=4)
    place = models.CharField(max_length=100)
    municipality = models.ForeignKey(
        "geography.Municipality", related_name="catalogue_locations", on_delete=models.PROTECT
    )
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    licensed_capacity = models.PositiveSmallIntegerField()
    age_min_months = models.PositiveSmallIntegerField()
    age_max_months = models.PositiveSmallIntegerField()
    opening_days = ArrayField(models.PositiveSmallIntegerField(), default=list)
    opens_at = models.TimeField(null=True)
    closes_at = models.TimeField(null=True)
    tariff = models.CharField(max_length=20, choices=Tariff.choices)
    daily_price = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    languages = ArrayField(models.CharField(max_length=5), default=list)
    is_inclusive = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    # [{"starts_on": "2026-07-20", "ends_on": "2026-08-07", "reason": "..."}]
    closing_periods = models.JSONField(default=list)
    # Folded name, organizer and place, for the free-text filter (no unaccent needed).
    search_text = models.TextField(blank=True)
    availability_updated_at = models.DateTimeField(null=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("catalogue location")
        verbose_name_plural = _("catalogue locations")
        constraints = [
            models.UniqueConstraint(
                fields=["loket", "location_id"], name="catalogue_location_unique_per_loket"
            ),
        ]
        indexes = [
            models.Index(fields=["region", "kind"], name="catalogue_region_kind"),
            models.Index(fields=["municipality"], name="catalogue_municipality"),
            models.Index(fields=["latitude", "longitude"], name="catalogue_coordinates"),
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueAvailability(models.Model):
    """Free places of a catalogue location in one month and age group."""

    catalogue_location = models.ForeignKey(
        CatalogueLocation, related_name="availabilities", on_delete=models.CASCADE
    )
    month = models.DateField()
    age_group = models.CharField(max_length=12, choices=AgeGroup.choices)
    free_places = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["month", "age_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue_location", "month", "age_group"],
                name="catalogue_availability_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["month", "age_group", "free_places"], name="catalogue_avail_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.catalogue_location} {self.month:%m/%Y} {self.age_group}: {self.free_places}"
