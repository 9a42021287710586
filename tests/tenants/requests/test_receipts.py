"""The receipt of a desk registration: what a family without e-mail takes home.

From the desk's "sent" page and from the request's page, loket staff print it (a page
that prints only the receipt) or hand over its PDF; machines get the same PDF from the
API. Staff of the request's own loket only; every print is in the audit trail.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from shared.registry.models import RegistryEntry
from tenants.audit.models import AuditEvent
from tests.shared.portal import test_wizard
from tests.shared.portal.test_wizard import Wizard
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

catalogue = test_wizard.catalogue  # the wizard tests' locations (a fixture)


def receipt_url(reference: str, tail: str = "") -> str:
    return f"/beheer/aanvragen/{reference}/ontvangstbewijs{tail}"


@pytest.fixture
def desk_entry(world):
    """A desk registration at alpha for a family without e-mail, with two locations."""
    alpha = world.lokets["alpha"]
    first = make_location(alpha, name="De Bengeltjes")
    second = make_location(alpha, name="Het Speelhuis")
    (entry,) = submit(
        first,
        second,
        registered_by=world.users["staff_alpha"],
        contact_email="",
        guardians=[{"name": "Sara Peeters", "email": "", "phone": "016 12 34 56"}],
        child_first_name="Lotte",
    )
    return entry


def test_the_desk_prints_a_receipt_with_what_the_family_needs(client_for, world, desk_entry):
    page = client_for("alpha", user="staff_alpha").get(receipt_url(desk_entry.reference, "/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert desk_entry.reference in text
    assert "Lotte" in text
    # The locations in the family's order, the registration time, the loket's contact.
    assert text.index("De Bengeltjes") < text.index("Het Speelhuis")
    registered = desk_entry.registered_at.astimezone().strftime("%d/%m/%Y")
    assert registered in text
    assert "016 00 00 00" in text and "Marktplein 1, Loket Alpha" in text
    # Without e-mail: how to follow up at the loket; and it speaks to the family ("je").
    assert "bel of kom langs bij het loket" in text.lower()
    assert "Je aanvraag" in text
    assert 'media="print"' in text or "receipt-print.css" in text
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(
            reference=desk_entry.reference, details__what="receipt"
        ).exists()


def test_the_receipt_pdf_holds_the_reference_and_the_locations(client_for, desk_entry):
    for path in (receipt_url(desk_entry.reference, ".pdf"),):
        answer = client_for("alpha", user="staff_alpha").get(path)
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/pdf"
        # What, whose and when, in lower case (opvangloket.downloads).
        name = f"ontvangstbewijs-{desk_entry.reference.lower()}-{timezone.localdate():%Y%m%d}.pdf"
        assert answer["Content-Disposition"] == f'attachment; filename="{name}"'
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
        assert desk_entry.reference in text
        assert "De Bengeltjes" in text and "Het Speelhuis" in text


def test_the_api_gives_the_same_receipt_as_a_pdf(client_for, desk_entry):
    answer = client_for("alpha", user="staff_alpha").get(
        f"/api/v1/requests/{desk_entry.reference}/receipt/"
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert desk_entry.reference in text


def test_the_receipt_speaks_french_and_english(client_for, desk_entry):
    client = client_for("alpha", user="staff_alpha")
    client.cookies["django_language"] = "fr"
    french = client.get(receipt_url(desk_entry.reference, "/")).content.decode()
    assert "Récépissé" in french or "récépissé" in french
    client.cookies["django_language"] = "en"
    english = client.get(receipt_url(desk_entry.reference, "/")).content.decode()
    assert "Receipt of your request" in english


@pytest.mark.parametrize(
    ("host", "user", "status"),
    [
        ("alpha", "provider_alpha", 403),
        ("alpha", "parent", 403),
        ("alpha", None, 302),
        ("beta", "staff_beta", 404),
        ("audit", "auditor", 403),
    ],
)
def test_only_staff_of_the_requests_loket_get_its_receipt(
    client_for, desk_entry, host, user, status
):
    client = client_for(host, user=user)
    for tail in ("/", ".pdf"):
        assert client.get(receipt_url(desk_entry.reference, tail)).status_code == status
    api = client.get(f"/api/v1/requests/{desk_entry.reference}/receipt/").status_code
    assert api in ((401, 403) if status == 302 else (403, 404))


def test_the_desks_sent_page_links_to_the_receipt_and_the_request(
    client_for,
    world,
    catalogue,
    django_capture_on_commit_callbacks,
):
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    wizard.fill(
        catalogue["bengeltjes"], gezin={"guardian_1_email": "", "guardian_1_phone": "016 12 34 56"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = wizard.post("overzicht", {})
    done = wizard.client.get(sent["Location"]).content.decode()
    from tenants.requests.models import ChildcareRequest

    with tenant_context(world.lokets["alpha"]):
        reference = ChildcareRequest.objects.get().reference
    assert f'href="{receipt_url(reference, "/")}"' in done
    assert f'href="/beheer/aanvragen/{reference}/"' in done
    # The request's own page offers it again later.
    detail = wizard.client.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert f'href="{receipt_url(reference, "/")}"' in detail


def test_the_desk_review_speaks_to_the_staff_member_not_to_the_parent(client_for, world, catalogue):
    desk = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    desk.fill(catalogue["bengeltjes"])
    review = desk.get("overzicht").content.decode()
    assert "verklaar je op eer" not in review
    assert "wat de ouder op eer verklaarde" in review
    parent = Wizard(client_for("alpha", user="parent")).start()
    parent.fill(catalogue["bengeltjes"])
    assert "verklaar je op eer" in parent.get("overzicht").content.decode()


def test_a_request_of_an_account_says_follow_it_in_my_requests_not_make_an_account(
    client_for, world
):
    alpha = world.lokets["alpha"]
    (entry,) = submit(make_location(alpha, name="De Bengeltjes"), parent=world.users["parent"])
    parent_email = world.users["parent"].email
    staff_page = client_for("alpha", user="staff_alpha").get(receipt_url(entry.reference, "/"))
    text = staff_page.content.decode()
    assert "/account/signup/" not in text and "maak een account" not in text.lower()
    assert f"ingelogd als {parent_email}" in text and "/mijn-aanvragen/" in text

    part = RegistryEntry.objects.get(reference=entry.reference).pk
    own = client_for("alpha", user="parent").get(
        f"/mijn-aanvragen/{entry.submission}/ontvangstbewijs/{part}.pdf"
    )
    assert own.status_code == 200
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(own.content)).pages)
    assert "/account/signup/" not in pdf and parent_email in pdf


def test_a_desk_registration_with_e_mail_and_no_account_still_says_make_an_account(
    client_for, world
):
    (entry,) = submit(
        make_location(world.lokets["alpha"], name="De Bengeltjes"),
        registered_by=world.users["staff_alpha"],
        contact_email="sara@example.be",
    )
    text = (
        client_for("alpha", user="staff_alpha")
        .get(receipt_url(entry.reference, "/"))
        .content.decode()
    )
    assert "/account/signup/" in text and "sara@example.be" in text
