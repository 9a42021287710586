"""The child after birth: its first name and real date of birth in every part, at once.

Parents register an unborn child with its due date (``is_expected_birth``) and often no
first name. Once it is born, the parent on "Mijn aanvragen", or loket staff at the desk
acting for the family, fill in the first name and the date of birth, and may add the
national register number and a new street, postcode or phone.

Who the child is is a fact, not a choice: one change reaches **every part** of the
submission, open, placed or closed, in one transaction, so that no loket keeps an
unborn child that was born (a lapsed part reopened later shows the child as it is). It
is refused only when no part is open or placed any more: that request is over. Unlike
the need (``changes.py``), an accepted place does not stop it: the location needs the
child's name.

Each part's request changes in its loket's schema and its registry entry gets the new
keys, no due date and its age group on the desired start; then the registry links the
child anew (``shared.registry.children.child_relink``). The history of each part says
what changed, without the national register number.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from opvangloket.crypto import encrypt_text
from shared.accounts.models import User
from shared.catalogue.vocabulary import age_group_at
from shared.geography.models import Postcode
from shared.registry.children import ChildFacts, child_relink
from shared.registry.identity import (
    child_keys,
    national_number_digits,
    validate_national_number,
)
from shared.registry.models import RegistryEntry, RequestStatus
from tenants.requests.history import CHILD_FIELD, record_changed
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import Part, chosen_locations, lock_submission, lock_submission_of
from tenants.requests.rules import rule_errors

FIRST_NAME_MAX_LENGTH = 80
STREET_MAX_LENGTH = 150
PHONE_MAX_LENGTH = 40
# The states in which the child's details may still be updated.
UPDATABLE_STATUSES = (RequestStatus.OPEN, RequestStatus.PLACED)


def _refuse_if_over(parts: list[Part]) -> None:
    if not any(part.request.status in UPDATABLE_STATUSES for part in parts):
        raise ValidationError(
            _("This request is closed, so it can no longer be changed."), code="not_changeable"
        )


def _rule_errors_added(*, parts: list[Part], birth_date: date, today: date) -> dict[str, list[str]]:
    """The rules of registration the new date of birth breaks, that the old one did not.

    What was already so (a desired start that has passed, for a placed part) is not the
    birth's doing and does not stop it.
    """
    child = parts[0].request
    added: dict[str, list[str]] = {}
    choices = chosen_locations(parts)
    for desired_start in sorted({part.request.desired_start for part in parts}):
        before = rule_errors(
            today=today,
            birth_date=child.child_birth_date,
            is_expected_birth=child.is_expected_birth,
            desired_start=desired_start,
            choices=choices,
        )
        after = rule_errors(
            today=today,
            birth_date=birth_date,
            is_expected_birth=False,
            desired_start=desired_start,
            choices=choices,
        )
        for field, messages in after.items():
            name = "birth_date" if field == "child_birth_date" else field
            for message in messages:
                if message not in before.get(field, []) and message not in added.get(name, []):
                    added.setdefault(name, []).append(message)
    return added


def _errors(
    *,
    parts: list[Part],
    first_name: str,
    birth_date: date,
    national_number: str,
    street: str | None,
    postcode: str | None,
    contact_phone: str | None,
    today: date,
) -> dict[str, list[str]]:
    child = parts[0].request
    errors: dict[str, list[str]] = {}
    if not first_name:
        errors["first_name"] = [_("Fill in the child's first name.")]
    elif len(first_name) > FIRST_NAME_MAX_LENGTH:
        errors["first_name"] = [
            _("At most %(count)d characters.") % {"count": FIRST_NAME_MAX_LENGTH}
        ]
    if birth_date > today:
        errors["birth_date"] = [_("A date of birth cannot be in the future.")]
    elif child.is_expected_birth:
        window = settings.EXPECTED_BIRTH_WINDOW_DAYS
        if abs(birth_date - child.child_birth_date) > timedelta(days=window):
            errors["birth_date"] = [
                _(
                    "The date of birth may differ from the expected date (%(due)s) by at "
                    "most %(days)d days. Check the date, or ask the loket to help."
                )
                % {
                    "due": formats.date_format(child.child_birth_date, "DATE_FORMAT"),
                    "days": window,
                }
            ]
    if "birth_date" not in errors:
        for field, messages in _rule_errors_added(
            parts=parts, birth_date=birth_date, today=today
        ).items():
            errors.setdefault(field, []).extend(messages)
    if national_number:
        try:
            validate_national_number(national_number)
        except ValidationError as error:
            errors["national_number"] = list(error.messages)
    if street is not None and not street:
        errors["street"] = [_("Fill in the street and number.")]
    elif street is not None and len(street) > STREET_MAX_LENGTH:
        errors["street"] = [_("At most %(count)d characters.") % {"count": STREET_MAX_LENGTH}]
    if postcode is not None:
        if not (len(postcode) == 4 and postcode.isdigit()):
            errors["postcode"] = [_("A Belgian postcode has 4 digits.")]
        elif not Postcode.objects.filter(
            code=postcode, municipality_id=child.residence_id
        ).exists():
            errors["postcode"] = [
                _(
                    "%(code)s is not a postcode of %(municipality)s, your municipality of "
                    "residence. Moved to another municipality? Tell the loket."
                )
                % {"code": postcode, "municipality": child.residence}
            ]
    if contact_phone is not None and len(contact_phone) > PHONE_MAX_LENGTH:
        errors["contact_phone"] = [_("At most %(count)d characters.") % {"count": PHONE_MAX_LENGTH}]
    return errors


def _update_part(
    part: Part,
    *,
    first_name: str,
    birth_date: date,
    national_number_encrypted: str | None,
    street: str | None,
    postcode: str | None,
    contact_phone: str | None,
    name_key: str,
    national_number_key: str,
    actor: User,
    now: datetime,
) -> None:
    """One part: its request in its loket's schema, its history, and its registry entry."""
    request = part.request
    with tenant_context(part.loket):
        old = {
            "first_name": request.child_first_name,
            "birth_date": request.child_birth_date.isoformat(),
            "is_expected_birth": request.is_expected_birth,
        }
        changed = {
            "child_first_name": first_name,
            "child_birth_date": birth_date,
            "is_expected_birth": False,
        }
        if national_number_encrypted is not None:
            changed["national_number_encrypted"] = national_number_encrypted
        for name, value in (
            ("street", street),
            ("postcode", postcode),
            ("contact_phone", contact_phone),
        ):
            if value is not None:
                changed[name] = value
        for name, value in changed.items():
            setattr(request, name, value)
        request.save(update_fields=[*changed, "updated_at"])
        record_changed(
            request,
            actor=actor,
            at=now,
            field=CHILD_FIELD,
            old=old,
            new={
                "first_name": first_name,
                "birth_date": birth_date.isoformat(),
                "is_expected_birth": False,
            },
        )
    entry = part.entry
    entry.name_key = name_key
    entry.national_number_key = national_number_key
    entry.expected_birth = None
    entry.age_group = age_group_at(birth_date, request.desired_start)
    entry.updated_at = now
    entry.save(
        update_fields=[
            "name_key",
            "national_number_key",
            "expected_birth",
            "age_group",
            "updated_at",
        ]
    )


