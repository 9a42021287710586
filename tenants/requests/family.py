"""How the loket reaches the family of a request: the one answer to "which e-mail address"."""

from __future__ import annotations

from shared.accounts.models import User
from shared.accounts.selectors import verified_email
from tenants.requests.models import ChildcareRequest


def family_email(request: ChildcareRequest) -> str:
    """The address the family's e-mails go to; empty when the loket has none.

    The contact address given with the request comes first (a desk registration may have
    no account); else the address of the parent's account.
    """
    if request.contact_email:
        return request.contact_email
    return request.parent.email if request.parent_id else ""


def confirmation_address(
    *,
    parent: User | None,
    registered_by: User | None,
    contact_email: str,
    staff_checked_address: bool,
) -> str:
    """Where the registration's confirmation goes (it names the child and the lokets).

    A parent's own registration: the verified address of their account, never the one
    typed in the form (a typo would send the family's data to a stranger); none when the
    account has no verified address. At the desk (no account): the typed address only
    when the staff member read it back to the parent and said so, else none (the parent
    leaves with the references on paper). Seeded data (neither): the typed address.
    """
    if registered_by is not None:
        return contact_email if staff_checked_address else ""
    if parent is not None:
        return verified_email(user=parent)
    return contact_email
