"""Every e-mail in two parts: the text as its template writes it, and the same text as
HTML in the loket's colours (``branding``): a header with its name, links as buttons.

The HTML is made from the text, not from a second template: it says the same and has the
same links (built by ``shared.lokets.links``), in every language. The e-mail's language is
passed in: the HTML part (its ``lang`` and the buttons' label) is rendered in it, whatever
language the code that sends it has active. Every e-mail leaves through
the outbox (``shared.lokets.outbox.outbox_add``), never straight to the mail server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from shared.lokets.branding import Face

URL = re.compile(r"https?://[^\s<>\"']+")
# Punctuation that ends a sentence after a link rather than the link itself.
TRAILING = ".,;:!?)]'\""


@dataclass(frozen=True)
class Part:
    """A piece of a line: text, a link inside the text, or a link alone on its line."""

    kind: str  # "text", "link" or "button"
    value: str


def _link_parts(line: str) -> list[Part]:
    parts: list[Part] = []
    position = 0
    for match in URL.finditer(line):
        url = match.group(0).rstrip(TRAILING)
        start, end = match.start(), match.start() + len(url)
        if start > position:
            parts.append(Part("text", line[position:start]))
        parts.append(Part("link", url))
        position = end
    if position < len(line):
        parts.append(Part("text", line[position:]))
    return parts


def text_blocks(text: str) -> list[list[list[Part]]]:
    """Paragraphs (split at blank lines) of lines of parts; a line that is only a link
    becomes a button."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in paragraph.splitlines():
            parts = _link_parts(line.strip())
            if len(parts) == 1 and parts[0].kind == "link":
                parts = [Part("button", parts[0].value)]
            lines.append(parts)
        blocks.append(lines)
    return blocks


def text_links(text: str) -> list[str]:
    """The links of a text, in order (what the HTML part links to as well)."""
    return [match.group(0).rstrip(TRAILING) for match in URL.finditer(text)]


def email_html(*, text: str, face: Face, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "lokets/email/layout.html", {"face": face, "blocks": text_blocks(text)}
        )


def email_message(
    *,
    subject: str,
    text: str,
    to: Iterable[str],
    face: Face,
    language: str,
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The e-mail with its text and its HTML part (in ``language``); ``subject`` on one line."""
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, from_email, list(to), headers=headers
    )
    message.attach_alternative(email_html(text=text, face=face, language=language), "text/html")
    return message
