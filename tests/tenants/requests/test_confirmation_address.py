"""Registration e-mails go where the family's data are safe: a verified or a checked address.

The confirmation names the child, the lokets and the references. A parent's typo in the
contact address used to send it to a stranger; now a parent's confirmation goes to the
verified address of their account, and a desk registration's only to the address the
staff member read back to the parent (and said so). The provider's e-mail names a
request by reference and the first letter of the child's first name only, and carries
no contact details of the family.
"""

from __future__ import annotations

import pytest
from django.core import mail

from shared.accounts.services import user_ensure
from tests.support.allocation import accept, choice_of, offer, register
from tests.support.providers import grant_location, make_location
from tests.support.requests import submit
from tests.support.world import PASSWORD

pytestmark = pytest.mark.django_db

TYPED = "sara.typo@example.be"


@pytest.fixture
def location(world):
    return make_location(world.lokets["alpha"], name="Kinderdagverblijf Adres")


def test_a_parents_confirmation_goes_to_the_accounts_verified_address(
    world, location, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(location, parent=world.users["parent"], contact_email=TYPED)
    (message,) = mail.outbox
    assert message.to == ["parent@test.test"]


def test_an_account_without_a_verified_address_gets_no_confirmation(
    world, location, django_capture_on_commit_callbacks
):
    unverified = user_ensure(email="unverified@test.test", password=PASSWORD, email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit(location, parent=unverified, contact_email=TYPED)
    assert mail.outbox == []


def test_a_desk_registration_is_confirmed_only_to_an_address_staff_checked(
    world, location, django_capture_on_commit_callbacks
):
    staff = world.users["staff_alpha"]
    with django_capture_on_commit_callbacks(execute=True):
        submit(location, registered_by=staff, contact_email=TYPED)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            location,
            registered_by=staff,
            contact_email=TYPED,
            child_first_name="Nora",
            confirm_to_contact_email=True,
        )
    (message,) = mail.outbox
    assert message.to == [TYPED]


def test_the_providers_acceptance_mail_names_no_child_and_no_family_contact(
    world, django_capture_on_commit_callbacks
):
    alpha = world.lokets["alpha"]
    location = make_location(alpha, name="Herent Mail", email="kdv@herent-mail.test")
    grant_location(alpha, location, world.users["provider_alpha"])
    entries = register(
        location,
        name="Lotte",
        parent=world.users["parent"],
        child_last_name="Vanderelst",
        contact_phone="0470 11 22 33",
    )
    choice = choice_of(entries, alpha, location)
    with django_capture_on_commit_callbacks(execute=True):
        made = offer(alpha, choice, world.users["provider_alpha"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(alpha, made, world.users["parent"])
    (message,) = mail.outbox
    assert message.to == ["kdv@herent-mail.test"]
    for secret in ("Lotte", "Vanderelst", "sara@example.be", "parent@test.test", "0470"):
        assert secret not in message.subject, secret
        assert secret not in message.body, secret
    assert entries[0].reference in message.subject
    assert "(L.)" in message.subject
    assert f"/beheer/plaatsingen/{location.pk}/" in message.body
