from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shared.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.account.signals import password_reset

        from shared.accounts.login_throttle import password_reset_forget_failures

        password_reset.connect(password_reset_forget_failures, dispatch_uid="login_throttle_reset")

        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from shared.accounts.region_login import raise_generation, remember_generation

        user_logged_in.connect(remember_generation, dispatch_uid="region_login_generation")
        user_logged_out.connect(raise_generation, dispatch_uid="region_login_logout")

        from allauth.account.signals import user_logged_in as allauth_logged_in

        from shared.accounts.government_login.staff_claims import on_government_login

        allauth_logged_in.connect(on_government_login, dispatch_uid="government_role_claims")

        from allauth.mfa import signals as mfa_signals

        from shared.accounts import second_factor_audit

        mfa_signals.authenticator_added.connect(
            second_factor_audit.on_authenticator_added, dispatch_uid="second_factor_added"
        )
        mfa_signals.authenticator_reset.connect(
            second_factor_audit.on_authenticator_reset, dispatch_uid="second_factor_renewed"
        )
        mfa_signals.authenticator_removed.connect(
            second_factor_audit.on_authenticator_removed, dispatch_uid="second_factor_removed"
        )
