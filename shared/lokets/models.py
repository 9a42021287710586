"""Lokets (tenants, one PostgreSQL schema each), their domains, and regions (public schema)."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from shared.lokets.colours import (  # noqa: F401
    brand_colour_validator,
    colour_normalise,
    colour_validator,
)

slug_validator = RegexValidator(
    r"^[a-z][a-z0-9-]{1,40}$",
    _("Use 2 to 41 lower-case letters, digits or hyphens, starting with a letter."),
)


class BrandColourField(models.CharField):
    """A colour as #rrggbb, read in lower case whichever case it was typed in (the admin's
    model form, like the staff page and the API), before its validators run."""

    def to_python(self, value):
        value = super().to_python(value)
        return colour_normalise(value) if value else value


class Branded(models.Model):
    """A loket's or a region's own face (``shared.lokets.branding``): its colour and the
    text in the page footer; empty falls back to the region's, then the platform's."""

    brand_colour = BrandColourField(
        _("brand colour"),
        max_length=7,
        blank=True,
        default="",
        db_default="",
        # The contrast check lives on the field: the admin cannot bypass it either.
        validators=[brand_colour_validator],
        help_text=_("As #rrggbb; dark enough for white text on it and for links on the page."),
    )
    footer_text = models.CharField(
        _("footer text"), max_length=300, blank=True, default="", db_default=""
    )

    class Meta:
        abstract = True


class Region(Branded):
    """A group of lokets with a shared portal (an intercommunal body, a province)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, validators=[slug_validator])
    domain = models.CharField(
        _("portal domain"),
        max_length=253,
        unique=True,
        help_text=_("Host name of the region's portal, without port."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Loket(TenantMixin, Branded):
    """A Lokaal Loket Kinderopvang. Its providers and requests live in its own schema."""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("municipal loket")
        INTERMUNICIPAL = "intermunicipal", _("intermunicipal loket")
        AUDITOR = "auditor", _("auditor (read-only)")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=41, unique=True, validators=[slug_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        related_name="lokets",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    municipalities = models.ManyToManyField(
        "geography.Municipality",
        verbose_name=_("working area"),
        related_name="lokets",
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("One line per day or period.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Rules of this loket for requests (defaults from domain practice; each a loket setting).
    max_choices = models.PositiveSmallIntegerField(
        _("maximum number of locations per request"),
        null=True,
        blank=True,
        help_text=_("Empty: no maximum."),
    )
    registration_window_months = models.PositiveSmallIntegerField(
        _("earliest registration (months before the start)"), default=12
    )
    registration_from_pregnancy_month = models.PositiveSmallIntegerField(
        _("earliest registration (month of pregnancy)"), default=3
    )
    response_days = models.PositiveSmallIntegerField(_("days for providers to answer"), default=21)
    offer_answer_days = models.PositiveSmallIntegerField(
        _("days for parents to answer an offer"), default=14
    )
    confirmation_interval_months = models.PositiveSmallIntegerField(
        _("confirm open requests every (months)"),
        default=3,
        help_text=_("0: parents need not confirm."),
    )
    # How long a closed request (withdrawn, lapsed, placed, cancelled) keeps its personal
    # data; then the job requests.anonymise_closed removes it (tenants.requests.retention).
    personal_data_retention_months = models.PositiveSmallIntegerField(
        _("keep personal data of closed requests for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "After this many months a closed request keeps no names, contact data, address, "
            "national register number or free text; the figures stay the same."
        ),
    )
    # Transparency for parents: where their child stands on each location's waiting list.
    shows_waiting_position = models.BooleanField(
        _("show parents their child's place on the waiting list"),
        default=False,
        help_text=_(
            "Per chosen location: the place among the children waiting for that location "
            "and start month, in the order of the rules (for example: 3rd of 11)."
        ),
    )
    # Allocation rounds (tenants.allocation.rounds): all requests of a start period at once.
    uses_allocation_rounds = models.BooleanField(
        _("allocation rounds"),
        default=False,
        help_text=_(
            "The loket sets rounds (start months and a decision date); on that date every "
            "child waiting for those months gets at most one proposed place at once."
        ),
    )
    # The first part of this loket's references, unique across lokets (shared.lokets.references).
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=5,
        unique=True,
        editable=False,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{2,4}$")],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who runs the loket (a municipality, an intercommunal body, an OCMW association).
    organiser_name = models.CharField(
        _("organised by"), max_length=150, blank=True, default="", db_default=""
    )

    # Schemas are created by services.loket_create from the template's script.
    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("loket")
        verbose_name_plural = _("lokets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["municipal", "intermunicipal", "auditor"]),
                name="loket_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Make the schema from the template's DDL script (``shared.lokets.schema_script``)
        when there is one for the code's migration state; else as django-tenants does."""
        from django.core.management import call_command
        from django.db import connection
        from django_tenants.utils import get_creation_fakes_migrations, schema_exists

        from shared.lokets.schema_script import schema_create_from_script

        if check_if_exists and schema_exists(self.schema_name):
            return False
        if sync_schema and get_creation_fakes_migrations():
            if schema_create_from_script(schema=self.schema_name):
                connection.set_schema_to_public()
                return True
            # No script for this migration state: never clone a template that may be
            # behind; replay the migrations instead.
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(self.schema_name)}")
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=self.schema_name,
                interactive=False,
                verbosity=verbosity,
            )
            connection.set_schema_to_public()
            return True
        return super().create_schema(check_if_exists, sync_schema, verbosity)

    @property
    def is_auditor(self) -> bool:
        return self.kind == self.Kind.AUDITOR

    @property
    def opening_hours_lines(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


class SchemaScript(models.Model):
    """The DDL of the template schema at one migration state (``shared.lokets.schema_script``):
    new lokets are made from it instead of replaying every migration."""

    migration_state = models.CharField(max_length=64, unique=True)
    migrations = models.PositiveIntegerField()
    template = models.CharField(max_length=63)
    script = models.TextField()
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.template} @ {self.migration_state[:12]} ({self.migrations} migrations)"


class Domain(DomainMixin):
    """A host name that serves one loket (``herent.example.be``).

    ``redirects_to_primary``: a host of a merged or renamed loket; every page answers a
    301 to the same path on the loket's primary domain (``opvangloket.middleware``).
    """

    redirects_to_primary = models.BooleanField(
        _("redirects to the primary domain"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class LoketMerger(models.Model):
    """One loket merged into another (``shared.lokets.merging``), kept after the merged
    loket's schema is dropped: what moved, where its references went, when its schema goes.

    While ``schema_dropped_at`` is empty the merged loket's row and schema stay, read-only
    (inactive, no host serves it: its domains redirect to the target).
    """

    source = models.OneToOneField(
        Loket,
        verbose_name=_("merged loket"),
        related_name="merger",
        on_delete=models.SET_NULL,
        null=True,
    )
    target = models.ForeignKey(
        Loket, verbose_name=_("merged into"), related_name="mergers", on_delete=models.PROTECT
    )
    source_name = models.CharField(_("name of the merged loket"), max_length=120)
    source_slug = models.CharField(max_length=41)
    source_schema = models.CharField(max_length=63)
    # Never given to a new loket again: the merged loket's references live on here.
    source_reference_prefix = models.CharField(max_length=5, unique=True)
    merged_at = models.DateTimeField(_("merged at"))
    merged_by = models.CharField(_("merged by"), max_length=254, blank=True)
    report = models.JSONField(default=dict, blank=True)
    schema_dropped_at = models.DateTimeField(_("schema dropped at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("loket merger")
        verbose_name_plural = _("loket mergers")

    def __str__(self) -> str:
        return f"{self.source_name} → {self.target}"


class BrandImage(models.Model):
    """A logo or favicon of one loket or one region, kept in the database (small: at most
    ``branding.MAX_IMAGE_BYTES``), served at ``/huisstijl/<kind>`` of the hosts it is for."""

    class Kind(models.TextChoices):
        LOGO = "logo", _("logo")
        FAVICON = "favicon", _("favicon")

    loket = models.ForeignKey(
        Loket, related_name="brand_images", on_delete=models.CASCADE, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, related_name="brand_images", on_delete=models.CASCADE, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content = models.BinaryField(_("image"))
    content_type = models.CharField(_("content type"), max_length=40)
    # SHA-256 of the content: the ETag, and the version in the image's URL.
    digest = models.CharField(max_length=64)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("brand image")
        verbose_name_plural = _("brand images")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(loket__isnull=False, region__isnull=True)
                | models.Q(loket__isnull=True, region__isnull=False),
                name="brand_image_one_owner",
            ),
            models.UniqueConstraint(
                fields=["loket", "kind"],
                condition=models.Q(loket__isnull=False),
                name="brand_image_loket_kind",
            ),
            models.UniqueConstraint(
                fields=["region", "kind"],
                condition=models.Q(region__isnull=False),
                name="brand_image_region_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["logo", "favicon"]), name="brand_image_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.loket or self.region}"


class OutgoingEmail(models.Model):
    """An e-mail to send, written in the transaction that decided to send it
    (``shared.lokets.outbox``): it leaves at least once, even when the process that
    committed is killed before the mail server took it. Personal data: a sent row is
    deleted after ``OUTBOX_RETENTION_DAYS``."""

    # Which loket it came from, for the job's report only (no key: the loket may go).
    loket_id = models.BigIntegerField(null=True, blank=True)
    to = models.JSONField(default=list)
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.TextField()
    text = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outgoing_email_unsent",
            ),
            models.Index(
                fields=["sent_at"],
                condition=models.Q(sent_at__isnull=False),
                name="outgoing_email_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({'sent' if self.sent_at else 'unsent'})"
