from django.apps import AppConfig


class OpvangloketConfig(AppConfig):
    """The project's own app: base templates, static files, translations, template tags."""

    name = "opvangloket"
    verbose_name = "Opvangloket"
