"""Domain errors that services raise and every page and API answers the same way."""

from __future__ import annotations


class NotFound(LookupError):
    """Nothing by that id for this user (another family's id included): 404 on pages and API.

    Services raise a subclass named for what was looked for; they never say whether the
    thing exists for someone else.
    """
