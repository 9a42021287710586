"""The request wizard through HTTP: register once from a portal or at a loket's desk."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared.portal.models import RequestDraft
from shared.registry.identity import email_key
from shared.registry.models import RegistryEntry
from tenants.requests.models import ChildcareRequest
from tests.support.providers import make_location
from tests.support.requests import catalogue_entry, submit

pytestmark = pytest.mark.django_db

PORTAL = "testregio.localhost"


def some_day(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def valid_national_number(birth: str = "250315", serial: str = "123") -> str:
    base = birth + serial
    return base + f"{97 - int('2' + base) % 97:02d}"


def answers(**overrides) -> dict[str, dict]:
    steps = {
        "kind": {
            "first_name": "Lotte",
            "last_name": "Vermeulen",
            "birth_date": some_day(-120).isoformat(),
            "national_number": "",
        },
        "gezin": {
            "guardian_1_name": "Sara Peeters",
            "guardian_1_email": "sara@example.be",
            "guardian_1_phone": "0470 12 34 56",
            "guardian_2_name": "",
            "guardian_2_email": "",
            "guardian_2_phone": "",
            "street": "Kerkstraat 4",
            "postcode": "3020",
            "residence": "24038",
            "language": "nl",
        },
        "planning": {
            "desired_start": some_day(60).isoformat(),
            "care_plan": ["mon_am", "mon_pm", "tue_am", "tue_pm"],
            "is_flexible": "on",
        },
        "voorrang": {"priorities": ["work_or_training"]},
        "opmerkingen": {"remarks": "Allergisch voor noten.", "consent": "on"},
    }
    for step, values in overrides.items():
        steps[step] = {**steps[step], **values}
    return steps


class Wizard:
    """Drives the wizard like a browser without JavaScript: one plain form post per action."""

    def __init__(self, client, prefix: str = "/aanvraag"):
        self.client = client
        self.prefix = prefix
        self.draft_id: int | None = None

    def start(self) -> Wizard:
        response = self.client.post(f"{self.prefix}/nieuw/")
        assert response.status_code == 302, response.status_code
        match = re.fullmatch(rf"{self.prefix}/(\d+)/kind/", response["Location"])
        assert match, response["Location"]
        self.draft_id = int(match.group(1))
        return self

    def url(self, step: str) -> str:
        return f"{self.prefix}/{self.draft_id}/{step}/"

    def post(self, step: str, data: dict, **extra):
        return self.client.post(self.url(step), data, **extra)

    def get(self, step: str, **params):
        return self.client.get(self.url(step), params)

    def choose(self, *locations):
        for location in locations:
            response = self.post("locaties", {"action": "add", "location": location.pk})
            assert response.status_code == 302
        return self.post("locaties", {"action": "next"})

    def fill(self, *locations, **overrides):
        """Every step up to the review; returns the response of the last post."""
        steps = answers(**overrides)
        for step in ("kind", "gezin", "planning"):
            response = self.post(step, steps[step])
            assert response.status_code == 302, (
                step,
                response.context and response.context["form"].errors,
            )
        response = self.choose(*locations)
        assert response.status_code == 302
        for step in ("voorrang", "opmerkingen"):
            response = self.post(step, steps[step])
            assert response.status_code == 302, step
        assert response["Location"] == self.url("overzicht")
        return response


@pytest.fixture
def catalogue(world):
    alpha, beta = world.lokets["alpha"], world.lokets["beta"]
    return {
        "bengeltjes": catalogue_entry(make_location(alpha, name="Bengeltjes")),
        "speelvogel": catalogue_entry(make_location(alpha, name="Speelvogel")),
        "zonnestraal": catalogue_entry(make_location(beta, name="Zonnestraal")),
    }


def requests_in(loket) -> list[ChildcareRequest]:
    with tenant_context(loket):
        return list(
            ChildcareRequest.objects.prefetch_related("choices").select_related("registered_by")
        )


def chosen_location_ids(request: ChildcareRequest) -> list[int]:
    return [choice.location_id for choice in request.choices.all()]  # prefetched, by rank


def english(client):
    """Messages asserted in English: a browser that asks for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_parent_registers_once_on_the_portal_and_each_loket_gets_a_request(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    parent = world.users["parent"]
    wizard = Wizard(client_for(PORTAL, user=parent)).start()
    wizard.fill(catalogue["bengeltjes"], catalogue["zonnestraal"], catalogue["speelvogel"])

    review = wizard.get("overzicht")
    assert review.status_code == 200
    page = review.content.decode()
    for text in ("Lotte", "Vermeulen", "Sara Peeters", "Bengeltjes", "Zonnestraal", "Herent"):
        assert text in page
    assert 'aria-current="step"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.post("overzicht", {})
    assert response.status_code == 302
    assert response["Location"] == "/aanvraag/ingediend/"

    (alpha_request,) = requests_in(world.lokets["alpha"])
    (beta_request,) = requests_in(world.lokets["beta"])
    assert alpha_request.child_name == "Lotte Vermeulen"
    assert alpha_request.parent == parent and alpha_request.registered_by is None
    assert chosen_location_ids(alpha_request) == [
        catalogue["bengeltjes"].location_id,
        catalogue["speelvogel"].location_id,
    ]
    assert chosen_location_ids(beta_request) == [catalogue["zonnestraal"].location_id]
    assert alpha_request.care_plan == ["mon_am", "mon_pm", "tue_am", "tue_pm"]
    assert alpha_request.priorities == ["work_or_training"]
    assert alpha_request.remarks == "Allergisch voor noten."
    assert alpha_request.guardians == [
        {"name": "Sara Peeters", "email": "sara@example.be", "phone": "0470 12 34 56"}
    ]
    entries = RegistryEntry.objects.filter(parent=parent)
    assert {entry.loket.slug for entry in entries} == {"alpha", "beta"}
    assert not entries.filter(registered_by_staff=True).exists()
    assert not RequestDraft.objects.filter(pk=wizard.draft_id).exists()

    (mail,) = mailoutbox
    # To the account's verified address, not the one typed in the wizard.
    assert mail.to == [parent.email]
    for text in (alpha_request.reference, beta_request.reference, "Bengeltjes", "Zonnestraal"):
        assert text in mail.body
    assert alpha_request.reference in mail.subject

    done = wizard.client.get(response["Location"]).content.decode()
    assert alpha_request.reference in done and beta_request.reference in done
    assert 'href="/mijn-aanvragen/"' in done

    # Back in the browser: the review is gone, and the page says so and where to go.
    back = wizard.get("overzicht")
    assert back.status_code == 404
    page = back.content.decode()
    assert "Deze registratie staat niet meer open" in page
    assert 'href="/aanvraag/ingediend/"' in page and 'href="/mijn-aanvragen/"' in page


def test_the_review_writes_days_per_week_in_the_languages_own_numbers(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    plan = ["mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am", "wed_pm", "thu_am", "thu_pm"]
    wizard.fill(catalogue["bengeltjes"], planning={"care_plan": [*plan, "fri_am"]})
    page = wizard.get("overzicht").content.decode()
    assert re.search(r"Dagen per week</dt>\s*<dd>4,5</dd>", page)


def test_on_a_lokets_host_the_parent_chooses_from_the_whole_region(client_for, world, catalogue):
    wizard = Wizard(client_for("alpha", user="parent")).start()
    assert RequestDraft.objects.get(pk=wizard.draft_id).loket == world.lokets["alpha"]
    wizard.fill(catalogue["zonnestraal"])
    assert wizard.post("overzicht", {}).status_code == 302
    assert requests_in(world.lokets["alpha"]) == []
    (beta_request,) = requests_in(world.lokets["beta"])
    assert beta_request.parent == world.users["parent"]


def test_the_confirmation_e_mail_is_written_in_the_familys_language(
    client_for, catalogue, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from django.utils import translation

    from tenants.requests import submission_emails as emails

    languages = []
    render = emails.render_to_string

    def render_and_note_the_language(*args, **kwargs):
        languages.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(emails, "render_to_string", render_and_note_the_language)
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.fill(catalogue["zonnestraal"], gezin={"language": "fr"})
    with django_capture_on_commit_callbacks(execute=True):
        wizard.post("overzicht", {})
    assert len(mailoutbox) == 1
    assert languages == ["fr", "fr"]  # subject and body
    assert emails.email_language("de") == "nl"  # a language the site does not speak


def test_a_mistake_keeps_every_other_field_and_shows_the_error_next_to_the_field(
    client_for, catalogue
):
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    child = answers(kind={"national_number": "12345678901"})["kind"]
    response = wizard.post("kind", child)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Lotte"' in page and 'value="Vermeulen"' in page
    assert f'value="{child["birth_date"]}"' in page
    assert 'value="12345678901"' in page  # what was typed, to correct it
    error = re.search(r'<div class="error" id="id_national_number_error">(.*?)</div>', page, re.S)
    assert error and "national register number" in error.group(1)
    field = re.search(r'<input[^>]*name="national_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert "id_national_number_error" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
    assert 'href="#id_national_number"' in page  # the summary links to the field
    assert RequestDraft.objects.get(pk=wizard.draft_id).step == "child"  # nothing saved

    response = wizard.post("kind", {**child, "national_number": valid_national_number()})
    assert response.status_code == 302

    # A start date in the past: the care plan ticked is kept, the error sits at the date.
    need = answers(planning={"desired_start": some_day(-3).isoformat()})["planning"]
    wizard.post("gezin", answers()["gezin"])
    page = wizard.post("planning", need).content.decode()
    assert re.search(r'id="id_desired_start_error">\s*<p>[^<]*past', page)
    for part in need["care_plan"]:
        assert re.search(rf'<input[^>]*value="{part}"[^>]*checked', page), part
    assert not re.search(r'<input[^>]*value="wed_am"[^>]*checked', page)


def test_a_step_cannot_be_skipped(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    response = wizard.get("overzicht")
    assert response.status_code == 302 and response["Location"] == wizard.url("kind")


def test_drafts_are_stored_encrypted(client_for, catalogue):
    number = valid_national_number()
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.post("kind", answers(kind={"national_number": number})["kind"])
    wizard.post("gezin", answers()["gezin"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(d)::text FROM portal_requestdraft d")
        raw = " ".join(row[0] for row in cursor.fetchall())
    assert raw
    for secret in ("Lotte", "Vermeulen", number, "Sara", "Kerkstraat", "sara@example.be"):
        assert secret not in raw
    assert RequestDraft.objects.get(pk=wizard.draft_id).step == "need"


def test_a_draft_can_be_resumed_later_with_what_was_saved(client_for, world, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.post("kind", answers()["kind"])
    wizard.post("gezin", answers()["gezin"])

    later = client_for(PORTAL, user="parent")  # another session, the same parent
    start = later.get("/aanvraag/nieuw/").content.decode()
    assert "Lotte Vermeulen" in start
    assert f'href="/aanvraag/{wizard.draft_id}/"' in start
    response = later.get(f"/aanvraag/{wizard.draft_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/aanvraag/{wizard.draft_id}/planning/"
    family = later.get(f"/aanvraag/{wizard.draft_id}/gezin/").content.decode()
    assert 'value="Kerkstraat 4"' in family and 'value="sara@example.be"' in family
    # Another parent's start page does not list it.
    assert (
        "Lotte"
        not in client_for(PORTAL, user="other_parent").get("/aanvraag/nieuw/").content.decode()
    )


def test_a_draft_is_deleted_only_after_its_owner_confirms(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.post("kind", answers()["kind"])
    delete = f"/aanvraag/{wizard.draft_id}/verwijderen/"
    # The list of drafts links to a confirmation page; it holds no delete form of its own.
    start = wizard.client.get("/aanvraag/nieuw/").content.decode()
    assert f'href="{delete}"' in start
    assert f'action="{delete}"' not in start
    # One tap (a POST without the confirmation) only shows the question.
    for response in (wizard.client.get(delete), wizard.client.post(delete)):
        assert response.status_code == 200
        question = response.content.decode()
        assert "Lotte" in question and 'name="confirm" value="yes"' in question
        assert RequestDraft.objects.filter(pk=wizard.draft_id).exists()
    response = wizard.client.post(delete, {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/aanvraag/nieuw/"
    assert not RequestDraft.objects.filter(pk=wizard.draft_id).exists()
    # Its question is gone with it.
    assert wizard.client.get(delete).status_code == 404


def test_a_desk_draft_is_deleted_only_after_confirmation(client_for, catalogue):
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    delete = f"/beheer/aanvraag/{wizard.draft_id}/verwijderen/"
    assert wizard.client.post(delete).status_code == 200
    assert RequestDraft.objects.filter(pk=wizard.draft_id).exists()
    assert wizard.client.post(delete, {"confirm": "yes"}).status_code == 302
    assert not RequestDraft.objects.filter(pk=wizard.draft_id).exists()


def test_a_parent_cannot_open_another_parents_draft(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.post("kind", answers()["kind"])
    intruder = client_for(PORTAL, user="other_parent")
    for path in (
        wizard.url("kind"),
        wizard.url("overzicht"),
        f"/aanvraag/{wizard.draft_id}/",
    ):
        response = intruder.get(path)
        assert response.status_code == 404, path
        assert "Lotte" not in response.content.decode()
        assert 'href="/aanvraag/ingediend/"' not in response.content.decode()
    assert intruder.post(wizard.url("kind"), answers()["kind"]).status_code == 404
    delete = f"/aanvraag/{wizard.draft_id}/verwijderen/"
    assert intruder.get(delete).status_code == 404
    assert intruder.post(delete).status_code == 404
    assert intruder.post(delete, {"confirm": "yes"}).status_code == 404
    assert RequestDraft.objects.filter(pk=wizard.draft_id).exists()
    # Nor is a draft of the portal reachable from a loket's host.
    assert client_for("alpha", user="parent").get(wizard.url("kind")).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client_for):
    response = client_for(PORTAL).get("/aanvraag/nieuw/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_choices_are_added_reordered_and_removed_with_plain_forms(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    for step in ("kind", "gezin", "planning"):
        wizard.post(step, answers()[step])
    search = wizard.get("locaties").content.decode()
    assert "Bengeltjes" in search and "Zonnestraal" in search  # the region's catalogue

    for name in ("bengeltjes", "zonnestraal", "speelvogel"):
        wizard.post("locaties", {"action": "add", "location": catalogue[name].pk, "query": "q=a"})
    response = wizard.post(
        "locaties", {"action": "up", "location": catalogue["zonnestraal"].pk, "query": "q=a"}
    )
    here = wizard.url("locaties") + "?q=a"
    assert response["Location"] == f"{here}#choice-{catalogue['zonnestraal'].pk}"
    wizard.post("locaties", {"action": "remove", "location": catalogue["speelvogel"].pk})
    page = wizard.get("locaties").content.decode()
    chosen = re.findall(r'<strong class="chosen-name">([^<]+)</strong>', page)
    assert chosen == ["Zonnestraal", "Bengeltjes"]

    response = wizard.post("locaties", {"action": "next"})
    assert response["Location"] == wizard.url("voorrang")


def test_choosing_keeps_the_parents_place_in_the_search_results(client_for, catalogue, monkeypatch):
    monkeypatch.setattr("shared.portal.wizard.RESULTS_PER_PAGE", 1)
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    for step in ("kind", "gezin", "planning"):
        wizard.post(step, answers()[step])
    query = "q=&sort=name"
    second_page = wizard.get("locaties", q="", sort="name", page=2).content.decode()
    (pk,) = re.findall(r'<li class="card result" id="result-(\d+)"', second_page)
    assert 'name="page" value="2"' in second_page

    response = wizard.post(
        "locaties", {"action": "add", "location": pk, "query": query, "page": "2"}
    )
    assert response["Location"] == wizard.url("locaties") + f"?{query}&page=2#result-{pk}"
    back = wizard.client.get(response["Location"].split("#")[0]).content.decode()
    result = back[back.index(f'id="result-{pk}"') :]
    assert "<strong>" in result[: result.index("</li>")]  # "Chosen", in the same place
    assert re.findall(r'<li class="card result" id="result-(\d+)"', back) == [pk]

    first = catalogue["bengeltjes"].pk
    wizard.post("locaties", {"action": "add", "location": first, "query": query})
    response = wizard.post(
        "locaties", {"action": "up", "location": first, "query": query, "page": "2"}
    )
    assert response["Location"] == wizard.url("locaties") + f"?{query}&page=2#choice-{first}"
    response = wizard.post(
        "locaties", {"action": "remove", "location": first, "query": query, "page": "2"}
    )
    assert response["Location"] == wizard.url("locaties") + f"?{query}&page=2#your-choices"
    # A page that is not a number is dropped, not passed on.
    response = wizard.post(
        "locaties", {"action": "add", "location": first, "query": query, "page": "x<"}
    )
    assert response["Location"] == wizard.url("locaties") + f"?{query}#result-{first}"


def test_choices_changed_from_the_review_lead_back_to_the_review(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    wizard.fill(catalogue["bengeltjes"])
    page = wizard.get("locaties", **{"from": "review"}).content.decode()
    assert 'name="from" value="review"' in page
    response = wizard.post(
        "locaties",
        {"action": "add", "location": catalogue["zonnestraal"].pk, "query": "from=review"},
    )
    assert "from=review" in response["Location"]
    response = wizard.post("locaties", {"action": "next", "from": "review"})
    assert response["Location"] == wizard.url("overzicht")


def test_choosing_nothing_is_refused_next_to_the_list(client_for, catalogue):
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    for step in ("kind", "gezin", "planning"):
        wizard.post(step, answers()[step])
    response = wizard.post("locaties", {"action": "next"})
    assert response.status_code == 200
    assert 'id="choices_error"' in response.content.decode()


def test_a_location_outside_the_portals_region_cannot_be_chosen(client_for, world):
    outside = catalogue_entry(make_location(world.lokets["alpha"], name="Verweg"))
    outside.region = None  # as if its loket belonged to another region
    outside.save(update_fields=["region"])
    wizard = Wizard(client_for(PORTAL, user="parent")).start()
    for step in ("kind", "gezin", "planning"):
        wizard.post(step, answers()[step])
    wizard.post("locaties", {"action": "add", "location": outside.pk})
    page = wizard.get("locaties").content.decode()
    assert "Verweg" not in page


def test_the_review_shows_rule_errors_per_step_and_age_warnings(client_for, world, catalogue):
    alpha = world.lokets["alpha"]
    alpha.registration_window_months = 1
    alpha.save(update_fields=["registration_window_months"])
    school = catalogue_entry(
        make_location(alpha, name="IBO Schoolslag", age_min_months=30, age_max_months=144)
    )
    wizard = Wizard(english(client_for(PORTAL, user="parent"))).start()
    wizard.fill(catalogue["bengeltjes"], school)

    page = wizard.get("overzicht").content.decode()
    assert "Loket Alpha takes requests at most 1 months before the start" in page
    assert f'href="{wizard.url("planning")}?from=review"' in page
    assert "IBO Schoolslag takes children from 30 to 144 months" in page
    assert 'name="duplicate"' not in page
    response = wizard.post("overzicht", {})
    assert response.status_code == 200
    assert not RegistryEntry.objects.exists()

    # Changed from the review: back to the review after saving.
    response = wizard.post(
        "planning",
        {**answers()["planning"], "desired_start": some_day(0).isoformat(), "from": "review"},
    )
    assert response["Location"] == wizard.url("overzicht")
    assert "at most 1 months" not in wizard.get("overzicht").content.decode()


def test_an_open_request_of_the_child_is_named_and_can_get_the_new_choices(
    client_for, world, catalogue
):
    parent = world.users["parent"]
    (earlier,) = submit(offer_location(world, "alpha", catalogue["bengeltjes"]), parent=parent)
    wizard = Wizard(client_for(PORTAL, user=parent)).start()
    # The parent says it is the child registered before.
    same_child = {"known_child": str(earlier.child.public_id)}
    wizard.fill(catalogue["speelvogel"], catalogue["zonnestraal"], kind=same_child)

    page = wizard.get("overzicht").content.decode()
    assert re.search(r'<ul class="open-lokets">\s*<li>Loket Alpha</li>\s*</ul>', page)
    assert earlier.reference not in page  # which lokets, never what the request holds
    assert 'name="duplicate" value="add"' in page and 'name="duplicate" value="separate"' in page
    # Sending without choosing asks again.
    response = wizard.post("overzicht", {})
    assert response.status_code == 200 and RegistryEntry.objects.count() == 1

    response = wizard.post("overzicht", {"duplicate": "add"})
    assert response.status_code == 302
    (alpha_request,) = requests_in(world.lokets["alpha"])
    assert chosen_location_ids(alpha_request) == [
        catalogue["bengeltjes"].location_id,
        catalogue["speelvogel"].location_id,
    ]
    (beta_request,) = requests_in(world.lokets["beta"])
    assert RegistryEntry.objects.count() == 2
    assert RegistryEntry.objects.get(loket=world.lokets["beta"]).submission == earlier.submission
    done = wizard.client.get(response["Location"]).content.decode()
    assert alpha_request.reference in done and beta_request.reference in done


def test_an_open_request_of_the_child_can_be_left_alone_by_registering_separately(
    client_for, world, catalogue
):
    parent = world.users["parent"]
    (earlier,) = submit(offer_location(world, "alpha", catalogue["bengeltjes"]), parent=parent)
    wizard = Wizard(client_for(PORTAL, user=parent)).start()
    wizard.fill(catalogue["speelvogel"], kind={"known_child": str(earlier.child.public_id)})
    response = wizard.post("overzicht", {"duplicate": "separate"})
    assert response.status_code == 302
    alpha_requests = requests_in(world.lokets["alpha"])
    assert [chosen_location_ids(request) for request in alpha_requests] == [
        [catalogue["bengeltjes"].location_id],
        [catalogue["speelvogel"].location_id],
    ]


def offer_location(world, slug, entry):
    """The loket's own location behind a catalogue entry (what the services take)."""
    from tests.support.providers import location_in

    return location_in(world.lokets[slug], entry.location_id)


# --- At the desk -------------------------------------------------------------------------


def test_loket_staff_register_at_the_desk_for_a_parent_without_e_mail(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    staff = world.users["staff_alpha"]
    wizard = Wizard(client_for("alpha", user=staff), prefix="/beheer/aanvraag").start()
    no_email = {"guardian_1_email": "", "guardian_1_phone": "016 12 34 56"}
    wizard.fill(catalogue["bengeltjes"], gezin=no_email)
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.post("overzicht", {})
    assert response.status_code == 302
    assert response["Location"] == "/beheer/aanvraag/ingediend/"

    (request,) = requests_in(world.lokets["alpha"])
    assert request.parent is None
    assert request.registered_by == staff
    assert request.contact_email == "" and request.contact_phone == "016 12 34 56"
    entry = RegistryEntry.objects.get()
    assert entry.registered_by_staff and entry.parent is None and entry.claim_email_key == ""
    assert mailoutbox == []
    done = wizard.client.get(response["Location"]).content.decode()
    assert request.reference in done


def test_at_the_desk_the_choices_step_speaks_of_the_family_not_of_me(client_for, world, catalogue):
    def choices_page(wizard: Wizard) -> str:
        wizard.fill(catalogue["bengeltjes"])
        return wizard.get("locaties").content.decode()

    desk = choices_page(
        Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    )
    assert "Keuzes van het gezin" in desk and "Toevoegen aan de keuzes van het gezin" in desk
    assert "mijn keuzes" not in desk and "Je keuzes" not in desk
    parent = choices_page(Wizard(client_for("alpha", user="parent")).start())
    assert "Je keuzes" in parent and "Toevoegen aan mijn keuzes" in parent


def test_at_the_desk_a_way_to_reach_the_family_is_needed(client_for, world, catalogue):
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    wizard.post("kind", answers()["kind"])
    nothing = {**answers()["gezin"], "guardian_1_email": "", "guardian_1_phone": ""}
    response = wizard.post("gezin", nothing)
    assert response.status_code == 200
    assert 'id="id_guardian_1_phone_error"' in response.content.decode()


def test_a_desk_registration_with_e_mail_lets_the_parent_claim_it_and_mails_them(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    # The address is that of an existing account: still no link until the parent claims it.
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    wizard.fill(catalogue["bengeltjes"], gezin={"guardian_1_email": world.users["parent"].email})
    review = wizard.client.get(wizard.url("overzicht")).content.decode()
    assert 'name="confirm_contact_email"' in review
    # Staff read the address back to the parent and tick so: only then it is mailed.
    with django_capture_on_commit_callbacks(execute=True):
        wizard.post("overzicht", {"confirm_contact_email": "on"})
    entry = RegistryEntry.objects.get()
    assert entry.parent is None and entry.registered_by_staff
    assert entry.claim_email_key == email_key(world.users["parent"].email)
    assert [mail.to for mail in mailoutbox] == [[world.users["parent"].email]]


def test_a_desk_registration_is_not_mailed_to_an_address_staff_did_not_check(
    client_for, world, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    wizard.fill(catalogue["bengeltjes"], gezin={"guardian_1_email": "typo@example.be"})
    with django_capture_on_commit_callbacks(execute=True):
        wizard.post("overzicht", {})
    assert RegistryEntry.objects.filter(registered_by_staff=True).exists()
    assert mailoutbox == []


@pytest.mark.parametrize("user", ["staff_beta", "provider_alpha", "parent"])
def test_only_staff_of_the_loket_use_its_desk(client_for, world, user):
    client = client_for("alpha", user=user)
    assert client.get("/beheer/aanvraag/nieuw/").status_code == 403
    assert client.post("/beheer/aanvraag/nieuw/").status_code == 403
    assert not RequestDraft.objects.exists()


def test_staff_of_another_loket_cannot_reach_a_desk_draft(client_for, world):
    wizard = Wizard(client_for("alpha", user="staff_alpha"), prefix="/beheer/aanvraag").start()
    wizard.post("kind", answers()["kind"])
    response = client_for("alpha", user="staff_beta").get(wizard.url("kind"))
    assert response.status_code == 403
    # Their own desk draft is not a parent's draft either.
    assert (
        client_for("alpha", user="staff_alpha")
        .get(f"/aanvraag/{wizard.draft_id}/kind/")
        .status_code
        == 404
    )


def test_there_is_no_desk_on_a_portal(client_for):
    assert client_for(PORTAL, user="staff_alpha").get("/beheer/aanvraag/nieuw/").status_code == 404


def test_the_error_summary_says_which_parents_e_mail_is_wrong(client_for, world, catalogue):
    wizard = Wizard(client_for("alpha", user="parent")).start()
    wizard.post("kind", answers()["kind"])
    family = {
        **answers()["gezin"],
        "guardian_2_name": "Tweede Ouder",
        "guardian_2_email": "not-an-address",
    }
    page = wizard.post("gezin", family).content.decode()
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert (
        '<a href="#id_guardian_2_email">Tweede ouder of voogd (niet verplicht) – E-mail:' in summary
    ), summary
