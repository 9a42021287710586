"""allauth, as Opvangloket uses it: password logins throttled by ``login_throttle``; the
second factor's code step is ours (``second_factor.AuthenticateStage``: none after the
government login); a sign-up with a password leaves a record of how its session logged in,
as a password login does (``post_login``), so that an account that becomes staff by
accepting an invitation sets up its second factor before any staff page.

allauth's own ``login_failed`` limit (a hard lock per account) is switched off in
settings (``ACCOUNT_RATE_LIMITS``); its other limits (sign-up, password reset, …) stay and
count per real client address, as this adapter tells allauth.

Its e-mails (templates in ``templates/account/email``, text only) get the HTML part every
e-mail of the platform has (``shared.lokets.emails``), in the face of the host they were
asked on, and leave through the outbox (``shared.lokets.outbox``) like every other: after
the commit of what asked for them, at least once.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opvangloket.proxies import client_address
from shared.accounts import login_throttle, second_factor
from shared.lokets.branding import Face, branding_for
from shared.lokets.emails import email_html
from shared.lokets.models import Loket
from shared.lokets.outbox import outbox_add

# How allauth's records name a session that began with a password sign-up (weak, as a
# password login).
SIGNUP_METHOD = "signup"


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """No sign-up on the auditor host: auditors' accounts are made by operators, and
        parents have nothing to do there."""
        loket = getattr(request, "tenant", None)
        if loket is not None and getattr(loket, "is_auditor", False):
            return False
        return super().is_open_for_signup(request)

    def get_login_stages(self) -> list[str]:
        return [
            "shared.accounts.second_factor.AuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """The second factor's setup right after the password login that sent the person
        there does not ask for the password once more; later changes do."""
        request = self.request or context.request
        if app == "allauth.mfa" and second_factor.setup_follows_login(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """A sign-up logs in without a password step, and allauth records no method for
        it: without a record the session would count as made by code and never be sent
        to the second factor's setup (``second_factor.session_is_weak``). The government
        login's sign-up has its own record (``socialaccount``) already."""
        if kwargs.get("signup") and not get_authentication_records(request, user):
            record_authentication(request, user, method=SIGNUP_METHOD)
        return super().post_login(request, user, **kwargs)

    def clean_email(self, email: str) -> str:
        """A sign-up on its way to a staff invitation (``?next=/uitnodiging/<token>/``) must
        use the invited address: the role would be refused to any other anyway."""
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        if request is None or request.resolver_match is None:
            return email
        if request.resolver_match.url_name != "account_signup":
            return email
        from shared.accounts.invitations import invitation_for_next

        invitation = invitation_for_next(
            next_path=request.GET.get("next") or request.POST.get("next") or ""
        )
        if invitation is not None and invitation.email.lower() != email.strip().lower():
            raise ValidationError(
                _("This invitation is for %(email)s: create the account with that address."),
                params={"email": invitation.email},
                code="not_invited_address",
            )
        return email

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        wait = login_throttle.login_wait(request, login=_login(credentials))
        if wait:
            raise ValidationError(login_throttle.wait_message(wait), code="throttled")
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_throttle.login_succeeded(request, login=_login(credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login_throttle.login_failed(request, login=_login(credentials))
        super().authentication_failed(request, **credentials)

    def _face(self, request: HttpRequest | None) -> Face:
        return branding_for(
            loket=getattr(request, "loket", None), region=getattr(request, "region", None)
        )

    def format_email_subject(self, subject: str) -> str:
        """The subject starts with the name of the loket (or region) the e-mail was asked
        on, as its HTML header does: never with the host name (allauth's site name)."""
        request = self.request or context.request
        return f"[{self._face(request).name}] {subject}"

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            face = self._face(context.get("request"))
            # allauth rendered the text in the active language: the HTML part follows it.
            html = email_html(text=message.body, face=face, language=get_language())
            message.attach_alternative(html, "text/html")
        return message

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's send (confirmations, password resets, notices of account changes),
        but into the outbox instead of straight to the mail server."""
        request = globals()["context"].request  # allauth's, not the parameter
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, ctx)
        loket = getattr(request, "loket", None)
        outbox_add(message=message, loket=loket if isinstance(loket, Loket) else None)
