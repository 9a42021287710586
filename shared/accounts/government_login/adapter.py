"""allauth's social-account adapter: what a government login does to an Opvangloket account.

- A first government login makes an account with the person's name and e-mail address
  (verified when the provider says so) and the keyed hash of their national register
  number (``User.guardian_key``).
- A later login, or a login connected to an existing account (``/account/3rdparty/``),
  records the hash when the account had none.
- A new government identity whose national register number already belongs to an account
  logs into that account: one number, one account (the number proves the person; a name
  or an e-mail address never links accounts).
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect

from shared.accounts.government_login.claims import GUARDIAN_KEY_FIELD, full_name
from shared.accounts.government_login.services import (
    account_of_guardian,
    guardian_key_record,
)


def _guardian_key(sociallogin: SocialLogin) -> str:
    return str(sociallogin.account.extra_data.get(GUARDIAN_KEY_FIELD) or "")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]):
        user = super().populate_user(request, sociallogin, data)
        user.full_name = full_name(data)
        user.guardian_key = _guardian_key(sociallogin)
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        key = _guardian_key(sociallogin)
        if not key:
            return
        if sociallogin.is_existing:
            account = sociallogin.user
        elif sociallogin.state.get("process") == AuthProcess.CONNECT:
            account = request.user if request.user.is_authenticated else None
        else:
            holder = account_of_guardian(key)
            if holder is not None:
                sociallogin.connect(request, holder)
            return
        if account is None:
            return
        try:
            guardian_key_record(user=account, key=key)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            raise ImmediateHttpResponse(redirect("account_login")) from error
