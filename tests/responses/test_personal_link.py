"""Answering from a personal link (/r/<token>/): a GET only pre-selects, a POST records one
response per invitation (a change keeps the history), errors and problems are shown in the
respondent's language, employee surveys stay anonymous, and the admin's response list filters,
escapes and never shows another organization's answers."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from distribution.services import distribution_tick
from nps_platform.tenancy import tenant_context
from responses.models import Channel, Response, ResponseChange
from surveys import catalog
from surveys.models import SurveyStatus
from tests.distribution.conftest import links_in, path_of

from .conftest import REVIEW_URL, changes_of, responses_of

pytestmark = pytest.mark.django_db

COMPANY = "Cykelmageren"  # the fixture survey's company name


def da(text) -> str:
    return catalog.translate_in("da", text).replace("{company}", COMPANY)


def sv(text) -> str:
    return catalog.translate_in("sv", text).replace("{company}", COMPANY)


def en(text) -> str:
    return catalog.translate_in("en", text).replace("{company}", COMPANY)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def checked_scores(response) -> list[str]:
    return re.findall(r'<input type="radio" name="score" id="score-\d+" value="(\d+)" checked',
                      response.content.decode())


def page_language(response) -> str:
    return re.search(r'<html lang="([a-z-]+)"', response.content.decode()).group(1)


def reason_wording(response) -> str:
    """The wording shown for the per-category "reason" question."""
    match = re.search(r'<label class="r-question-text" for="q-reason"><span[^>]*>([^<]*)</span>',
                      response.content.decode())
    return html.unescape(match.group(1))


def language_links(response) -> dict[str, str]:
    """The language switch's links as a browser reads them (attribute values unescaped)."""
    return {code: html.unescape(href) for href, code in
            re.findall(r'<a href="([^"]*)"[^>]* lang="([a-z]+)"', response.content.decode())}


def full_form(score="9", **answers) -> dict:
    data = {"score": score, "lang": "da", "q-reason": "Hurtig og venlig service", "q-better": "Længere åbningstid",
            "q-source": "search"}
    data.update(answers)
    return {k: v for k, v in data.items() if v is not None}


# --- Opening the link ------------------------------------------------------------------------

def test_score_link_from_the_email_preselects_the_score_and_records_nothing(shop, contacts_in, campaign_for,
                                                                           smtp_sink, client):
    organization, owner, survey = shop
    contacts_in(organization, [("kunde@x.dk", "da")])
    campaign_for(organization, owner, survey)
    distribution_tick()
    message = smtp_sink.wait_for(1)[0]
    seven = next(link for link in links_in(message, smtp_sink) if link.endswith("?score=7"))

    page = client.get(path_of(seven))
    assert page.status_code == 200
    assert checked_scores(page) == ["7"]
    assert page_language(page) == "da"
    assert da(catalog.NPS_TEXTS["relationship"]) in page_text(page)
    assert responses_of(organization) == []  # a mail scanner following every score link records nothing

    # The respondent switches to Swedish (the survey has it); the score stays chosen.
    swedish = client.get(path_of(seven) + "&lang=sv")
    assert page_language(swedish) == "sv" and checked_scores(swedish) == ["7"]
    assert sv(catalog.NPS_TEXTS["relationship"]) in page_text(swedish)
    # A language the survey does not have (or nobody has) falls back to the invitation's.
    for unknown in ("nb", "fr", "xx"):
        fallback = client.get(path_of(seven) + f"&lang={unknown}")
        assert fallback.status_code == 200 and page_language(fallback) == "da"
    assert responses_of(organization) == []


