"""Recognising the same child across lokets without storing who the child is.

The registry keeps only keyed hashes (HMAC with a server secret): one of the folded first
name, last name and date of birth, and one of the national register number when given.
Capitals, accents, hyphens, apostrophes and spaces in names do not change the hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from opvangloket.crypto import keyed_hash
from opvangloket.text import fold


def national_number_digits(value: str) -> str:
    return "".join(char for char in value if char.isdigit())


def validate_national_number(value: str) -> None:
    """Belgian national register number: 11 digits, the last two a modulo-97 check."""
    digits = national_number_digits(value)
    if len(digits) != 11:
        raise ValidationError(_("A national register number has 11 digits."), code="length")
    base, check = digits[:9], int(digits[9:])
    # Children born from 2000 on have a 2 put before the nine digits for the check.
    if check not in (97 - int(base) % 97, 97 - int("2" + base) % 97):
        raise ValidationError(
            _("This national register number is not valid: check the digits."), code="checksum"
        )


@dataclass(frozen=True)
class ChildKeys:
    name_key: str
    national_number_key: str  # empty when no national register number was given


def child_keys(
    *, first_name: str, last_name: str, birth_date: date, national_number: str = ""
) -> ChildKeys:
    # "Van den Broeck", "Vanden Broeck" and "Vandenbroeck" are one name: no separators at all.
    identity = "|".join(
        (
            fold(first_name).replace(" ", ""),
            fold(last_name).replace(" ", ""),
            birth_date.isoformat(),
        )
    )
    digits = national_number_digits(national_number)
    return ChildKeys(
        name_key=keyed_hash(identity, purpose="child-name"),
        national_number_key=keyed_hash(digits, purpose="child-nrn") if digits else "",
    )


def email_key(email: str) -> str:
    """A keyed hash of an e-mail address, to let a parent claim a desk registration."""
    return keyed_hash(email.strip().lower(), purpose="claim-email")


def family_key(*, parent_id: int | None, claim_email_key: str = "") -> str:
    """The family a registry entry belongs to, as a keyed hash: never a name.

    The parent's account; for a desk registration not yet claimed, the keyed hash of the
    e-mail address it was made with (claiming moves it to the account's family); empty
    for a desk registration without e-mail (a family of its own).

    A guardian proven by government login is their account too: the account holds the
    keyed hash of their national register number (``User.guardian_key``, unique: one
    number, one account), so the account's key is that guardian's family. A child's
    national number (``child_keys``, another purpose) never names a guardian.
    """
    if parent_id is not None:
        return keyed_hash(str(parent_id), purpose="family-account")
    if claim_email_key:
        return keyed_hash(claim_email_key, purpose="family-claim")
    return ""
