"""What a planning client's token may do: the scopes, and what each API view asks of a token.

Default deny: a view that declares no ``token_scopes`` refuses every token (403), however
many scopes it holds; a view that does declares, per kind of method, the scopes of which
a token needs one. The client's role (its service account's membership and location
grants) still decides which objects it reaches, through the view's usual checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS


class Scope(TextChoices):
    READ_WAITING_LISTS = "read_waiting_lists", _("read waiting lists and offers")
    ANSWER_CHOICES = "answer_choices", _("answer choices and make offers")
    UPDATE_FREE_PLACES = "update_free_places", _("read and update free places")
    READ_FIGURES = "read_figures", _("read the loket's figures")


# Described in the OpenAPI document (English, as the whole document).
SCOPE_DESCRIPTIONS = {
    Scope.READ_WAITING_LISTS.value: "Read the queues (waiting lists) and offers of your locations.",
    Scope.ANSWER_CHOICES.value: "Answer choices (no place, another date) and make or "
    "withdraw offers.",
    Scope.UPDATE_FREE_PLACES.value: "Read and update the free places of your locations.",
    Scope.READ_FIGURES.value: "Read the loket's figures (loket software only).",
}
ALL_SCOPES = frozenset(Scope)
# What provider software may be given (figures are the loket's).
PROVIDER_SCOPES = frozenset(
    {Scope.READ_WAITING_LISTS, Scope.ANSWER_CHOICES, Scope.UPDATE_FREE_PLACES}
)


@dataclass(frozen=True)
class TokenScopes:
    """The scopes a view accepts: ``read`` for GET, HEAD and OPTIONS, ``write`` for the
    other methods; a token needs one of them. An empty set refuses tokens for those methods."""

    read: frozenset[Scope] = frozenset()
    write: frozenset[Scope] = frozenset()

    def for_method(self, method: str | None) -> frozenset[Scope]:
        return self.read if (method or "").upper() in SAFE_METHODS else self.write


def accepts(
    *, read: Scope | Iterable[Scope] = (), write: Scope | Iterable[Scope] = ()
) -> TokenScopes:
    """``accepts(read=Scope.READ_WAITING_LISTS, write=Scope.ANSWER_CHOICES)``."""

    def as_set(value: Scope | Iterable[Scope]) -> frozenset[Scope]:
        return frozenset({value} if isinstance(value, str) else value)

    return TokenScopes(read=as_set(read), write=as_set(write))


def accepted_scopes(view: Any, method: str | None) -> frozenset[Scope]:
    """The scopes of which a token needs one for ``method`` on ``view``: none, default deny."""
    declared = getattr(view, "token_scopes", None)
    if not isinstance(declared, TokenScopes):
        return frozenset()
    return declared.for_method(method)


class ClientScopes:
    """django-oauth-toolkit's scopes backend: a client may ask for the scopes the loket
    gave it, and gets them all when it asks for none."""

    def get_all_scopes(self) -> dict[str, str]:
        return dict(SCOPE_DESCRIPTIONS)

    def _client_scopes(self, application: Any) -> list[str]:
        client = getattr(application, "planning_client", None) if application else None
        if client is None or client.revoked_at is not None:
            return []
        return sorted(client.scopes)

    def get_available_scopes(self, application: Any = None, request: Any = None, *args, **kwargs):
        return self._client_scopes(application)

    def get_default_scopes(self, application: Any = None, request: Any = None, *args, **kwargs):
        return self._client_scopes(application)
