"""Loket staff's notes on a request: kept in the loket's schema, never shown to parents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shared.accounts.models import User
from tenants.audit.models import AuditEvent
from tenants.audit.services import audit_record
from tenants.requests.history import record_note_added
from tenants.requests.models import ChildcareRequest, RequestNote

NOTE_MAX_LENGTH = RequestNote._meta.get_field("text").max_length


@transaction.atomic
def request_note_add(*, request: ChildcareRequest, author: User, text: str) -> RequestNote:
    """Add a note to ``request`` and a NOTE event to its history.

    The event records that a note was added and by whom, not what it says: the history
    may be shown more widely than the notes themselves.
    """
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write a note first.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": [_("A note has at most %(count)d characters.") % {"count": NOTE_MAX_LENGTH}]}
        )
    note = RequestNote.objects.create(request=request, author=author, text=text)
    audit_record(
        actor=author,
        action=AuditEvent.Action.CREATED,
        object_type=AuditEvent.ObjectType.NOTE,
        object_id=note.pk,
        reference=request.reference,
        at=note.created_at,
    )
    record_note_added(request, actor=author, at=note.created_at, note=note.pk)
    return note
