"""A parent's own data: download all of it, or erase the account (GDPR access and erasure).

``parent_data_export`` puts together the account, the unfinished requests (drafts) and
every request of the parent in every loket, each part read in its own loket's schema
(``tenants.requests.family_data``): only the entries whose parent is this user, never
another family's, nothing of the registry's internals.

``account_erase`` withdraws the parent's open requests (registry entries locked first,
then each loket's rows; ``part_set_status`` keeps the registry in step), removes the
personal data of every request of theirs (``tenants.requests.retention``), deletes the
drafts, e-mail addresses and government login identities, and closes the account for
good: it keeps no name, no address, no guardian key and no password, and can never log
in again. The figures keep counting the requests.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opvangloket.crypto import decrypt_text
from shared.accounts.models import Membership, User
from shared.portal.models import RequestDraft
from shared.registry.models import RegistryEntry
from tenants.requests.family_data import requests_export
from tenants.requests.parts import in_each_loket, lock_submission
from tenants.requests.retention import parts_anonymise, parts_withdraw

ERASED_BY_PARENT = "erasure_by_parent"
# An erased account's login: unique, in a domain that can never receive mail.
ERASED_EMAIL = "erased-{token}@erased.invalid"


def _drafts_of(user: User) -> list[dict[str, Any]]:
    drafts = []
    for record in RequestDraft.objects.filter(owner=user).order_by("updated_at", "id"):
        payload = json.loads(decrypt_text(record.encrypted_payload))
        if payload.get("mode", "parent") != "parent":
            continue  # a desk draft of loket staff: another family's data
        child = payload.get("child") or {}
        drafts.append(
            {
                "updated_at": record.updated_at.isoformat(),
                "child_name": f"{child.get('first_name', '')} {child.get('last_name', '')}".strip(),
                "steps": {
                    key: value
                    for key, value in payload.items()
                    if key not in {"mode", "completed", "choices", "child_id"}
                },
            }
        )
    return drafts


def parent_data_export(*, user: User, now: datetime) -> dict[str, Any]:
    """Everything the platform holds of this parent, as plain data (JSON-ready)."""
    entries = list(
        RegistryEntry.objects.filter(parent=user)
        .select_related("loket")
        .order_by("registered_at", "id")
    )
    requests: list[dict[str, Any]] = []
    for loket, loket_entries in in_each_loket(entries):
        requests += requests_export([entry.request_id for entry in loket_entries], loket=loket)
    requests.sort(key=lambda item: (item["registered_at"], item["reference"]))
    return {
        "generated_at": now.isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "verified_emails": sorted(
                EmailAddress.objects.filter(user=user, verified=True).values_list(
                    "email", flat=True
                )
            ),
        },
        "drafts": _drafts_of(user),
        "requests": requests,
    }


def erasure_refusal(*, user: User) -> str:
    """Why this account cannot erase itself here ("" when it can)."""
    if user.is_staff or Membership.objects.filter(user=user).exists():
        return _(
            "Your account also has a role at a loket, a provider or the platform, so it "
            "cannot be erased here. Ask the loket to end that role first."
        )
    return ""


@transaction.atomic
def account_erase(*, user: User, now: datetime) -> dict[str, int]:
    """Withdraw the parent's open requests, remove their personal data, close the account."""
    refusal = erasure_refusal(user=user)
    if refusal:
        raise ValidationError(refusal, code="has_role")
    # Every registry row of the parent first, in id order (the lock order of
    # tenants.requests.parts), then each submission's rows in the lokets.
    entries = list(
        RegistryEntry.objects.filter(parent=user)
        .select_for_update(of=("self",))
        .order_by("id")
        .values_list("id", "submission")
    )
    submissions = sorted({submission for _id, submission in entries})
    withdrawn = anonymised = 0
    for submission in submissions:
        parts = lock_submission(parent=user, submission=submission)
        withdrawn += parts_withdraw(parts, actor=user, now=now)
        anonymised += parts_anonymise(parts, actor=user, now=now, why=ERASED_BY_PARENT)
    RequestDraft.objects.filter(owner=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    # The government login's identities (their stored claims) and the guardian key: a later
    # government login of the same person makes a new account.
    SocialAccount.objects.filter(user=user).delete()
    # An authenticator app a parent set up themselves (its encrypted secret, recovery codes).
    Authenticator.objects.filter(user=user).delete()
    user.email = ERASED_EMAIL.format(token=uuid.uuid4().hex)
    user.full_name = ""
    user.guardian_key = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "guardian_key", "is_active", "password"])
    return {"withdrawn": withdrawn, "anonymised": anonymised}
