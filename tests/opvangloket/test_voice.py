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
