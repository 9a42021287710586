"""Role checks for pages and API views: a role counts only in the loket of the request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from shared.accounts.models import Membership
from shared.accounts.selectors import has_loket_role

STAFF_ROLES = (
    Membership.Role.LOKET_STAFF,
    Membership.Role.PROVIDER_STAFF,
    Membership.Role.AUDITOR,
)


def loket_role_required(*roles: str) -> Callable:
    """Page decorator: the user must hold one of ``roles`` in the loket of this host.

    Anonymous visitors are sent to the login page; a logged-in user without the role
    (for instance staff of another loket) gets 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            loket = getattr(request, "loket", None)
            if loket is None or not has_loket_role(user=request.user, loket=loket, roles=roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class HasLoketRole(BasePermission):
    """API permission: reading is open as the view allows; writing needs a role in this loket.

    Subclasses set ``write_roles``.
    """

    write_roles: Iterable[str] = (Membership.Role.LOKET_STAFF,)

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        loket = getattr(request, "loket", None)
        return loket is not None and has_loket_role(
            user=request.user, loket=loket, roles=self.write_roles
        )
