"""Accounts: one login for every loket; sign-up with e-mail verification; password reset."""

import re

import pytest
from django.core import mail

from shared.accounts.models import User
from tests.support.emails import sent_after_commit

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post("/account/login/", {"login": email, "password": password})


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.parametrize("host", ["alpha", "beta", "testregio.localhost", "localhost"])
def test_a_parent_account_logs_in_on_every_loket_and_on_the_portal(client_for, password, host):
    client = client_for(host)
    response = login(client, "parent@test.test", password)
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["email"] == "parent@test.test"


def test_wrong_password_is_refused_with_a_message_and_keeps_the_email(client_for):
    response = login(client_for("alpha"), "parent@test.test", "wrong")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="parent@test.test"' in page
    assert "errorlist" in page or "error" in page


def test_sign_up_sends_a_verification_mail_that_activates_the_address(client_for):
    client = client_for("alpha")
    with sent_after_commit():  # allauth's e-mails leave through the outbox
        response = client.post(
            "/account/signup/",
            {
                "email": "New.Parent@Example.be",
                "password1": "Kinderopvang-2026!",
                "password2": "Kinderopvang-2026!",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.parent@example.be")
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    assert "alpha.localhost" in mail.outbox[0].body

    confirm_page = client.get(link_in(mail.outbox[0]))
    assert confirm_page.status_code == 200
    client.post(link_in(mail.outbox[0]))
    assert user.emailaddress_set.get().verified

    fresh = client_for("beta")
    assert login(fresh, "new.parent@example.be", "Kinderopvang-2026!").status_code == 302
    assert fresh.get("/api/v1/me/").json()["email"] == "new.parent@example.be"


def test_sign_up_errors_are_shown_next_to_the_field_and_keep_the_email(client_for):
    response = client_for("alpha").post(
        "/account/signup/",
        {"email": "someone@example.be", "password1": "kort", "password2": "kort"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="someone@example.be"' in page
    assert not User.objects.filter(email="someone@example.be").exists()


def test_password_reset_by_mail(client_for):
    client = client_for("beta")
    with sent_after_commit():
        client.post("/account/password/reset/", {"email": "other_parent@test.test"})
    assert len(mail.outbox) == 1
    # The subject names the loket, as the e-mail's header does, not the host.
    assert mail.outbox[0].subject.startswith("[Loket Beta] ")
    assert "localhost" not in mail.outbox[0].subject
    reset_url = client.get(link_in(mail.outbox[0]))["Location"]
    response = client.post(
        reset_url, {"password1": "Nieuw-Wachtwoord-77", "password2": "Nieuw-Wachtwoord-77"}
    )
    assert response.status_code == 302
    assert (
        login(client_for("alpha"), "other_parent@test.test", "Nieuw-Wachtwoord-77").status_code
        == 302
    )


def test_logout(client_for):
    client = client_for("alpha", user="parent")
    client.post("/account/logout/")
    assert client.get("/api/v1/me/").status_code == 403


def test_me_api_lists_roles_and_lets_the_user_change_name_and_language(client_for):
    client = client_for("alpha", user="staff_alpha")
    me = client.get("/api/v1/me/").json()
    assert me["memberships"] == [{"role": "loket_staff", "loket": "alpha", "region": None}]
    response = client.patch(
        "/api/v1/me/",
        data='{"full_name": "Sara Janssens", "preferred_language": "fr", "email": "x@y.z"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Sara Janssens"
    assert response.json()["email"] == "staff_alpha@test.test"


def test_admin_is_for_platform_operators_only(client_for):
    assert client_for("localhost", user="operator").get("/admin/").status_code == 200
    assert client_for("localhost", user="staff_alpha").get("/admin/").status_code == 302
    # The admin is not served on a loket's domain at all.
    assert client_for("alpha", user="operator").get("/admin/").status_code == 404


def _formal_words(page: str) -> list[str]:
    """The Dutch formal address ("u", "uw") among a page's visible words."""
    from html import unescape

    text = unescape(re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", page, flags=re.S))
    return [word for word in re.findall(r"\w+", text.lower()) if word in {"u", "uw", "uwe"}]


def test_the_password_texts_say_je_in_dutch_on_sign_up_and_password_change(client_for, world):
    client = client_for("alpha")
    page = client.get("/account/signup/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert _formal_words(page) == []
    assert "Je wachtwoord" in page

    refused = client.post(
        "/account/signup/",
        {"email": "someone@example.be", "password1": "kort", "password2": "kort"},
        HTTP_ACCEPT_LANGUAGE="nl",
    ).content.decode()
    assert "te kort" in refused
    assert _formal_words(refused) == []
    assert re.search(r"\bje\b|\bjouw\b", refused.lower())

    change = client_for("alpha", "parent").get(
        "/account/password/change/", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert change.status_code == 200
    assert _formal_words(change.content.decode()) == []
    assert "Je wachtwoord" in change.content.decode()

    french = client.get("/account/signup/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre mot de passe" in french
