"""Claim codes: a family registered at the desk links the request to an account later.

The desk's receipt shows a code once; the parent types the reference and the code on
"Mijn aanvragen" (or through the API) and every part of the registration, in every
loket, becomes theirs. One refusal for every code that does not fit, a limit on attempts,
one use per code, a new code revokes the old one.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from shared.portal import claim_throttle
from shared.registry.claim_codes import claim_code_hash, claim_code_normalise
from shared.registry.models import ClaimCode, RegistryEntry
from tenants.audit.models import AuditEvent
from tenants.requests import receipts
from tenants.requests.claim_codes import REFUSAL, request_claim_code_issue
from tenants.requests.models import ChildcareRequest, RequestEvent
from tenants.requests.retention import request_anonymise
from tests.shared.portal import test_wizard
from tests.shared.portal.test_wizard import Wizard
from tests.support.providers import make_location
from tests.support.requests import submit

pytestmark = pytest.mark.django_db

catalogue = test_wizard.catalogue  # bengeltjes, speelvogel (alpha), zonnestraal (beta)

CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b")
CLAIM_PAGE = "/mijn-aanvragen/koppelen/"
with translation.override("en"):
    REFUSED = str(REFUSAL)


@pytest.fixture
def english(client_for):
    def make(host, user=None):
        client = client_for(host, user=user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def desk_entries(world):
    """A desk registration without e-mail: one part at alpha, one at beta."""
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    return submit(
        make_location(alpha, name="De Bengeltjes"),
        make_location(beta, name="Zonnestraal"),
        registered_by=world.users["staff_alpha"],
        contact_email="",
        guardians=[{"name": "Sara Peeters", "email": "", "phone": "016 12 34 56"}],
        child_first_name="Lotte",
    )


def issue(world, entry):
    with tenant_context(world.lokets["alpha"]):
        return request_claim_code_issue(
            loket=world.lokets["alpha"],
            reference=entry.reference,
            actor=world.users["staff_alpha"],
            now=timezone.now(),
        )


def claim(client, reference, code, **extra):
    return client.post(CLAIM_PAGE, {"reference": reference, "code": code}, **extra)


def events_in(loket, reference):
    with tenant_context(loket):
        request = ChildcareRequest.objects.get(reference=reference)
        return request, list(RequestEvent.objects.filter(request=request))


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def assert_unclaimed(entries):
    assert set(
        RegistryEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list(
            "parent", flat=True
        )
    ) == {None}


# --- The journey -------------------------------------------------------------------------


def test_a_desk_registration_is_claimed_with_the_code_on_its_receipt(
    english, world, catalogue, django_capture_on_commit_callbacks
):
    staff = english("alpha", user="staff_alpha")
    wizard = Wizard(staff, prefix="/beheer/aanvraag").start()
    wizard.fill(
        catalogue["bengeltjes"],
        catalogue["zonnestraal"],
        gezin={"guardian_1_email": "", "guardian_1_phone": "016 12 34 56"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = wizard.post("overzicht", {})
    done = staff.get(sent["Location"]).content.decode()
    assert "claim code" in done
    entries = list(RegistryEntry.objects.order_by("loket__slug"))
    assert [e.loket.slug for e in entries] == ["alpha", "beta"]
    assert len({e.submission for e in entries}) == 1
    here = entries[0]

    # The receipt printed now shows the code, on the page and in the PDF; the registry
    # holds only its keyed hash.
    receipt = staff.get(f"/beheer/aanvragen/{here.reference}/ontvangstbewijs/").content.decode()
    (code,) = set(CODE.findall(receipt))
    assert "/mijn-aanvragen/koppelen/" in receipt
    pdf = staff.get(f"/beheer/aanvragen/{here.reference}/ontvangstbewijs.pdf")
    assert code in pdf_text(pdf.content)
    stored = ClaimCode.objects.get()
    assert stored.code_hash == claim_code_hash(code) and code not in stored.code_hash
    assert code.replace("-", "") not in json.dumps(list(ClaimCode.objects.values()), default=str)
    with tenant_context(world.lokets["alpha"]):
        assert AuditEvent.objects.filter(details__what="claim_code_issued").count() == 1

    # The parent logs in (with a password, like a browser) and types both, loosely.
    parent = english("testregio.localhost")
    logged_in = parent.post(
        "/account/login/", {"login": "parent@test.test", "password": "test-Opvang-2026"}
    )
    assert logged_in.status_code == 302
    assert "Link a request" in parent.get(CLAIM_PAGE).content.decode()
    typed = f"  {here.reference.lower()} ", code.lower().replace("-", " ")
    answer = claim(parent, *typed, follow=True)
    assert answer.status_code == 200
    assert "now linked to your account" in answer.content.decode()
    assert answer.redirect_chain[-1][0] == f"/mijn-aanvragen/{here.submission}/"

    # Both parts, in both lokets, are the parent's: history, audit trail, registry.
    user = world.users["parent"]
    for entry in entries:
        request, events = events_in(entry.loket, entry.reference)
        assert request.parent == user
        claimed = [event for event in events if event.kind == RequestEvent.Kind.CLAIMED]
        assert [(event.actor, event.details) for event in claimed] == [(user, {"via": "code"})]
        with tenant_context(entry.loket):
            assert AuditEvent.objects.filter(
                reference=entry.reference, actor=user, details__event="claimed"
            ).exists()
    assert set(RegistryEntry.objects.values_list("parent", flat=True)) == {user.pk}
    assert ClaimCode.objects.get().used_by == user

    mine = parent.get("/mijn-aanvragen/").content.decode()
    assert "Request for Lotte" in mine
    assert here.reference in mine and entries[1].reference in mine


def test_a_staff_member_without_the_issuing_session_sees_no_code(client_for, world, desk_entries):
    issue(world, desk_entries[0])
    other_staff = client_for("alpha", user="staff_alpha")  # a fresh session
    page = other_staff.get(f"/beheer/aanvragen/{desk_entries[0].reference}/ontvangstbewijs/")
    text = page.content.decode()
    assert not CODE.findall(text)
    assert 'id="new-claim-code"' in text


# --- Refusals ----------------------------------------------------------------------------


@override_settings(CLAIM_ATTEMPTS_PER_ACCOUNT=50, CLAIM_ATTEMPTS_PER_ADDRESS=50)
def test_wrong_expired_used_and_revoked_codes_get_one_and_the_same_answer(
    english, world, desk_entries
):
    reference = desk_entries[0].reference
    other = submit(
        make_location(world.lokets["alpha"], name="Elders"),
        registered_by=world.users["staff_alpha"],
        contact_email="",
        child_first_name="Mona",
    )[0]
    code = issue(world, desk_entries[0]).code
    issue(world, other)
    parent = english("alpha", user="parent")

    def refused(typed_reference, typed_code):
        answer = claim(parent, typed_reference, typed_code)
        assert answer.status_code == 400
        text = answer.content.decode()
        assert REFUSED in text
        return re.sub(r'value="[^"]*"', "", text)  # the page but for what was typed

    pages = [
        refused(reference, "ABCD-EFGH-JKMN"),  # a wrong code
        refused(reference, "not a code"),  # not even a code
        refused(other.reference, code),  # another request's reference
        refused("ALP-1999-99999", code),  # a reference that does not exist
    ]
    ClaimCode.objects.filter(code_hash=claim_code_hash(code)).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    pages.append(refused(reference, code))  # expired
    assert_unclaimed(desk_entries)
    assert len(set(pages)) == 1

    # Used: the parent claims with a fresh code; the same code never works again.
    fresh = issue(world, desk_entries[0]).code
    assert claim(parent, reference, fresh, follow=True).redirect_chain  # reads its message
    assert refused(reference, fresh) == pages[0]
    # Revoked: a new code for the other request; the one before is refused.
    first = issue(world, other).code
    issue(world, other)
    assert refused(other.reference, first) == pages[0]


@override_settings(CLAIM_ATTEMPTS_PER_ACCOUNT=3, CLAIM_ATTEMPTS_PER_ADDRESS=5)
def test_attempts_are_limited_per_account_and_per_address(
    english, world, desk_entries, monkeypatch
):
    reference = desk_entries[0].reference
    code = issue(world, desk_entries[0]).code
    clock = [1_000_000.0]
    monkeypatch.setattr(claim_throttle, "now", lambda: clock[0])
    parent = english("alpha", user="parent")
    for _attempt in range(3):
        assert claim(parent, reference, "ABCD-EFGH-JKMN").status_code == 400
    # The 4th attempt waits, even with the right code: it is not even checked.
    throttled = claim(parent, reference, code)
    assert throttled.status_code == 429
    assert "Too many attempts to link a request" in throttled.content.decode()
    assert_unclaimed(desk_entries)
    # Another account from the same address: 2 more attempts, then the address waits.
    other = english("alpha", user="other_parent")
    for _attempt in range(2):
        assert claim(other, reference, "ABCD-EFGH-JKMN").status_code == 400
    assert claim(other, reference, code).status_code == 429
    # An hour later the window is over: the right code works.
    clock[0] += 3601
    assert claim(parent, reference, code).status_code == 302
    assert set(RegistryEntry.objects.values_list("parent", flat=True)) == {world.users["parent"].pk}


def test_a_second_family_cannot_claim_a_request_already_claimed(english, world, desk_entries):
    reference = desk_entries[0].reference
    code = issue(world, desk_entries[0]).code
    assert claim(english("alpha", user="parent"), reference, code).status_code == 302
    answer = claim(english("alpha", user="other_parent"), reference, code)
    assert answer.status_code == 400 and REFUSED in answer.content.decode()
    # Nor with a new code: a request an account holds gets none.
    staff = english("alpha", user="staff_alpha")
    page = staff.post(f"/beheer/aanvragen/{reference}/koppelcode/", follow=True)
    assert "account already: it needs no claim code" in page.content.decode()
    api = staff.post(f"/api/v1/requests/{reference}/claim-code/")
    assert api.status_code == 400
    assert ClaimCode.objects.count() == 1
    assert set(RegistryEntry.objects.values_list("parent", flat=True)) == {world.users["parent"].pk}


def test_a_new_code_from_the_request_page_revokes_the_old_one(english, world, desk_entries):
    reference = desk_entries[0].reference
    old = issue(world, desk_entries[0]).code
    staff = english("alpha", user="staff_alpha")
    detail = staff.get(f"/beheer/aanvragen/{reference}/").content.decode()
    assert f'action="/beheer/aanvragen/{reference}/koppelcode/"' in detail
    assert staff.get(f"/beheer/aanvragen/{reference}/koppelcode/").status_code == 405
    answer = staff.post(f"/beheer/aanvragen/{reference}/koppelcode/", follow=True)
    assert answer.redirect_chain[-1][0] == f"/beheer/aanvragen/{reference}/ontvangstbewijs/"
    (new,) = set(CODE.findall(answer.content.decode()))
    assert new != old
    assert new in pdf_text(staff.get(f"/beheer/aanvragen/{reference}/ontvangstbewijs.pdf").content)
    with tenant_context(world.lokets["alpha"]):
        issued = AuditEvent.objects.filter(reference=reference, details__what="claim_code_issued")
        assert [event.actor for event in issued] == [world.users["staff_alpha"]] * 2
    parent = english("alpha", user="parent")
    assert claim(parent, reference, old).status_code == 400
    assert_unclaimed(desk_entries)
    assert claim(parent, reference, new).status_code == 302


def test_only_staff_of_the_requests_loket_issue_a_code(client_for, world, desk_entries):
    reference = desk_entries[0].reference
    for host, user, status in [
        ("alpha", "parent", 403),
        ("alpha", "provider_alpha", 403),
        ("beta", "staff_beta", 404),
    ]:
        client = client_for(host, user=user)
        assert client.post(f"/beheer/aanvragen/{reference}/koppelcode/").status_code == status
        assert client.post(f"/api/v1/requests/{reference}/claim-code/").status_code == status
    assert not ClaimCode.objects.exists()


# --- The API -----------------------------------------------------------------------------


def api_claim(client, reference, code):
    body = {"reference": reference, "claim_code": code}
    return client.post("/api/v1/my/claims/", json.dumps(body), content_type="application/json")


@override_settings(CLAIM_ATTEMPTS_PER_ACCOUNT=2)
def test_the_api_claims_with_a_code_issued_through_the_api(client_for, world, desk_entries):
    reference = desk_entries[0].reference
    staff = client_for("alpha", user="staff_alpha")
    issued = staff.post(f"/api/v1/requests/{reference}/claim-code/")
    assert issued.status_code == 201
    code = issued.json()["claim_code"]
    assert CODE.fullmatch(code) and issued.json()["reference"] == reference

    parent = client_for("testregio.localhost", user="parent")
    wrong = api_claim(parent, reference, "ABCD-EFGH-JKMN")
    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": [REFUSAL_IN_DUTCH]}
    claimed = api_claim(parent, reference, code)
    assert claimed.status_code == 201, claimed.content
    body = claimed.json()
    assert body["submission"] == str(desk_entries[0].submission)
    assert {part["reference"] for part in body["parts"]} == {e.reference for e in desk_entries}
    # The account's attempts start again after a success; past the limit: 429.
    for _attempt in range(2):
        assert api_claim(parent, reference, code).status_code == 400  # used now
    throttled = api_claim(parent, reference, code)
    assert throttled.status_code == 429 and "detail" in throttled.json()
    assert int(throttled["Retry-After"]) > 0
    assert client_for("alpha").post("/api/v1/my/claims/", {}).status_code in (401, 403)


REFUSAL_IN_DUTCH = (
    "Deze referentie en koppelcode passen niet bij een aanvraag die je aan je account kunt "
    "koppelen. Controleer beide op het ontvangstbewijs en probeer opnieuw, of vraag het loket "
    "om een nieuwe code."
)


# --- The parent's own receipt --------------------------------------------------------------


def test_a_parent_downloads_the_receipt_of_their_own_request_only(client_for, world, desk_entries):
    reference = desk_entries[0].reference
    code = issue(world, desk_entries[0]).code
    portal = client_for("testregio.localhost", user="parent")
    assert claim(portal, reference, code).status_code == 302
    submission = desk_entries[0].submission
    alpha_part, beta_part = (
        RegistryEntry.objects.get(reference=e.reference).pk for e in desk_entries
    )
    path = f"/mijn-aanvragen/{submission}/ontvangstbewijs/{{}}.pdf"

    page = portal.get(f"/mijn-aanvragen/{submission}/").content.decode()
    assert path.format(alpha_part) in page and path.format(beta_part) in page
    for part, entry in ((alpha_part, desk_entries[0]), (beta_part, desk_entries[1])):
        answer = portal.get(path.format(part))
        assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
        text = pdf_text(answer.content)
        assert entry.reference in text and not CODE.findall(text)
    # On a loket's host that loket's receipt; another loket's is linked on its own host,
    # in its own face, and each host serves its own.
    alpha = client_for("alpha", user="parent")
    assert alpha.get(path.format(alpha_part)).status_code == 200
    assert alpha.get(path.format(beta_part)).status_code == 404
    detail_here = alpha.get(f"/mijn-aanvragen/{submission}/").content.decode()
    assert f'href="{path.format(alpha_part)}"' in detail_here
    assert f'href="http://beta.localhost{path.format(beta_part)}"' in detail_here
    assert client_for("beta", user="parent").get(path.format(beta_part)).status_code == 200
    # Another family's request: not found, whatever the host.
    for host in ("testregio.localhost", "alpha", "beta"):
        other = client_for(host, user="other_parent")
        for part in (alpha_part, beta_part):
            assert other.get(path.format(part)).status_code == 404
    assert client_for("alpha").get(path.format(alpha_part)).status_code == 302


def test_codes_are_forgiving_to_type_and_unambiguous(world, desk_entries):
    code = issue(world, desk_entries[0]).code
    assert CODE.fullmatch(code)
    assert not set(code) & set("01ILOUV")
    assert claim_code_normalise(code.lower().replace("-", " ")) == code.replace("-", "")
    assert claim_code_normalise("O0O0-1111-IIII") == ""


def test_an_erased_desk_registration_can_no_longer_be_claimed(english, world, desk_entries):
    code = issue(world, desk_entries[0]).code
    with tenant_context(world.lokets["alpha"]), transaction.atomic():
        request = ChildcareRequest.objects.get(reference=desk_entries[0].reference)
        assert request_anonymise(request, now=timezone.now(), actor=world.users["staff_alpha"])
    answer = claim(english("beta", user="parent"), desk_entries[1].reference, code)
    assert answer.status_code == 400 and REFUSED in answer.content.decode()
    assert_unclaimed(desk_entries)


def test_the_session_keeps_the_code_encrypted_and_for_an_hour_only(world, desk_entries):
    reference = desk_entries[0].reference
    issued = issue(world, desk_entries[0])
    session: dict = {}
    now = timezone.now()
    receipts.receipt_codes_remember(session=session, codes={reference: issued}, now=now)
    assert issued.code not in json.dumps(session)
    alpha = world.lokets["alpha"]
    with tenant_context(alpha):
        receipt = receipts.request_receipt(
            loket=alpha, reference=reference, actor=world.users["staff_alpha"], now=now
        )

    def shown(later):
        return receipts.receipt_with_issued_code(
            receipt=receipt, session=session, now=now + later
        ).claim_code

    assert shown(timedelta(minutes=59)) == issued.code
    assert shown(timedelta(minutes=61)) == ""
    assert session[receipts.CLAIM_CODES_SESSION_KEY] == {}
