from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "shared.portal"
    label = "portal"
    verbose_name = _("Parents' portal")

    def ready(self) -> None:
        # Desk registrations are linked when the parent logs in or confirms an address,
        # never by opening a page (shared.portal.claims).
        from allauth.account.signals import email_confirmed
        from django.contrib.auth.signals import user_logged_in

        from shared.portal.claims import claim_on_email_confirmed, claim_on_login

        user_logged_in.connect(claim_on_login, dispatch_uid="portal_claim_on_login")
        email_confirmed.connect(claim_on_email_confirmed, dispatch_uid="portal_claim_on_email")