def test_the_language_links_switch_language_without_a_score(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    page = client.get(path)
    assert language_links(page) == {"en": "?lang=en", "da": "?lang=da", "sv": "?lang=sv"}
    assert page_language(client.get(path + language_links(page)["sv"])) == "sv"


def test_the_language_links_keep_the_chosen_score(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    page = client.get(path + "?score=7")
    swedish = client.get(path + language_links(page)["sv"])
    assert page_language(swedish) == "sv" and checked_scores(swedish) == ["7"]


def test_the_page_offers_the_surveys_languages_and_an_unsubscribe_link(shop, personal_link, client):
    organization, owner, survey = shop
    invitation, path = personal_link(organization, owner, survey)
    page = page_text(client.get(path))
    assert 'lang="en">English<' in page and 'lang="sv">Svenska<' in page and "Norsk" not in page
    assert f'href="/u/{path.split("/")[2]}/"' in page
    with tenant_context(organization):
        invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation.responded_at is None


# --- Submitting --------------------------------------------------------------------------------

def test_submit_records_one_response_and_thanks_with_the_review_link(shop, personal_link, client):
    from organizations.models import Department

    organization, owner, survey = shop
    with tenant_context(organization):
        aarhus = Department.objects.create(organization=organization, name="Aarhus")
    invitation, path = personal_link(organization, owner, survey, department=aarhus)

    posted = client.post(path, full_form("9"))
    assert posted.status_code == 302 and posted["Location"] == f"{path}thanks/?lang=da"

    [response] = responses_of(organization)
    assert (response.score, response.category, response.language, response.channel) == (
        9, "promoter", "da", Channel.EMAIL)
    assert response.answers == {"reason": "Hurtig og venlig service", "better": "Længere åbningstid",
                                "source": {"choices": ["search"]}}
    assert response.comment == "Hurtig og venlig service"  # the first open-text question
    assert response.contact == invitation.contact and response.department == aarhus
    assert response.invitation_id == invitation.pk and response.survey_id == survey.pk
    with tenant_context(organization):
        invitation.refresh_from_db()
    assert invitation.responded_at is not None

    thanks = client.get(posted["Location"])
    assert thanks.status_code == 200 and page_language(thanks) == "da"
    text = page_text(thanks)
    assert "Tak!" in text and da(catalog.THANK_YOU["promoter"]) in text
    assert da(catalog.REVIEW_INVITE["promoter"]) in text
    assert f'href="{REVIEW_URL}"' in text and "Anmeld os på Google" in text


def test_the_same_form_twice_changes_nothing_and_a_new_score_keeps_history(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    client.post(path, full_form("9"))
    [first] = responses_of(organization)

    again = client.post(path, full_form("9"))  # a double click, or the back button and send again
    assert again.status_code == 302
    assert len(responses_of(organization)) == 1 and changes_of(organization) == []
    [same] = responses_of(organization)
    assert same.updated_at == first.updated_at

    # The page now says they have answered, with their answers filled in.
    page = client.get(path)
    assert checked_scores(page) == ["9"] and "Hurtig og venlig service" in page_text(page)

    changed = client.post(path, full_form("3", **{"q-reason": "Cyklen var ikke klar"}))
    assert changed.status_code == 302
    [response] = responses_of(organization)
    assert response.pk == first.pk
    assert (response.score, response.category, response.comment) == (3, "detractor", "Cyklen var ikke klar")
    [change] = changes_of(organization, response=response)
    assert change.score == 9 and change.answers["reason"] == "Hurtig og venlig service"
    thanks = page_text(client.get(changed["Location"]))
    assert da(catalog.THANK_YOU["detractor"]) in thanks


# --- Validation ---------------------------------------------------------------------------------

def test_no_score_is_refused_in_danish_and_keeps_what_was_typed(shop, personal_link, client):
    organization, owner, survey = shop
    invitation, path = personal_link(organization, owner, survey)
    page = client.post(path, full_form(score=None))
    assert page.status_code == 400
    text = page_text(page)
    assert "Vælg venligst en score fra 0 til 10." in text
    assert "Please choose a score" not in text
    assert "Hurtig og venlig service" in text  # nothing typed is lost
    for bad in ("11", "-1", "seven", ""):
        assert client.post(path, full_form(score=bad)).status_code == 400
    assert responses_of(organization) == []
    with tenant_context(organization):
        invitation.refresh_from_db()
    assert invitation.responded_at is None


def test_a_required_follow_up_left_empty_is_named(shop, personal_link, client):
    from surveys import services
    from surveys.models import Question

    organization, owner, survey = shop
    with tenant_context(organization):
        better = Question.objects.get(survey=survey, key="better")
        services.question_update(question=better, by=owner, language="en", texts={}, required=True)
        services.survey_publish(survey=survey, by=owner)
    _invitation, path = personal_link(organization, owner, survey)

    page = client.post(path, full_form("8", **{"q-better": "   "}))
    assert page.status_code == 400
    assert f"Svar venligst på: {da(catalog.BETTER)}" in page_text(page)
    assert responses_of(organization) == []
    assert client.post(path, full_form("8")).status_code == 302
    assert len(responses_of(organization)) == 1


def test_a_text_over_5000_characters_is_refused_with_a_clear_message(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    page = client.post(path, full_form("8", **{"q-better": "x" * 5001}))
    assert page.status_code == 400
    assert f"Dit svar på »{da(catalog.BETTER)}« er for langt: højst 5000 tegn." in page_text(page)
    assert responses_of(organization) == []
    # Exactly 5 000 is fine.
    assert client.post(path, full_form("8", **{"q-better": "x" * 5000})).status_code == 302
    assert len(responses_of(organization)[0].answers["better"]) == 5000


def test_an_unknown_choice_is_refused(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    page = client.post(path, full_form("8", **{"q-source": "bribery"}))
    assert page.status_code == 400
    assert "Vælg venligst en af mulighederne." in page_text(page)
    assert responses_of(organization) == []
    # "Other" with its text is a known choice.
    assert client.post(path, full_form("8", **{"q-source": "__other__", "q-source-other": "Messe"})).status_code == 302
    assert responses_of(organization)[0].answers["source"] == {"choices": ["__other__"], "other": "Messe"}


# --- The score saved at once -----------------------------------------------------------------

def test_score_endpoint_saves_the_score_then_the_form_adds_the_answers(shop, personal_link, client):
    organization, owner, survey = shop
    invitation, path = personal_link(organization, owner, survey)
    page = client.get(path)
    assert f'data-score-url="{path}score/"' in page.content.decode()  # what respondent.js posts to

    saved = client.post(f"{path}score/", {"score": "4", "lang": "da"})
    assert saved.status_code == 204
    [response] = responses_of(organization)
    assert (response.score, response.category, response.answers, response.comment) == (4, "detractor", {}, "")
    with tenant_context(organization):
        invitation.refresh_from_db()
    assert invitation.responded_at is not None

    # Reloading shows the saved score; the full form adds the answers to the same response.
    assert checked_scores(client.get(path)) == ["4"]
    assert client.post(path, full_form("4")).status_code == 302
    [response] = responses_of(organization)
    assert response.score == 4 and response.answers["reason"] == "Hurtig og venlig service"
    assert response.comment == "Hurtig og venlig service"

    # Choosing another score later keeps the answers already given.
    assert client.post(f"{path}score/", {"score": "10"}).status_code == 204
    [response] = responses_of(organization)
    assert (response.score, response.category) == (10, "promoter")
    assert response.answers["reason"] == "Hurtig og venlig service"


def test_score_endpoint_refuses_get_and_scores_out_of_range(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    assert client.get(f"{path}score/?score=5").status_code == 405  # a mail scanner's GET records nothing
    for bad in ("11", "", "abc"):
        assert client.post(f"{path}score/", {"score": bad}).status_code == 400
    assert responses_of(organization) == []


# --- Wording per category ------------------------------------------------------------------------

def test_a_personal_link_is_rate_limited_per_address_in_the_respondents_language(shop, personal_link, settings):
    settings.PERSONAL_RESPONSE_RATE = (3, 600)
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    hammer = Client(REMOTE_ADDR="10.7.0.1")
    assert hammer.post(f"{path}score/", {"score": "4", "lang": "da"}).status_code == 204
    assert hammer.post(f"{path}score/", {"score": "5", "lang": "da"}).status_code == 204
    assert hammer.post(path, full_form("6")).status_code == 302

    limited_score = hammer.post(f"{path}score/", {"score": "0", "lang": "da"})
    limited_form = hammer.post(path, full_form("1"))

    for limited in (limited_score, limited_form):
        assert limited.status_code == 429
        assert page_language(limited) == "da"
        assert "For mange svar herfra" in page_text(limited)
        assert "Vent et par minutter, og prøv igen." in page_text(limited)
    assert [r.score for r in responses_of(organization)] == [6]
    assert len(changes_of(organization)) == 2  # 4 → 5 → 6, nothing after the limit
    # Reading the page is never limited, and another address may still answer.
    assert hammer.get(path).status_code == 200
    assert Client(REMOTE_ADDR="10.7.0.2").post(path, full_form("8")).status_code == 302
    assert [r.score for r in responses_of(organization)] == [8]


def test_the_personal_link_limit_is_per_link(shop, personal_link, settings):
    settings.PERSONAL_RESPONSE_RATE = (1, 600)
    organization, owner, survey = shop
    _first, first_path = personal_link(organization, owner, survey, email="a@x.dk")
    _second, second_path = personal_link(organization, owner, survey, email="b@x.dk")
    office = Client(REMOTE_ADDR="10.7.1.1")  # two colleagues behind one address
    assert office.post(first_path, full_form("9")).status_code == 302
    assert office.post(second_path, full_form("7")).status_code == 302
    assert office.post(first_path, full_form("3")).status_code == 429
    assert sorted(r.score for r in responses_of(organization)) == [7, 9]


def test_follow_up_wording_per_category(shop, personal_link, client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    page = client.get(path)
    raw = page.content.decode()
    for category, text in (("promoter", catalog.REASON_PROMOTER), ("passive", catalog.REASON_PASSIVE),
                           ("detractor", catalog.REASON_DETRACTOR)):
        assert f'data-text-{category}="{html.escape(da(text))}"' in raw
    assert reason_wording(page) == da(catalog.REASON)  # no score chosen yet: the neutral wording
    assert reason_wording(client.get(path + "?score=2")) == da(catalog.REASON_DETRACTOR)
    assert reason_wording(client.get(path + "?score=8")) == da(catalog.REASON_PASSIVE)
    assert reason_wording(client.get(path + "?score=10")) == da(catalog.REASON_PROMOTER)
    # A question without per-category wording carries no such attributes.
    assert "data-text-" not in raw.split('for="q-better"')[1].split("</label>")[0]


# --- Problems --------------------------------------------------------------------------------------

def test_an_expired_link_answers_410_in_the_respondents_language(shop, personal_link, client):
    organization, owner, survey = shop
    invitation, path = personal_link(organization, owner, survey)
    with tenant_context(organization):
        invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
        invitation.save(update_fields=["expires_at"])
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert "Linket er udløbet" in page_text(page) and page_language(page) == "da"
    assert client.post(path, full_form("9")).status_code == 410
    assert client.post(f"{path}score/", {"score": "9"}).status_code == 410
    assert responses_of(organization) == []


@pytest.mark.parametrize("token", ["999999.abcdefghijklmnopqrstuvwxyz", "nonsense", "1.short"])
def test_an_unknown_token_is_a_friendly_404(token, client):
    page = client.get(f"/r/{token}/")
    assert page.status_code == 404
    assert "We could not find this survey" in page_text(page)
    danish = client.get(f"/r/{token}/", HTTP_ACCEPT_LANGUAGE="da")
    assert danish.status_code == 404 and "Vi kunne ikke finde undersøgelsen" in page_text(danish)
    # no organization to name it after: the page is still titled (screen readers announce it)
    assert "<title>Vi kunne ikke finde undersøgelsen</title>" in danish.content.decode()


def test_a_wrong_secret_for_a_real_organization_is_a_404(shop, personal_link, client):
    organization, owner, survey = shop
    personal_link(organization, owner, survey)
    forged = f"/r/{organization.pk}.{'A' * 32}/"
    assert client.get(forged).status_code == 404
    assert client.post(forged, full_form("9")).status_code == 404
    assert responses_of(organization) == []


def test_a_closed_survey_answers_410_and_a_paused_one_503(shop, personal_link, client):
    from surveys.services import survey_transition

    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey, email="customer@x.com", language="en")

    with tenant_context(organization):
        survey_transition(survey=survey, action="pause", by=owner)
    paused = client.get(path)
    assert paused.status_code == 503 and "The survey is paused" in page_text(paused)
    assert client.post(path, full_form("9")).status_code == 503
    assert client.post(f"{path}score/", {"score": "9"}).status_code == 503

    with tenant_context(organization):
        survey.refresh_from_db()
        survey_transition(survey=survey, action="close", by=owner)
        assert survey.status == SurveyStatus.CLOSED
    closed = client.get(path)
    assert closed.status_code == 410 and "This survey has closed" in page_text(closed)
    assert client.post(path, full_form("9")).status_code == 410
    assert responses_of(organization) == []


# --- Employee surveys are anonymous ----------------------------------------------------------------

def test_employee_survey_records_no_person_and_the_list_says_anonymous(make_org, published_survey, campaign_for,
                                                                        member_client):
    """An employee answer keeps no contact, employee or invitation — nothing a copy of the
    database alone could follow to the person — and its times only to the day; the respondent
    still changes it through their own link; no list shows it one by one."""
    from distribution.emails import invitation_link
    from distribution.models import Invitation
    from organizations.models import Department, Employee

    organization, owner = make_org("Værkstedet ApS")
    survey = published_survey(organization, owner, languages=("da", "en"), template="employee", name="eNPS Q1")
    with tenant_context(organization):
        workshop = Department.objects.create(organization=organization, name="Værksted")
        Employee.objects.create(organization=organization, name="Ea Ansat", email="ea@x.dk", department=workshop)
        Employee.objects.create(organization=organization, name="Bo Ansat", email="bo@x.dk", department=workshop)
    campaign_for(organization, owner, survey, audience="employees")
    distribution_tick()
    with tenant_context(organization):
        invitations = list(Invitation.objects.order_by("email"))
    assert [i.email for i in invitations] == ["bo@x.dk", "ea@x.dk"]
    assert all(i.employee_id for i in invitations)  # the invitation knows who; the answer must not

    respondent = Client()
    path = path_of(invitation_link(invitations[1]))
    page = respondent.get(path)
    assert "Dine svar er anonyme." in page_text(page)
    assert respondent.post(path, {"score": "6", "lang": "da", "q-reason": "For meget overtid"}).status_code == 302

    [response] = responses_of(organization)
    assert response.contact is None and response.employee is None and response.invitation is None
    assert response.channel == Channel.EMAIL and response.comment == "For meget overtid"
    assert response.department == workshop  # what the groups are made of
    assert len(response.anonymous_key) == 64 and invitations[1].token_hash not in response.anonymous_key
    local = response.created_at.astimezone(zoneinfo.ZoneInfo(organization.time_zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    with tenant_context(organization):
        marked = Invitation.objects.get(pk=invitations[1].pk)
    assert marked.responded_at == response.created_at == response.updated_at  # to the day, no finer
    assert marked.opened_at == response.created_at

    # the respondent changes their answer through their own link: the same answer, no history
    assert respondent.get(path).status_code == 200
    assert "For meget overtid" in page_text(respondent.get(path))
    assert respondent.post(path, {"score": "8", "lang": "da", "q-reason": "Bedre nu"}).status_code == 302
    [response] = responses_of(organization)
    assert (response.score, response.comment) == (8, "Bedre nu")
    with tenant_context(organization):
        assert not ResponseChange.objects.exists()

    listing = page_text(member_client(owner).get(f"/o/{organization.slug}/responses/"))
    assert "Bedre nu" not in listing and "Employee surveys are anonymous" in listing
    assert "ea@x.dk" not in listing and "Ea Ansat" not in listing

def test_the_list_shows_a_comment_escaped(shop, personal_link, client, member_client):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    client.post(path, full_form("2", **{"q-reason": "<script>alert(1)</script> & <b>bold</b>"}))
    raw = member_client(owner).get(f"/o/{organization.slug}/responses/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in raw
    assert "<script>alert(1)</script>" not in raw and "<b>bold</b>" not in raw


@pytest.fixture
def answered(shop, published_survey, personal_link):
    """Three responses in one organization: a promoter and a detractor by email to the
    relationship survey, and a passive from a QR code to a second survey."""
    from responses.services import Submission, response_record_public
    from surveys.presentation import survey_shown

    organization, owner, survey = shop
    workshop = published_survey(organization, owner, name="Workshop visits")
    for email, score, comment in (("p@x.dk", "10", "Fantastisk værksted"), ("d@x.dk", "1", "Ventetid alt for lang")):
        _invitation, path = personal_link(organization, owner, survey, email=email)
        assert Client().post(path, full_form(score, **{"q-reason": comment})).status_code == 302
    with tenant_context(organization):
        version = workshop.current_version
        shown = survey_shown(definition=version.definition, language="da", category="passive")
        response_record_public(survey=workshop, version=version, shown=shown, channel=Channel.QR,
                               submission=Submission(score=8, answers={"reason": "Fin kaffe i VENTEværelset"}))
    return organization, owner, survey, workshop


def listed(page) -> set[str]:
    text = page_text(page)
    return {c for c in ("Fantastisk værksted", "Ventetid alt for lang", "Fin kaffe i VENTEværelset") if c in text}


def test_the_list_filters_by_survey_category_channel_and_text(answered, member_client):
    organization, owner, survey, workshop = answered
    admin = member_client(owner)
    url = f"/o/{organization.slug}/responses/"
    everything = admin.get(url)
    assert everything.status_code == 200 and "3 responses" in page_text(everything)
    assert listed(everything) == {"Fantastisk værksted", "Ventetid alt for lang", "Fin kaffe i VENTEværelset"}
    assert "p@x.dk" in page_text(everything)  # customer surveys show who answered

    assert listed(admin.get(url, {"survey": survey.pk})) == {"Fantastisk værksted", "Ventetid alt for lang"}
    assert listed(admin.get(url, {"survey": workshop.pk})) == {"Fin kaffe i VENTEværelset"}
    assert listed(admin.get(url, {"category": "detractor"})) == {"Ventetid alt for lang"}
    assert listed(admin.get(url, {"category": "promoter", "survey": survey.pk})) == {"Fantastisk værksted"}
    assert listed(admin.get(url, {"channel": "qr"})) == {"Fin kaffe i VENTEværelset"}
    assert listed(admin.get(url, {"channel": "email"})) == {"Fantastisk værksted", "Ventetid alt for lang"}
    assert listed(admin.get(url, {"q": "venteværelset"})) == {"Fin kaffe i VENTEværelset"}  # any case
    assert listed(admin.get(url, {"q": "vente"})) == {"Ventetid alt for lang", "Fin kaffe i VENTEværelset"}
    nothing = admin.get(url, {"q": "ingen sådan tekst"})
    assert listed(nothing) == set() and "0 responses" in page_text(nothing)
    # Nonsense in the filters narrows nothing and breaks nothing.
    assert admin.get(url, {"survey": "abc"}).status_code == 200


def test_another_organizations_admin_sees_none_of_these_responses(answered, org_b, member_client):
    organization, _owner, survey, _workshop = answered
    other_org, other_owner = org_b
    other = member_client(other_owner)
    own = other.get(f"/o/{other_org.slug}/responses/")
    assert own.status_code == 200 and listed(own) == set() and "No responses yet." in page_text(own)
    # Even when asking for this organization's survey by id through their own slug.
    assert listed(other.get(f"/o/{other_org.slug}/responses/", {"survey": survey.pk})) == set()
    assert other.get(f"/o/{organization.slug}/responses/").status_code == 404
    assert Client().get(f"/o/{organization.slug}/responses/").status_code == 302  # to the login page


# --- The response_saved signal ---------------------------------------------------------------

def test_response_saved_fires_once_per_create_and_change_after_commit(shop, personal_link, client, saved_signals,
                                                                      django_capture_on_commit_callbacks):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)

    with django_capture_on_commit_callbacks(execute=False) as pending:
        client.post(path, full_form("9"))
    assert saved_signals == [] and len(pending) == 1  # nothing before the commit
    [response] = responses_of(organization)
    for callback in pending:
        callback()
    assert saved_signals == [{"sender": Response, "response_id": response.pk,
                              "organization_id": organization.pk, "survey_id": response.survey_id,
                              "created_at": response.created_at, "created": True, "deleted": False,
                              "time_zone": organization.time_zone, "has_comment": bool(response.comment)}]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, full_form("9"))  # the same form again: nothing changed, nothing announced
    assert len(saved_signals) == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, full_form("5"))
    assert len(saved_signals) == 2
    assert (saved_signals[1]["response_id"], saved_signals[1]["created"]) == (response.pk, False)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{path}score/", {"score": "6"})
        client.post(f"{path}score/", {"score": "6"})  # the same score again announces nothing
    assert [s["created"] for s in saved_signals] == [True, False, False]


def test_a_refused_submission_announces_nothing(shop, personal_link, client, saved_signals,
                                                django_capture_on_commit_callbacks):
    organization, owner, survey = shop
    _invitation, path = personal_link(organization, owner, survey)
    with django_capture_on_commit_callbacks(execute=True) as pending:
        client.post(path, full_form(score=None))
        client.post(f"{path}score/", {"score": "11"})
    assert pending == [] and saved_signals == []
