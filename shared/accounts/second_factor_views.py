"""The second factor's pages of ours (``shared.accounts.second_factor``): the setup page
(an app or a key), and removing a key only where the adapter allows it."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import views as webauthn_views
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from shared.accounts.permissions import Access, role_required
from shared.accounts.second_factor import MFAAdapter, has_second_factor


@role_required(Access.ACCOUNT)
def setup_page(request: HttpRequest) -> HttpResponse:
    """The choice between an authenticator app and a security key (or passkey); once one
    is set up, the second factor's overview."""
    if has_second_factor(request.user):
        return HttpResponseRedirect(reverse("mfa_index"))
    return render(request, "mfa/setup.html")


@role_required(Access.ACCOUNT)
def security_key_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """allauth's removal of a security key, which does not ask the adapter whether the key
    may go (its app's switch-off does): staff keep their last second factor."""
    key = Authenticator.objects.filter(
        pk=pk, user=request.user, type=Authenticator.Type.WEBAUTHN
    ).first()
    if (
        request.method == "POST"
        and key is not None
        and not MFAAdapter().can_delete_authenticator(key)
    ):
        get_account_adapter(request).add_message(
            request,
            messages.ERROR,
            message=_(
                "This is your only second factor: add an authenticator app or another key "
                "before you remove it."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_list_webauthn"))
    return webauthn_views.remove_webauthn(request, pk=pk)
