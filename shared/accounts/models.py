"""Accounts and staff memberships (public schema): one account works in every loket."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The e-mail domain of the accounts that planning software acts as (client credentials,
# ``tenants.planning_clients``): reserved (RFC 2606), so no person has an address there.
SERVICE_ACCOUNT_DOMAIN = "koppelingen.invalid"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: parent, provider or loket staff, coordinator, auditor or operator.

    ``is_staff`` means platform operator (Django admin); roles in a loket are memberships.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    is_staff = models.BooleanField(_("platform operator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # A guardian proven by government login: the keyed hash of their national register
    # number (shared.accounts.government_login.claims.guardian_key), never the number.
    # One number, one account.
    guardian_key = models.CharField(
        _("national register number (keyed hash)"), max_length=64, blank=True, editable=False
    )
    # Raised by every logout: a session (on any host of any region) that was made under an
    # older value is logged out at its next request (shared.accounts.region_login).
    login_generation = models.PositiveIntegerField(
        _("login generation"), default=0, db_default=0, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian_key"],
                condition=~Q(guardian_key=""),
                name="accounts_user_one_account_per_guardian",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Membership(models.Model):
    """A staff role of a user: in one loket, or (region coordinator) in one region."""

    class Role(models.TextChoices):
        LOKET_STAFF = "loket_staff", _("loket staff")
        PROVIDER_STAFF = "provider_staff", _("provider staff")
        REGION_COORDINATOR = "region_coordinator", _("region coordinator")
        AUDITOR = "auditor", _("auditor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="memberships",
        on_delete=models.CASCADE,
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    loket = models.ForeignKey(
        "lokets.Loket",
        verbose_name=_("loket"),
        related_name="memberships",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "lokets.Region",
        verbose_name=_("region"),
        related_name="memberships",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Granted by a government login's role claim (shared.accounts.government_login.staff_claims):
    # withdrawn again when a later login no longer claims it. Empty: granted by people.
    granted_by_claim = models.BooleanField(
        _("from the government login's role claim"), default=False, db_default=False
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # A coordinator belongs to a region; every other role to exactly one loket.
            models.CheckConstraint(
                condition=(
                    Q(role="region_coordinator", region__isnull=False, loket__isnull=True)
                    | (~Q(role="region_coordinator") & Q(loket__isnull=False, region__isnull=True))
                ),
                name="membership_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "loket"],
                condition=Q(loket__isnull=False),
                name="membership_unique_per_loket",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_per_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.loket or self.region}"


class Invitation(models.Model):
    """An invitation by e-mail to a staff role in a loket (or, for coordinators, a region).

    Only the SHA-256 of its random token is kept: the link in the e-mail is the only
    copy. It can be used once, until ``expires_at``; resending makes a new token (the
    old link stops working), cancelling ends it. For provider staff it may name the
    loket's locations to grant them on acceptance (ids in the loket's schema).
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=30, choices=Membership.Role.choices)
    loket = models.ForeignKey(
        "lokets.Loket",
        verbose_name=_("loket"),
        related_name="invitations",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "lokets.Region",
        verbose_name=_("region"),
        related_name="invitations",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="nl"
    )
    location_ids = models.JSONField(_("locations"), default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="region_coordinator", region__isnull=False, loket__isnull=True)
                    | (~Q(role="region_coordinator") & Q(loket__isnull=False, region__isnull=True))
                ),
                name="invitation_scope_matches_role",
            ),
        ]
        indexes = [models.Index(fields=["loket", "email"], name="invitation_loket_email")]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.loket or self.region}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class LoginHandoff(models.Model):
    """A one-time hand-off of a login from a region's portal to one loket host of it.

    Only the SHA-256 of the random token is kept; the token itself travels once in the
    browser's address bar (``/aanmelden/overdracht/?token=``), is valid for
    ``REGION_LOGIN_HANDOFF_SECONDS`` and is used at most once (``shared.accounts.region_login``).
    """

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="login_handoffs", on_delete=models.CASCADE
    )
    region = models.ForeignKey("lokets.Region", related_name="+", on_delete=models.CASCADE)
    host = models.CharField(max_length=253)
    language = models.CharField(max_length=5, blank=True)
    # allauth's records of how the portal session was authenticated (password, mfa, ...).
    authentication_records = models.JSONField(default=list)
    generation = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login hand-off")
        verbose_name_plural = _("login hand-offs")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.host}"
