"""Links in e-mails reach the platform as it is served: scheme, host and port."""

from __future__ import annotations

import pytest
from django.core import mail

from shared.lokets.links import host_url, loket_url
from tests.support.allocation import choice_of, offer, register
from tests.support.providers import make_location

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scheme", "port", "expected"),
    [
        ("https", "", "https://herent.example.be/x/"),
        ("https", "443", "https://herent.example.be/x/"),
        ("http", "8000", "http://herent.example.be:8000/x/"),
        ("http", "80", "http://herent.example.be/x/"),
    ],
)
def test_the_port_is_kept_unless_it_is_the_schemes_default(settings, scheme, port, expected):
    settings.PUBLIC_URL_SCHEME, settings.PUBLIC_PORT = scheme, port
    assert host_url(host="herent.example.be", path="/x/") == expected


def test_the_offer_e_mail_links_to_the_lokets_host_with_the_demos_port(
    settings, world, django_capture_on_commit_callbacks
):
    settings.PUBLIC_URL_SCHEME, settings.PUBLIC_PORT = "http", "8101"
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Bengeltjes")
    entries = register(location, name="Lotte", parent=world.users["parent"])
    with django_capture_on_commit_callbacks(execute=True):
        offer(alpha, choice_of(entries, alpha, location), world.users["staff_alpha"])
    (message,) = mail.outbox
    assert loket_url(loket=alpha, path="/mijn-aanvragen/").startswith(
        "http://alpha.localhost:8101/"
    )
    assert "http://alpha.localhost:8101/mijn-aanvragen/" in message.body
