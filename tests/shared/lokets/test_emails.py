"""E-mails in two parts, in the loket's face: the text as written, the HTML made from it
(``shared.lokets.emails``). Every test also checks each e-mail it sent (tests/conftest.py);
these check the colour, the buttons and the region's fallback per kind of e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django_tenants.utils import tenant_context

from shared.lokets.branding import PLATFORM_COLOUR, branding_for, branding_update
from shared.lokets.emails import email_html, email_message, text_links
from shared.lokets.models import Loket, Region
from tenants.requests.emails import confirmation_reminder_message, request_lapsed_message
from tenants.requests.models import ChildcareRequest
from tests.support.allocation import choice_of, offer, register
from tests.support.emails import email_problems, header_colour, html_part
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

ALPHA_GREEN = "#1d6b2f"
REGION_PURPLE = "#5b2a86"


@pytest.fixture
def faces(world):
    """Alpha has a colour of its own, the region another; beta has none (the region's)."""
    branding_update(owner=Loket.objects.get(slug="alpha"), actor=None, brand_colour=ALPHA_GREEN)
    branding_update(
        owner=Region.objects.get(slug="testregio"),
        actor=None,
        brand_colour=REGION_PURPLE,
        footer_text="Kinderopvang in de Testregio",
    )
    return world


TEXT = """Hallo,

Een plaats voor <Lotte> & co.: antwoord bij "Mijn aanvragen".

https://alpha.localhost/mijn-aanvragen/5/?a=1&b=2

Meer uitleg: https://alpha.localhost/privacy/. Tot dan.
"""


def test_the_html_part_says_the_text_with_the_same_links_as_buttons(faces):
    face = branding_for(loket=Loket.objects.get(slug="alpha"))
    html = email_html(text=TEXT, face=face, language="nl")
    assert "&lt;Lotte&gt; &amp; co." in html  # the text is escaped, never markup
    assert f"background:{ALPHA_GREEN};color:#ffffff;padding:16px 24px" in html
    assert ">Loket Alpha</td>" in html
    assert (
        'href="https://alpha.localhost/mijn-aanvragen/5/?a=1&amp;b=2" '
        f'style="display:inline-block;background:{ALPHA_GREEN};'
    ) in html
    assert 'href="https://alpha.localhost/privacy/"' in html  # the full stop stays text
    assert text_links(TEXT) == [
        "https://alpha.localhost/mijn-aanvragen/5/?a=1&b=2",
        "https://alpha.localhost/privacy/",
    ]
    assert "Kinderopvang in de Testregio" in html  # the footer text falls back too
    message = email_message(
        subject="Een\nplaats", text=TEXT, to=["a@example.be"], face=face, language="nl"
    )
    assert message.subject == "Een plaats"
    assert email_problems(message) == []


def test_the_check_of_every_test_refuses_a_text_only_email():
    assert email_problems(EmailMessage("Hallo", "Tekst", None, ["a@example.be"]))


def test_the_auditor_and_platform_faces_have_the_platform_colour(faces):
    assert branding_for(loket=Loket.objects.get(slug="audit")).colour == PLATFORM_COLOUR
    assert branding_for(loket=None).colour == PLATFORM_COLOUR


def test_the_registration_confirmation_is_in_the_lokets_colour(
    faces, django_capture_on_commit_callbacks
):
    alpha = faces.lokets["alpha"]
    location = make_location(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        submit(location, parent=faces.users["parent"])
    (message,) = mail.outbox
    assert header_colour(message) == ALPHA_GREEN
    assert set(text_links(message.body)) <= set(html_part(message).split('"'))


def test_a_request_email_of_a_loket_without_a_colour_has_the_regions(faces):
    beta = faces.lokets["beta"]
    location = make_location(beta)
    entries = submit(location)  # its confirmation leaves after a commit: none here
    with tenant_context(beta):
        request = ChildcareRequest.objects.get(pk=entries[0].request_id)
        messages = [
            make(request=request, loket=beta, to="sara@example.be")
            for make in (confirmation_reminder_message, request_lapsed_message)
        ]
    assert [header_colour(message) for message in messages] == [REGION_PURPLE] * 2
    assert all("Loket Beta" in html_part(message) for message in messages)
    assert all("/mijn-aanvragen/" in html_part(message) for message in messages)


def test_an_offer_notice_is_in_the_lokets_colour(faces, django_capture_on_commit_callbacks):
    alpha = faces.lokets["alpha"]
    location = make_location(alpha)
    entries = register(location, name="Louise", parent=faces.users["parent"])
    with django_capture_on_commit_callbacks(execute=True):
        offer(alpha, choice_of(entries, alpha, location), faces.users["staff_alpha"])
    assert mail.outbox
    assert {header_colour(message) for message in mail.outbox} == {ALPHA_GREEN}


@pytest.mark.parametrize(
    ("host", "colour"),
    [("alpha", ALPHA_GREEN), ("beta", REGION_PURPLE), ("audit", PLATFORM_COLOUR)],
)
def test_allauths_emails_have_the_face_of_the_host_they_were_asked_on(
    faces, client_for, host, colour, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(host).post("/account/password/reset/", {"email": "parent@test.test"})
    (message,) = mail.outbox
    assert header_colour(message) == colour
    assert "Open de pagina" in html_part(message)  # the button, in the e-mail's language
    assert any("/account/password/reset/key/" in link for link in text_links(message.body))