def _update_child(
    parts: list[Part],
    *,
    actor: User,
    first_name: str,
    birth_date: date,
    national_number: str,
    street: str | None,
    postcode: str | None,
    contact_phone: str | None,
    now: datetime,
) -> list[RegistryEntry]:
    _refuse_if_over(parts)
    first_name = first_name.strip()
    national_number = national_number.strip()
    street = street.strip() if street is not None else None
    postcode = postcode.strip() if postcode is not None else None
    contact_phone = contact_phone.strip() if contact_phone is not None else None
    errors = _errors(
        parts=parts,
        first_name=first_name,
        birth_date=birth_date,
        national_number=national_number,
        street=street,
        postcode=postcode,
        contact_phone=contact_phone,
        today=timezone.localdate(now),
    )
    if errors:
        raise ValidationError(errors)
    child = parts[0].request
    # The number given now; else the one the request holds already.
    digits = national_number_digits(national_number) or child.national_number
    keys = child_keys(
        first_name=first_name,
        last_name=child.child_last_name,
        birth_date=birth_date,
        national_number=digits,
    )
    for part in parts:
        _update_part(
            part,
            first_name=first_name,
            birth_date=birth_date,
            national_number_encrypted=encrypt_text(digits) if national_number else None,
            street=street,
            postcode=postcode,
            contact_phone=contact_phone,
            name_key=keys.name_key,
            national_number_key=keys.national_number_key,
            actor=actor,
            now=now,
        )
    entries = [part.entry for part in parts]
    family_key = entries[0].family_key
    child_relink(
        entries=entries,
        facts=ChildFacts(
            name_key=keys.name_key,
            national_number_key=keys.national_number_key,
            family_key=family_key,
            is_expected_birth=False,
            birth_date=birth_date,
        ),
        now=now,
    )
    for entry in entries:
        entry.refresh_from_db(fields=["child"])
    return entries


@transaction.atomic
def request_update_child(
    *,
    user: User,
    submission: uuid.UUID,
    first_name: str,
    birth_date: date,
    national_number: str = "",
    street: str | None = None,
    postcode: str | None = None,
    contact_phone: str | None = None,
    now: datetime,
) -> list[RegistryEntry]:
    """The parent fills in the born child (or corrects it) in every part of their request.

    ``national_number`` empty keeps the number the request holds (if any); ``street``,
    ``postcode`` and ``contact_phone`` change only when given.
    """
    return _update_child(
        lock_submission(parent=user, submission=submission),
        actor=user,
        first_name=first_name,
        birth_date=birth_date,
        national_number=national_number,
        street=street,
        postcode=postcode,
        contact_phone=contact_phone,
        now=now,
    )


@transaction.atomic
def request_update_child_by_staff(
    *,
    request: ChildcareRequest,
    actor: User,
    first_name: str,
    birth_date: date,
    national_number: str = "",
    street: str | None = None,
    postcode: str | None = None,
    contact_phone: str | None = None,
    now: datetime,
) -> list[RegistryEntry]:
    """Loket staff fill in the child of ``request`` (of the active loket) for the family.

    Only this loket's part and its registry entry change (``lock_submission_of``); the
    parent's own change reaches every loket of the request."""
    return _update_child(
        lock_submission_of(loket=connection.tenant, request_id=request.pk),
        actor=actor,
        first_name=first_name,
        birth_date=birth_date,
        national_number=national_number,
        street=street,
        postcode=postcode,
        contact_phone=contact_phone,
        now=now,
    )
