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
