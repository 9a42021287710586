"""Staff that lokets (and regions) manage themselves: invitations, ending a role, grants.

An invitation carries a random token that only the e-mail holds; the database keeps its
SHA-256 (``Invitation.token_hash``). It can be accepted once, for ``INVITATION_DAYS``
days, by the account with the invited address; resending makes a new token (the old
link stops working) and cancelling ends it. Accepting creates the ``Membership``.

Every change is recorded in the loket's audit trail (``tenants.audit``), by ids only
(the trail holds no e-mail address); a region has no schema of its own, so a
coordinator's invitation is written to the ``opvangloket.audit`` log instead.

Who may call these is the caller's check (pages and API: ``shared.accounts.permissions``;
the ``staff_invite`` command: the operator). The services check what is asked: a role
that fits the loket or region, an open invitation, the invited address.

Lock order: the invitation row (``select_for_update``), then the membership.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from shared.accounts.models import Invitation, Membership, User
from shared.accounts.services import membership_grant
from shared.lokets.branding import branding_for
from shared.lokets.emails import email_message
from shared.lokets.links import host_url, loket_page_url
from shared.lokets.models import Loket, Region
from shared.lokets.outbox import outbox_add

logger = logging.getLogger(__name__)
audit_log = logging.getLogger("opvangloket.audit")

INVITATION_DAYS = 7
LOKET_ROLES = (Membership.Role.LOKET_STAFF, Membership.Role.PROVIDER_STAFF)
REGION_ROLES = (Membership.Role.REGION_COORDINATOR,)


class InvitationState:
    """Why a link no longer works (or ``OPEN``)."""

    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    CANCELLED = "cancelled"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_state(*, invitation: Invitation | None, now: datetime) -> str:
    if invitation is None:
        return InvitationState.UNKNOWN
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.cancelled_at is not None:
        return InvitationState.CANCELLED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation of this link's token, whatever its state; None for no such token."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("loket", "region", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_for_next(*, next_path: str) -> Invitation | None:
    """The open invitation a sign-up's ``next`` leads back to (``/uitnodiging/<token>/``)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(next_path.split("?", 1)[0])
    except (Resolver404, ValueError):
        return None
    if match.url_name != "invitation_accept":
        return None
    invitation = invitation_by_token(token=match.kwargs.get("token", ""))
    if invitation_state(invitation=invitation, now=timezone.now()) != InvitationState.OPEN:
        return None
    return invitation


def invitation_url(*, invitation: Invitation, token: str) -> str:
    """The link in the e-mail: on the loket's own host, or on the region's portal."""
    if invitation.loket is not None:
        return loket_page_url(loket=invitation.loket, name="invitation_accept", token=token)
    path = reverse("invitation_accept", urlconf="opvangloket.urls_public", kwargs={"token": token})
    return host_url(host=invitation.region.domain, path=path)


def roles_for(*, loket: Loket | None = None, region: Region | None = None) -> tuple[str, ...]:
    """The roles an invitation can give in this loket or region."""
    if region is not None:
        return REGION_ROLES
    if loket is None:
        return ()
    if loket.is_auditor:
        # Only operators invite auditors (``staff_invite``): the auditor tenant has no
        # team pages.
        return (Membership.Role.AUDITOR,)
    return LOKET_ROLES


# --- Audit ------------------------------------------------------------------------------


def _audit(
    *,
    actor: User | None,
    loket: Loket | None,
    region: Region | None,
    event: str,
    object_id: int | None,
    created: bool = False,
    object_type: str | None = None,
    **details: int | str,
) -> None:
    """One event in the loket's trail (ids and kinds only); for a region, in the log."""
    if loket is None:
        audit_log.info(
            "region staff: %s",
            event,
            extra={
                "region": region.slug if region else "",
                "actor_id": actor.pk if actor is not None else None,
                "object_id": object_id,
                **details,
            },
        )
        return
    from tenants.audit.models import AuditEvent
    from tenants.audit.services import audit_record

    with tenant_context(loket):
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATED if created else AuditEvent.Action.CHANGED,
            object_type=object_type or AuditEvent.ObjectType.MEMBERSHIP,
            object_id=object_id,
            details={"event": event, **details},
        )


# --- E-mail -----------------------------------------------------------------------------


