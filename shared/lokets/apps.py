from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoketsConfig(AppConfig):
    name = "shared.lokets"
    label = "lokets"
    verbose_name = _("Lokets")
