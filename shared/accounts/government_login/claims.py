"""What Opvangloket keeps of a government login's claims: never the national register number."""

from __future__ import annotations

from typing import Any

from opvangloket.crypto import keyed_hash

# The claim in which ACM/IDM gives the national register number (rijksregisternummer).
NATIONAL_NUMBER_CLAIM = "rrn"
# Where the keyed hash of it is kept in allauth's stored claims (SocialAccount.extra_data).
GUARDIAN_KEY_FIELD = "guardian_key"


def guardian_key(national_number: str) -> str:
    """The keyed hash of a guardian's national register number, proven by government login.

    Its own purpose: it never equals the registry's key of a child's national number
    (``shared.registry.identity.child_keys``), even for the same digits.
    """
    digits = "".join(char for char in str(national_number) if char.isdigit())
    return keyed_hash(digits, purpose="guardian-rrn") if digits else ""


def claims_to_keep(claims: dict[str, Any]) -> dict[str, Any]:
    """The claims without the national register number (allauth stores what this returns)."""
    return {name: value for name, value in claims.items() if name != NATIONAL_NUMBER_CLAIM}


def full_name(claims: dict[str, Any]) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        parts = (claims.get("given_name"), claims.get("family_name"))
        name = " ".join(str(part).strip() for part in parts if part)
    return name[:150]
