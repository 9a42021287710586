"""E-mails about offers: to the parent when a place is offered, an offer expires or the
location withdraws it, to the location when an offer expires or is accepted (with a link
to its placements page, never the family's contact details).

Each notice is recorded once per (offer, kind) in ``OfferNotice``, in the transaction that
changes the offer, and the e-mail is written to the outbox in that same transaction: it
leaves after that commit (at least once, even when the process is killed right after it,
``shared.lokets.outbox``), nothing is sent for a change that rolls back, and nothing
twice when a job or a request runs again. A choice
closed because the child found a place elsewhere sends nothing: the parent knows, and the
location sees it on its waiting list.

Written per language (``allocation/email/<name>_{subject,body}.<language>.txt``) like the
e-mails of ``tenants.requests``; the parent's in the request's language, the location's in
the first site language it speaks (else Dutch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shared.lokets.branding import branding_of_loket
from shared.lokets.emails import email_message
from shared.lokets.links import loket_url
from shared.lokets.models import Loket
from shared.lokets.outbox import outbox_add
from shared.lokets.selectors import current_loket
from shared.registry.models import PossibleDuplicate, RegistryEntry
from tenants.allocation.models import Offer, OfferNotice
from tenants.requests.emails import my_request_url
from tenants.requests.family import family_email
from tenants.requests.models import ChildcareRequest
from tenants.requests.parts import in_each_loket
from tenants.requests.submission_emails import email_language


def _queue_url(loket: Loket, offer: Offer) -> str:
    path = reverse(
        "allocation:queue",
        urlconf="opvangloket.urls_tenant",
        kwargs={"location_id": offer.choice.location_id},
    )
    return loket_url(loket=loket, path=path)


def _parent_address(offer: Offer) -> str:
    return family_email(offer.choice.request)


def _location_address(offer: Offer) -> str:
    location = offer.choice.location
    return location.email or location.organizer.email


def _location_language(offer: Offer) -> str:
    spoken = dict(settings.LANGUAGES)
    return next(
        (code for code in offer.choice.location.languages if code in spoken),
        settings.LANGUAGE_CODE,
    )


def allocation_email_add(name: str, *, to: str, language: str, context: dict[str, Any]) -> None:
    """Render now (the data is at hand) into the outbox, in this transaction: it leaves
    once the transaction has committed, at least once (``shared.lokets.outbox``)."""
    language = email_language(language)
    loket = context.get("loket")
    with translation.override(language):
        subject = render_to_string(f"allocation/email/{name}_subject.{language}.txt", context)
        body = render_to_string(f"allocation/email/{name}_body.{language}.txt", context)
        message = email_message(
            subject=subject,
            text=body,
            to=[to],
            face=branding_of_loket(loket),
            language=language,
        )
    outbox_add(message=message, loket=loket)


def _notify(offer: Offer, kind: str, *, to: str, language: str, now: datetime, **extra) -> bool:
    """Record the notice; send it after commit when it is new and has an address."""
    _notice, created = OfferNotice.objects.get_or_create(
        offer=offer, kind=kind, defaults={"sent_at": now, "recipient_known": bool(to)}
    )
    if not created or not to:
        return False
    loket = current_loket()
    request = offer.choice.request
    context = {
        "loket": loket,
        "offer": offer,
        "location": offer.choice.location,
        "child_name": request.child_name,
        "reference": request.reference,
        **extra,
    }
    allocation_email_add(kind, to=to, language=language, context=context)
    return True


def _to_parent(offer: Offer, kind: str, *, now: datetime) -> bool:
    """Notice ``kind`` to the family, in its language, with the link to its request."""
    return _notify(
        offer,
        kind,
        to=_parent_address(offer),
        language=offer.choice.request.language,
        now=now,
        url=my_request_url(request=offer.choice.request, loket=current_loket()),
    )


def offer_made_notify(*, offer: Offer, now: datetime) -> bool:
    """The parent gets the offer, its answer date and a link to "Mijn aanvragen"."""
    return _to_parent(offer, OfferNotice.Kind.OFFERED_TO_PARENT, now=now)


def offer_expired_notify(*, offer: Offer, now: datetime) -> None:
    """The parent and the location learn that the offer expired without an answer."""
    loket = current_loket()
    _to_parent(offer, OfferNotice.Kind.EXPIRED_TO_PARENT, now=now)
    _notify(
        offer,
        OfferNotice.Kind.EXPIRED_TO_PROVIDER,
        to=_location_address(offer),
        language=_location_language(offer),
        now=now,
        url=_queue_url(loket, offer),
    )


def offer_reminder_notify(*, offer: Offer, now: datetime) -> bool:
    """The parent is reminded, once, to answer an open offer before its answer date."""
    return _to_parent(offer, OfferNotice.Kind.REMINDER_TO_PARENT, now=now)


def placed_elsewhere_notify(*, duplicates: list[PossibleDuplicate], placed: RegistryEntry) -> int:
    """Another family's open requests of what looks like the child just placed stay open:
    that family hears so, in its language ("your request stays open; the loket will
    contact you"), one e-mail per address, after commit. Returns how many will leave.

    Nothing of the placed family is said. Sent once: the accept that calls this runs once
    per offer (it reads the offer again under the lock), so no notice row is needed.
    Their loket sees it on its possible duplicates (``placed_elsewhere_at``).
    """
    waiting = [
        duplicate.entry if duplicate.other_id == placed.pk else duplicate.other
        for duplicate in duplicates
    ]
    by_address: dict[str, dict[str, Any]] = {}
    for loket, entries in in_each_loket(waiting):
        requests = ChildcareRequest.objects.select_related("parent").in_bulk(
            [entry.request_id for entry in entries]
        )
        for entry in entries:
            request = requests.get(entry.request_id)
            address = family_email(request) if request is not None else ""
            if not address:
                continue  # the loket phones them: the duplicate is on its list
            mail = by_address.setdefault(
                address,
                {
                    "language": request.language,
                    "child_name": request.child_name,
                    "loket": loket,
                    "url": my_request_url(request=request, loket=loket),
                    "requests": [],
                },
            )
            mail["requests"].append({"loket": loket.name, "reference": request.reference})
    for address, mail in by_address.items():
        allocation_email_add(
            "placed_elsewhere_parent", to=address, language=mail.pop("language"), context=mail
        )
    return len(by_address)


def offer_withdrawn_notify(*, offer: Offer, reason: str) -> bool:
    """The parent learns that the location withdrew its offer, and why, in the family's
    language, after the commit. Sent once: the withdrawal reads the offer again under its
    lock and refuses one that is no longer open, so no notice row is needed."""
    request = offer.choice.request
    to = _parent_address(offer)
    if not to:
        return False  # a desk registration without e-mail: the loket sees it in the history
    loket = current_loket()
    context = {
        "loket": loket,
        "offer": offer,
        "location": offer.choice.location,
        "child_name": request.child_name,
        "reference": request.reference,
        "reason": reason,
        "url": my_request_url(request=request, loket=loket),
    }
    allocation_email_add("withdrawn_parent", to=to, language=request.language, context=context)
    return True


def _placements_url(loket: Loket, offer: Offer) -> str:
    path = reverse(
        "allocation:placements",
        urlconf="opvangloket.urls_tenant",
        kwargs={"location_id": offer.choice.location_id},
    )
    return loket_url(loket=loket, path=path)


def offer_accepted_notify(*, offer: Offer, now: datetime) -> bool:
    """The location learns that the parent accepted, with a link to its placements page.

    The family's contact details are not in the e-mail (a mailbox is no place for them),
    nor the child's name: the request's reference and the first letter of the child's
    first name say which child it is; the rest is on that page, behind the location's
    login, and reading it is audited.
    """
    first_name = offer.choice.request.child_first_name.strip()
    return _notify(
        offer,
        OfferNotice.Kind.ACCEPTED_TO_PROVIDER,
        to=_location_address(offer),
        language=_location_language(offer),
        now=now,
        url=_placements_url(current_loket(), offer),
        child_initial=f"{first_name[:1].upper()}." if first_name else "",
    )