def _email_language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _send_after_commit(*, invitation: Invitation, token: str, inviter: User | None) -> None:
    """Render the invitation in its language now and write it to the outbox in this
    transaction (``shared.lokets.outbox``): it leaves once the invitation is committed, at
    least once, and a mail server that is down only delays it."""
    language = _email_language(invitation.language)
    context = {
        "invitation": invitation,
        "place": invitation.loket or invitation.region,
        "inviter": inviter.get_full_name() if inviter is not None else "",
        "url": invitation_url(invitation=invitation, token=token),
        "days": INVITATION_DAYS,
    }
    with translation.override(language):
        context["role"] = invitation.get_role_display()
        subject = render_to_string(f"accounts/email/invitation_subject.{language}.txt", context)
        body = render_to_string(f"accounts/email/invitation_body.{language}.txt", context)
    face = branding_for(loket=invitation.loket, region=invitation.region)
    message = email_message(
        subject=subject, text=body, to=[invitation.email], face=face, language=language
    )
    outbox_add(message=message, loket=invitation.loket)


# --- Services ---------------------------------------------------------------------------


def _check_locations(*, loket: Loket, role: str, location_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(pk) for pk in location_ids})
    if not ids:
        return []
    if role != Membership.Role.PROVIDER_STAFF:
        raise ValidationError(
            _("Only provider staff are granted locations."), code="locations_for_provider_only"
        )
    from tenants.providers.models import Location

    with tenant_context(loket):
        found = set(Location.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        raise ValidationError(_("Choose locations of this loket."), code="unknown_location")
    return ids


def _new_token(invitation: Invitation, *, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    return token


@transaction.atomic
def invitation_create(
    *,
    inviter: User | None,
    email: str,
    role: str,
    loket: Loket | None = None,
    region: Region | None = None,
    language: str = "nl",
    location_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``role`` in ``loket`` (or ``region``); e-mail the link after
    commit. Returns the invitation and its link (the token is not kept)."""
    now = now or timezone.now()
    email = email.strip().lower()
    if (loket is None) == (region is None):
        raise ValueError("an invitation is for one loket or one region")
    if role not in roles_for(loket=loket, region=region):
        raise ValidationError(_("This role cannot be given here."), code="role")
    scope = {"loket": loket} if loket is not None else {"region": region}
    if Membership.objects.filter(user__email__iexact=email, role=role, **scope).exists():
        raise ValidationError(_("%(email)s already has this role."), params={"email": email})
    open_invitations = Invitation.objects.filter(
        email=email,
        role=role,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
        expires_at__gt=now,
        **scope,
    )
    if open_invitations.exists():
        raise ValidationError(
            _("%(email)s has already been invited to this role; resend that invitation."),
            params={"email": email},
            code="already_invited",
        )
    ids = _check_locations(loket=loket, role=role, location_ids=location_ids) if loket else []
    invitation = Invitation(
        email=email,
        role=role,
        language=_email_language(language),
        location_ids=ids,
        invited_by=inviter if inviter is not None and inviter.is_authenticated else None,
        created_at=now,
        **scope,
    )
    token = _new_token(invitation, now=now)
    invitation.full_clean(exclude=["token_hash", "invited_by"])
    invitation.save()
    _audit(
        actor=inviter,
        loket=loket,
        region=region,
        event="invited",
        object_id=invitation.pk,
        created=True,
        role=role,
    )
    _send_after_commit(invitation=invitation, token=token, inviter=inviter)
    return invitation, invitation_url(invitation=invitation, token=token)


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("loket", "region")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(
    *, invitation: Invitation, actor: User | None, now: datetime | None = None
) -> tuple[Invitation, str]:
    """A new link (the old one stops working), valid ``INVITATION_DAYS`` from now."""
    now = now or timezone.now()
    invitation = _locked(invitation)
    if invitation.accepted_at is not None or invitation.cancelled_at is not None:
        raise ValidationError(
            _("This invitation has been accepted or cancelled."), code="invitation_closed"
        )
    token = _new_token(invitation, now=now)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    _audit(
        actor=actor,
        loket=invitation.loket,
        region=invitation.region,
        event="invitation_resent",
        object_id=invitation.pk,
    )
    _send_after_commit(invitation=invitation, token=token, inviter=actor)
    return invitation, invitation_url(invitation=invitation, token=token)


@transaction.atomic
def invitation_cancel(
    *, invitation: Invitation, actor: User | None, now: datetime | None = None
) -> Invitation:
    now = now or timezone.now()
    invitation = _locked(invitation)
    if invitation.accepted_at is not None:
        raise ValidationError(
            _("This invitation has already been accepted."), code="invitation_closed"
        )
    if invitation.cancelled_at is None:
        invitation.cancelled_at = now
        invitation.save(update_fields=["cancelled_at"])
        _audit(
            actor=actor,
            loket=invitation.loket,
            region=invitation.region,
            event="invitation_cancelled",
            object_id=invitation.pk,
        )
    return invitation


def email_matches(*, invitation: Invitation, user: User) -> bool:
    return user.is_authenticated and user.email.lower() == invitation.email.lower()


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, now: datetime | None = None
) -> Membership:
    """Give ``user`` the invited role (and, for provider staff, the invited locations).

    Only for the account with the invited address: the link proves that the holder reads
    that mailbox, so the address counts as verified from then on.
    """
    now = now or timezone.now()
    invitation = _locked(invitation)
    if invitation_state(invitation=invitation, now=now) != InvitationState.OPEN:
        raise ValidationError(_("This invitation link is no longer valid."), code="invalid")
    if not email_matches(invitation=invitation, user=user):
        raise ValidationError(
            _("This invitation is for another e-mail address."), code="other_email"
        )
    membership = membership_grant(
        user=user, role=invitation.role, loket=invitation.loket, region=invitation.region
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    _audit(
        actor=user,
        loket=invitation.loket,
        region=invitation.region,
        event="invitation_accepted",
        object_id=membership.pk,
        created=True,
        role=invitation.role,
        invitation=invitation.pk,
        user=user.pk,
    )
    if invitation.loket is not None and invitation.location_ids:
        from tenants.providers.models import Location

        with tenant_context(invitation.loket):
            # A location deleted since the invitation is simply not granted.
            still_there = list(
                Location.objects.filter(pk__in=invitation.location_ids).values_list("pk", flat=True)
            )
        provider_locations_set(
            membership=membership,
            location_ids=[*provider_location_ids(membership=membership), *still_there],
            actor=invitation.invited_by,
        )
    return membership


@transaction.atomic
def staff_grant_now(
    *,
    actor: User | None,
    user: User,
    role: str,
    loket: Loket | None = None,
    region: Region | None = None,
) -> Membership:
    """Give an existing account a role at once (the operator's ``staff_invite``)."""
    if role not in roles_for(loket=loket, region=region):
        raise ValidationError(_("This role cannot be given here."), code="role")
    membership = membership_grant(user=user, role=role, loket=loket, region=region)
    _audit(
        actor=actor,
        loket=loket,
        region=region,
        event="granted",
        object_id=membership.pk,
        created=True,
        role=role,
        user=user.pk,
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: User | None) -> None:
    """End a staff role: from the next request on, the person reaches none of its pages.

    Provider staff lose their location grants in that loket too. Nobody ends their own
    role (a loket must not lock itself out by a slip).
    """
    if actor is not None and membership.user_id == actor.pk:
        raise ValidationError(_("You cannot end your own role."), code="own_membership")
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("loket", "region", "user")
        .get(pk=membership.pk)
    )
    if membership.loket is not None and membership.role == Membership.Role.PROVIDER_STAFF:
        provider_locations_set(membership=membership, location_ids=[], actor=actor)
    _audit(
        actor=actor,
        loket=membership.loket,
        region=membership.region,
        event="ended",
        object_id=membership.pk,
        role=membership.role,
        user=membership.user_id,
    )
    membership.delete()


def provider_location_ids(*, membership: Membership) -> list[int]:
    """The locations granted to this provider staff member, in their loket."""
    from tenants.providers.models import Location
    from tenants.providers.selectors import locations_granted_to

    with tenant_context(membership.loket):
        return list(
            locations_granted_to(user=membership.user, locations=Location.objects.all())
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@transaction.atomic
def provider_locations_set(
    *, membership: Membership, location_ids: Iterable[int], actor: User | None
) -> list[int]:
    """Grant exactly these locations to a provider staff member (withdraw the others)."""
    from tenants.providers.models import Location
    from tenants.providers.services import location_grant, location_revoke

    if membership.role != Membership.Role.PROVIDER_STAFF or membership.loket is None:
        raise ValidationError(
            _("Only provider staff are granted locations."), code="locations_for_provider_only"
        )
    wanted = set(
        _check_locations(loket=membership.loket, role=membership.role, location_ids=location_ids)
    )
    held = set(provider_location_ids(membership=membership))
    with tenant_context(membership.loket):
        for location in Location.objects.filter(pk__in=sorted(wanted - held)).order_by("pk"):
            location_grant(location=location, user=membership.user, actor=actor)
        for location in Location.objects.filter(pk__in=sorted(held - wanted)).order_by("pk"):
            location_revoke(location=location, user=membership.user, actor=actor)
    return sorted(wanted)
