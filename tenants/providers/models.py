"""Organizers, locations and free places of one loket (the loket's own schema)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared.catalogue.vocabulary import LANGUAGES, AgeGroup, CareKind, Tariff, Weekday

company_number_validator = RegexValidator(
    r"^0?[01]\d{9}$|^[01]\d{3}\.\d{3}\.\d{3}$",
    _("Enter a company number of 10 digits, such as 0123.456.749."),
)


def validate_company_number(value: str) -> None:
    """Belgian company numbers (KBO/BCE) end in a modulo-97 check of their first 8 digits."""
    digits = "".join(char for char in value if char.isdigit())
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10 or 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise ValidationError(
            _("%(value)s is not a valid company number."), params={"value": value}
        )


def default_priority_order() -> list[str]:
    return ["work_or_training", "sibling", "foster_child"]


def is_priority_order(order: list[str]) -> bool:
    """Every priority group (``requests.models.Priority`` values) exactly once.

    Enforced by ``tenants.providers.services`` when a location is saved.
    """
    return len(order) == len(set(order)) and set(order) == set(default_priority_order())


class Organizer(models.Model):
    """An organisation that runs one or more childcare locations."""

    name = models.CharField(_("name"), max_length=150)
    company_number = models.CharField(
        _("company number"),
        max_length=12,
        blank=True,
        validators=[validate_company_number],
        help_text=_("KBO number, e.g. 0123.456.749"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organizer")
        verbose_name_plural = _("organizers")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where children are cared for, as Opgroeien licenses it."""

    organizer = models.ForeignKey(
        Organizer, verbose_name=_("organizer"), related_name="locations", on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind of care"), max_length=20, choices=CareKind.choices)
    dossier_number = models.CharField(
        _("Opgroeien dossier number"), max_length=20, blank=True, db_index=True
    )
    street = models.CharField(_("street and number"), max_length=150)
    postcode = models.CharField(
        _("postcode"), max_length=4, validators=[RegexValidator(r"^\d{4}$", _("Four digits."))]
    )
    place = models.CharField(_("place"), max_length=100)
    # A public-schema table: allowed (tenant tables may point at public ones, not the reverse).
    municipality = models.ForeignKey(
        "geography.Municipality",
        verbose_name=_("municipality"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    licensed_capacity = models.PositiveSmallIntegerField(
        _("licensed places"), validators=[MinValueValidator(1)]
    )
    age_min_months = models.PositiveSmallIntegerField(_("youngest age (months)"), default=0)
    age_max_months = models.PositiveSmallIntegerField(_("oldest age (months)"), default=36)
    opening_days = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        verbose_name=_("opening days"),
        default=list,
        blank=True,
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    tariff = models.CharField(_("tariff"), max_length=20, choices=Tariff.choices)
    daily_price = models.DecimalField(
        _("daily price (EUR)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=LANGUAGES),
        verbose_name=_("languages spoken"),
        default=list,
        blank=True,
    )
    is_inclusive = models.BooleanField(
        _("inclusive care"),
        default=False,
        help_text=_("Cares for children with specific care needs."),
    )
    description = models.TextField(_("short description"), blank=True, max_length=2000)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Income-related tariff: how this location ranks the three groups with absolute
    # priority among themselves (Priority values, first ranks highest).
    priority_order = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("order of the priority groups"),
        default=default_priority_order,
        blank=True,
    )
    # The location stops (or loses its licence) on this day; set by ``location_close``.
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closing_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(age_min_months__lte=models.F("age_max_months")),
                name="location_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(tariff="income_related") | Q(daily_price__isnull=False),
                name="location_free_price_has_daily_price",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def opening_day_names(self) -> list[str]:
        return [str(Weekday(day).label) for day in sorted(self.opening_days)]

    def clean(self) -> None:
        errors = {}
        ages = (self.age_min_months, self.age_max_months)
        if None not in ages and ages[0] > ages[1]:
            errors["age_max_months"] = _("The oldest age must not be below the youngest.")
        if self.tariff == Tariff.FREE_PRICE and self.daily_price is None:
            errors["daily_price"] = _("A location with a free price states its daily price.")
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            errors["closes_at"] = _("Closing time must be after opening time.")
        # The order of the priority groups is checked by the services (location_create,
        # location_update), with the loket's other rules.
        if errors:
            raise ValidationError(errors)


class ClosingPeriod(models.Model):
    """A period in which a location is closed (holidays, bridge days)."""

    location = models.ForeignKey(Location, related_name="closing_periods", on_delete=models.CASCADE)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closing period")
        verbose_name_plural = _("closing periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="closing_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"


class Availability(models.Model):
    """The provider's correction of the free places of one month and age group.

    The free places a location publishes are its licensed places minus the placements of
    that month and the offers waiting for an answer (``tenants.providers.occupancy``),
    plus ``correction``: what the provider said (``free_places``, when and by whom)
    minus what that count was at that moment. A row kept from before corrections existed
    (``correction`` empty) is the provider's own count, as it was then.
    """

    location = models.ForeignKey(Location, related_name="availabilities", on_delete=models.CASCADE)
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    age_group = models.CharField(_("age group"), max_length=12, choices=AgeGroup.choices)
    free_places = models.PositiveSmallIntegerField(_("free places"))
    correction = models.SmallIntegerField(_("correction"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["month", "age_group"]
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        constraints = [
            models.UniqueConstraint(
                fields=["location", "month", "age_group"], name="availability_unique_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="availability_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location} {self.month:%m/%Y} {self.age_group}: {self.free_places}"
