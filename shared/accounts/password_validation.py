"""Django's four password validators with our own texts, so that Dutch says "je" (and
French "vous"): Django's Dutch catalogue addresses the person with "u"."""

from __future__ import annotations

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("This password looks too much like your %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Your password must not look too much like your other personal details.")


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        # Django's validate() fills in min_length from the error's params.
        return ngettext(
            "This password is too short: your password needs at least %(min_length)d character.",
            "This password is too short: your password needs at least %(min_length)d characters.",
            self.min_length,
        )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password needs at least %(min_length)d character.",
            "Your password needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is used too often: choose another one.")

    def get_help_text(self) -> str:
        return _("Your password must not be a commonly used password.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password has only digits.")

    def get_help_text(self) -> str:
        return _("Your password must not consist of digits only.")
