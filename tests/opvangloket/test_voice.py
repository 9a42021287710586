"""One voice: in Dutch we say "je" to everyone, in every e-mail we write."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMAL = re.compile(r"\b(u|uw|U|Uw|Beste)\b")


def dutch_email_templates() -> list[Path]:
    found = [
        path
        for folder in ("shared", "tenants", "src")
        for path in (ROOT / folder).rglob("*.nl.txt")
        if "email" in path.parts or "email" in path.parent.name
    ]
    assert found, "no Dutch e-mail templates found: the test would prove nothing"
    return found


def test_no_dutch_e_mail_says_u():
    formal = {
        str(path.relative_to(ROOT)): FORMAL.findall(path.read_text(encoding="utf-8"))
        for path in dutch_email_templates()
    }
    assert {path: words for path, words in formal.items() if words} == {}


ACCOUNT_EMAILS = ROOT / "src" / "opvangloket" / "templates" / "account" / "email"


def test_the_account_e_mails_are_ours_and_say_je_in_dutch():
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {
        "activate_url": "https://x/confirm/",
        "password_reset_url": "https://x/reset/",
        "signup_url": "https://x/signup/",
        "email": "sara@example.be",
        "from_email": "a@example.be",
        "to_email": "b@example.be",
        "deleted_email": "a@example.be",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": "1 december 2026",
        "code": "",
    }
    names = sorted(path.name for path in ACCOUNT_EMAILS.glob("*.txt"))
    assert "email_confirmation_message.txt" in names and "password_reset_key_message.txt" in names
    with translation.override("nl"):
        for name in names:
            text = render_to_string(f"account/email/{name}", context)
            assert not FORMAL.findall(text), (name, FORMAL.findall(text))
            assert "Hello from" not in text and "Thank you for using" not in text, name
            if name.endswith("_message.txt"):
                assert text.startswith("Hallo,"), name


def test_allauths_misspelt_dutch_is_replaced_by_ours():
    from django.utils import translation

    from opvangloket.allauth_wording import ALLAUTH_MESSAGES

    with translation.override("nl"):
        said = [
            translation.gettext(message) % {"email": "sara@example.be"}
            for message in ALLAUTH_MESSAGES
        ]
    assert said == [
        "Bevestigingsmail verstuurd naar sara@example.be.",
        "Bevestigingsmail verstuurd naar sara@example.be",
    ]
