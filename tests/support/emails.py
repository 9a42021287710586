"""What every e-mail the platform sends must have (checked after every test in
``tests/conftest.py``): a text part and one HTML part with the same links, in a face's
colour."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import TestCase

from shared.lokets.emails import text_links

HREF = re.compile(r'href="([^"]+)"')
HEADER_COLOUR = re.compile(r"background:(#[0-9a-f]{6});color:#ffffff;padding:16px 24px")


def html_part(message: EmailMessage) -> str:
    html = [
        content for content, kind in getattr(message, "alternatives", []) if kind == "text/html"
    ]
    assert len(html) == 1, f"{message.subject!r}: {len(html)} HTML parts"
    return html[0]


def header_colour(message: EmailMessage) -> str:
    """The colour of the HTML part's header (the face's brand colour)."""
    found = HEADER_COLOUR.search(html_part(message))
    assert found, f"{message.subject!r}: no header in a brand colour"
    return found.group(1)


def email_problems(message: EmailMessage) -> list[str]:
    """Why ``message`` is not as every e-mail must be; empty when it is."""
    if not isinstance(message, EmailMultiAlternatives):
        return [f"{message.subject!r} has no HTML part"]
    problems = []
    html = [content for content, kind in message.alternatives if kind == "text/html"]
    if len(html) != 1 or message.content_subtype != "plain" or not message.body.strip():
        return [f"{message.subject!r}: not one text and one HTML part"]
    hrefs = [href.replace("&amp;", "&") for href in HREF.findall(html[0])]
    if set(hrefs) != set(text_links(message.body)):
        problems.append(f"{message.subject!r}: links differ: {hrefs} / {text_links(message.body)}")
    if not HEADER_COLOUR.search(html[0]):
        problems.append(f"{message.subject!r}: no header in a brand colour")
    return problems


@contextmanager
def sent_after_commit() -> Iterator[None]:
    """Run the code inside as if each of its transactions committed: the outbox's send
    after the commit runs (``shared.lokets.outbox``), so its e-mails reach ``mail.outbox``.
    Without it, a test's transaction never commits and the e-mails stay in the outbox."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield
