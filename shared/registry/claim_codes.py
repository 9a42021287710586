"""Claim codes: what a family without an account types to claim a desk registration later.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V pairs
to confuse), printed as ``XXXX-XXXX-XXXX``: about 58 bits, drawn with ``secrets``. The
registry keeps only its keyed hash (``opvangloket.crypto.keyed_hash``, purpose
``claim-code``), so nobody can read a code back from the database: the receipt printed
when it was issued is the only copy. One code per submission is live at a time; it works
once and until it expires (``CLAIM_CODE_DAYS``). Typing is forgiving: case, spaces and
hyphens do not matter.

The loket side (issuing from the desk, auditing, claiming) is ``tenants.requests.claim_codes``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from opvangloket.crypto import keyed_hash
from shared.accounts.models import User
from shared.lokets.models import Loket
from shared.registry.models import ClaimCode

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUPS = 3
GROUP_LENGTH = 4
CODE_LENGTH = GROUPS * GROUP_LENGTH


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the only moment its plain text exists."""

    submission: uuid.UUID
    code: str  # XXXX-XXXX-XXXX
    expires_at: datetime


def claim_code_normalise(typed: str) -> str:
    """The code as typed, without case, spaces or hyphens ("" when it cannot be a code)."""
    plain = "".join(char for char in typed.upper() if char.isalnum())
    if len(plain) != CODE_LENGTH or any(char not in ALPHABET for char in plain):
        return ""
    return plain


def claim_code_hash(typed: str) -> str:
    """The keyed hash a code is stored as ("" for what cannot be a code)."""
    plain = claim_code_normalise(typed)
    return keyed_hash(plain, purpose="claim-code") if plain else ""


def _new_code() -> str:
    plain = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(plain[i : i + GROUP_LENGTH] for i in range(0, CODE_LENGTH, GROUP_LENGTH))


def claim_code_create(
    *, submission: uuid.UUID, loket: Loket, issued_by: User | None, now: datetime
) -> IssuedCode:
    """A new code for ``submission``; the live one before it (if any) is revoked.

    Call inside the caller's transaction: the submission's codes are locked first, so two
    issues for one submission run one after the other.
    """
    live = list(
        ClaimCode.objects.select_for_update().filter(
            submission=submission, revoked_at__isnull=True, used_at__isnull=True
        )
    )
    ClaimCode.objects.filter(pk__in=[code.pk for code in live]).update(revoked_at=now)
    code = _new_code()
    expires_at = now + timedelta(days=settings.CLAIM_CODE_DAYS)
    ClaimCode.objects.create(
        submission=submission,
        code_hash=claim_code_hash(code),
        loket=loket,
        issued_by=issued_by,
        issued_at=now,
        expires_at=expires_at,
    )
    return IssuedCode(submission=submission, code=code, expires_at=expires_at)


def claim_code_live(*, submission: uuid.UUID, code: str, now: datetime) -> bool:
    """Whether ``code`` is the submission's live code (not used, revoked or expired)."""
    code_hash = claim_code_hash(code)
    return bool(code_hash) and (
        ClaimCode.objects.filter(
            submission=submission,
            code_hash=code_hash,
            revoked_at__isnull=True,
            used_at__isnull=True,
            expires_at__gt=now,
        ).exists()
    )


def claim_code_lock(*, code: str, now: datetime) -> ClaimCode | None:
    """The live code typed, locked until the caller's transaction ends; None otherwise.

    Locked, so two parents typing the same code at once cannot both use it: the second
    reads it again after the first committed, and finds it used.
    """
    code_hash = claim_code_hash(code)
    if not code_hash:
        return None
    found = ClaimCode.objects.select_for_update().filter(code_hash=code_hash).first()
    if found is None or found.revoked_at or found.used_at or found.expires_at <= now:
        return None
    return found


def claim_code_use(*, claim_code: ClaimCode, user: User, now: datetime) -> None:
    """The code has done its work: it never works again."""
    ClaimCode.objects.filter(pk=claim_code.pk).update(used_at=now, used_by=user)


def claim_codes_revoke(*, submission: uuid.UUID, now: datetime) -> int:
    """No code of ``submission`` works any more (its data are erased); how many were live."""
    return ClaimCode.objects.filter(
        submission=submission, revoked_at__isnull=True, used_at__isnull=True
    ).update(revoked_at=now)
