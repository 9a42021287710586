"""How the loket reaches the family of a request: the one answer to "which e-mail address"."""

from __future__ import annotations

from tenants.requests.models import ChildcareRequest


def family_email(request: ChildcareRequest) -> str:
    """The address the family's e-mails go to; empty when the loket has none.

    The contact address given with the request comes first (a desk registration may have
    no account); else the address of the parent's account.
    """
    if request.contact_email:
        return request.contact_email
    return request.parent.email if request.parent_id else ""
