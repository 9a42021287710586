"""Our words for a few of django-allauth's own messages, where its Dutch is not ours
("Bevestigings e-mail verzonden" is misspelt). The message ids are allauth's; the
translations in this project's locale (``LOCALE_PATHS``) take precedence over allauth's,
so listing them here is enough for ``makemessages`` to keep them in our .po files.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MESSAGES = (
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("Confirmation email sent to %(email)s"),
)
