"""The e-mail a family gets when a request is registered, in the family's language."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from shared.catalogue.models import CatalogueLocation
from shared.lokets.branding import Face, branding_for
from shared.lokets.emails import email_message
from shared.lokets.models import Loket
from shared.lokets.outbox import outbox_add
from shared.registry.models import RegistryEntry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisteredRequest:
    """One loket's part of a registration, as the parent sees it: reference and locations."""

    loket: str
    reference: str
    locations: list[str] = field(default_factory=list)
    is_addition: bool = False  # the locations were added to a request registered earlier
    child_number: int = 0  # unborn multiples: 1, 2, … for each child's requests; else 0


def registered_requests(
    *, entries: list[RegistryEntry], choices: list[CatalogueLocation], now: datetime
) -> list[RegisteredRequest]:
    by_loket: dict[int, list[str]] = defaultdict(list)
    for choice in choices:
        by_loket[choice.loket_id].append(choice.name)
    children = list(dict.fromkeys(entry.child_id for entry in entries))
    return [
        RegisteredRequest(
            loket=entry.loket.name,
            reference=entry.reference,
            locations=by_loket[entry.loket_id],
            is_addition=entry.registered_at != now,
            child_number=children.index(entry.child_id) + 1 if len(children) > 1 else 0,
        )
        for entry in entries
    ]


def email_language(language: str) -> str:
    """The family's language if the site speaks it, else the default (Dutch)."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def request_confirmation_send(
    *,
    to: str,
    language: str,
    child_name: str,
    requests: list[RegisteredRequest],
    follow_url: str,
    by_staff: bool,
    face: Face | None = None,
    loket: Loket | None = None,
) -> None:
    """Write the confirmation to the outbox (``shared.lokets.outbox``), in the caller's
    transaction: it leaves after the commit. Neither a mail server that is down nor an
    e-mail that cannot be made undoes a registration (logged for operations).

    ``face``: the loket's (``branding_of_lokets``), else the platform's; ``loket``: the
    first of the registration's lokets, for the outbox's report."""
    context = {
        "child_name": child_name,
        "requests": requests,
        "follow_url": follow_url,
        "by_staff": by_staff,
    }
    try:
        with transaction.atomic():  # a savepoint: a failure keeps the registration
            with translation.override(email_language(language)):
                subject = render_to_string("portal/email/request_confirmation_subject.txt", context)
                body = render_to_string("portal/email/request_confirmation_body.txt", context)
                message = email_message(
                    subject=subject,
                    text=body,
                    to=[to],
                    face=face or branding_for(loket=None),
                    language=email_language(language),
                )
            outbox_add(message=message, loket=loket)
    except Exception:  # logged for operations; the request itself is registered
        logger.exception("request confirmation e-mail not sent")
