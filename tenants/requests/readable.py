"""A family's data export (``family_data``, ``shared.portal.own_data``) as a person reads it
in the PDF: dates and times in the reader's language's format and in Brussels time,
languages by name, no empty drafts. The JSON download keeps the ISO values, for a computer."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*")


def _is_time_key(key: str) -> bool:
    return key in {"at", "date_joined", "desired_start", "answer_by", "confirmed_until"} or (
        key.endswith("_at") or key.endswith("_date") or key.endswith("_start")
    )


def readable_value(value: str) -> str:
    """An ISO date or date-time as the active language writes it ("4 november 2026, 20:59")."""
    if _ISO_DATETIME.fullmatch(value):
        moment = datetime.fromisoformat(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "DATETIME_FORMAT")
    if _ISO_DATE.fullmatch(value):
        return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    return value


def _readable(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _readable(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_readable(item, key) for item in value]
    if isinstance(value, str) and _is_time_key(key):
        return readable_value(value)
    return value


def _has_content(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_content(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_content(item) for item in value)
    return value not in (None, "", False)


def data_for_reading(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an export for the PDF, in the active language (see the module docstring)."""
    readable = _readable(data)
    account = readable.get("account")
    if account and account.get("preferred_language"):
        names = dict(settings.LANGUAGES)
        code = account["preferred_language"]
        account["preferred_language"] = str(names.get(code, code))
    if "drafts" in readable:
        readable["drafts"] = [
            {**draft, "child_name": draft.get("child_name") or _("no child's name yet")}
            for draft in readable["drafts"]
            if draft.get("child_name") or _has_content(draft.get("steps"))
        ]
    return readable
