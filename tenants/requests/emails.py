"""E-mails about keeping a request current: the reminder to confirm, the lapse notice, and
the reminder to fill in the birth of a child registered before it was born.

Written per language (``<name>.<language>.txt``: nl, fr, en) and rendered with the
request's language active, so that dates read as the parent reads them. Each is made here
and written to the outbox by the caller (``tenants.requests.notices``), in the transaction
that records it.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shared.lokets.branding import branding_of_loket
from shared.lokets.emails import email_message
from shared.lokets.links import loket_url
from shared.lokets.models import Loket
from tenants.requests.confirmation_periods import GRACE_DAYS
from tenants.requests.models import ChildcareRequest
from tenants.requests.submission_emails import email_language


def my_requests_url(*, loket: Loket) -> str:
    """ "Mijn aanvragen" on the loket's own host."""
    return loket_url(
        loket=loket, path=reverse("portal:my_requests", urlconf="opvangloket.urls_tenant")
    )


def my_request_url(*, request: ChildcareRequest, loket: Loket) -> str:
    """The request on "Mijn aanvragen", on the loket's own host."""
    path = reverse(
        "portal:my_request",
        urlconf="opvangloket.urls_tenant",
        kwargs={"submission": request.submission},
    )
    return loket_url(loket=loket, path=path)


def my_request_child_url(*, request: ChildcareRequest, loket: Loket) -> str:
    """The page where the parent fills in the birth, on the loket's own host."""
    path = reverse(
        "portal:my_request_child",
        urlconf="opvangloket.urls_tenant",
        kwargs={"submission": request.submission},
    )
    return loket_url(loket=loket, path=path)


def _message(
    name: str, *, request: ChildcareRequest, loket: Loket, to: str, url: str = ""
) -> EmailMultiAlternatives:
    language = email_language(request.language)
    context = {
        "child_name": request.child_name,
        "reference": request.reference,
        "loket": loket,
        "confirmed_until": request.confirmed_until,
        "grace_days": GRACE_DAYS,
        "due_date": request.child_birth_date,
        "url": url or my_request_url(request=request, loket=loket),
    }
    with translation.override(language):
        subject = render_to_string(f"requests/email/{name}_subject.{language}.txt", context)
        body = render_to_string(f"requests/email/{name}_body.{language}.txt", context)
        return email_message(
            subject=subject,
            text=body,
            to=[to],
            face=branding_of_loket(loket),
            language=language,
        )


def confirmation_reminder_message(
    *, request: ChildcareRequest, loket: Loket, to: str
) -> EmailMultiAlternatives:
    return _message("confirmation_reminder", request=request, loket=loket, to=to)


def request_lapsed_message(
    *, request: ChildcareRequest, loket: Loket, to: str
) -> EmailMultiAlternatives:
    return _message("request_lapsed", request=request, loket=loket, to=to)


def birth_reminder_message(
    *, request: ChildcareRequest, loket: Loket, to: str
) -> EmailMultiAlternatives:
    """Ask the parent of an unborn child, some time after the due date, to fill in the birth."""
    return _message(
        "birth_reminder",
        request=request,
        loket=loket,
        to=to,
        url=my_request_child_url(request=request, loket=loket),
    )
