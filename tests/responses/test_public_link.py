"""The survey's public link (/s/<token>/): opened from the builder with its QR codes, answered
without login from a counter, a receipt or an embedding web site, once per browser, guarded
by a honeypot and a rate limit, and invisible to other organizations."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from nps_platform.tenancy import tenant_context
from responses.models import Channel
from surveys import catalog

from .conftest import changes_of, responses_of

pytestmark = pytest.mark.django_db

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def page_language(response) -> str:
    return re.search(r'<html lang="([a-z-]+)"', response.content.decode()).group(1)


@pytest.fixture
def public_survey(shop, published_survey):
    """(organization, owner, survey, path): the shop's survey with its public link open. The
    survey has en (default), da, sv and nb."""
    from surveys import services

    organization, owner, survey = shop
    with tenant_context(organization):
        services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                        default_language="en", languages=["en", "da", "sv", "nb"],
                                        company_name="Cykelmageren")
        link = survey.review_links.get()
        link.texts["nb"] = "Anmeld oss på Google"
        link.save(update_fields=["texts"])
        services.survey_publish(survey=survey, by=owner)
        services.survey_public_link_set(survey=survey, enabled=True, ask_department=False, by=owner)
        survey.refresh_from_db()
    return organization, owner, survey, f"/s/{survey.public_token}/"


def language_links(response) -> dict[str, str]:
    """The language switch's links as a browser reads them (attribute values unescaped)."""
    return {code: html.unescape(href) for href, code in
            re.findall(r'<a href="([^"]*)"[^>]* lang="([a-z]+)"', response.content.decode())}


def answer(score="9", **extra) -> dict:
    return {"score": score, "q-reason": "Nice people", **extra}


# --- Opening the link in the builder ------------------------------------------------------------

def test_admin_opens_the_public_link_and_gets_qr_codes(shop, member_client):
    from PIL import Image

    organization, owner, survey = shop
    admin = member_client(owner)
    builder = f"/o/{organization.slug}/surveys/{survey.pk}/"
    assert "/s/" not in page_text(admin.get(builder))

    opened = admin.post(f"{builder}public-link/", {"enabled": "on"})
    assert opened.status_code == 302 and opened["Location"] == builder
    with tenant_context(organization):
        survey.refresh_from_db()
    token = survey.public_token
    assert survey.public_enabled and token.startswith(f"{organization.pk}.")
    page = page_text(admin.get(builder))
    address = django_settings.SITE_URL.rstrip("/") + f"/s/{token}/"
    assert f'href="{address}"' in page
    assert f'href="{builder}qr.png"' in page and f'href="{builder}qr.svg"' in page
    assert f'src="{address}?c=embed"' in page  # the embed code

    png = admin.get(f"{builder}qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(PNG_MAGIC) and len(png.content) > 500
    image = Image.open(io.BytesIO(png.content))
    image.load()
    assert image.format == "PNG" and image.size[0] == image.size[1] and image.size[0] >= 200  # square, printable

    svg = admin.get(f"{builder}qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content and len(svg.content) > 500
    assert 'filename="survey-' in svg["Content-Disposition"]

    # Anyone can now answer, without logging in.
    assert Client().get(f"/s/{token}/").status_code == 200

    # Closing the link: the address answers 404; reopening keeps the same address (printed codes).
    admin.post(f"{builder}public-link/", {})
    closed = Client().get(f"/s/{token}/")
    assert closed.status_code == 404 and "We could not find this survey" in page_text(closed)
    assert Client().post(f"/s/{token}/", answer()).status_code == 404
    assert "/s/" not in page_text(admin.get(builder)).split("Public link, QR code and web site")[1].split(
        "Lifecycle")[0]
    admin.post(f"{builder}public-link/", {"enabled": "on"})
    with tenant_context(organization):
        survey.refresh_from_db()
    assert survey.public_token == token
    assert Client().get(f"/s/{token}/").status_code == 200
    assert responses_of(organization) == []


def test_qr_codes_need_a_public_link(shop, member_client):
    organization, owner, survey = shop
    admin = member_client(owner)
    assert admin.get(f"/o/{organization.slug}/surveys/{survey.pk}/qr.png").status_code == 404


# --- Opening the public page ------------------------------------------------------------------

def test_public_page_is_frameable_and_needs_no_login(public_survey, member_client):
    organization, owner, survey, path = public_survey
    page = Client().get(path)
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    csp = page.headers["Content-Security-Policy"]
    assert re.search(r"frame-ancestors \*(;|$)", csp)
    assert 'name="website"' in page.content.decode()  # the honeypot is there, hidden
    # The thank-you page is frameable too; the admin pages are not.
    assert "X-Frame-Options" not in Client().get(f"{path}thanks/").headers
    builder = member_client(owner).get(f"/o/{organization.slug}/surveys/{survey.pk}/")
    assert builder.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in builder.headers["Content-Security-Policy"]


def test_a_signed_in_member_answers_the_public_link_as_anybody(public_survey, member_client):
    """Respondents' links pass the staff's middleware by (organizations.staff_only): answering
    from a browser that is signed in reads no session or user, records no session activity and
    leaves the session cookie alone — and the member's staff pages still work afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organization, owner, _survey, path = public_survey
    client = member_client(owner)
    assert client.get(f"/o/{organization.slug}/surveys/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path)
        posted = client.post(path, answer())
    assert page.status_code == 200 and posted.status_code == 302
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("django_session", "auth_user", "usersessions_usersession", "organizations_membership"):
        assert table not in touched, table
    assert "sessionid" not in posted.cookies and "messages" not in posted.cookies
    assert len(responses_of(organization)) == 1
    assert client.get(f"/o/{organization.slug}/surveys/").status_code == 200  # still signed in


@pytest.mark.parametrize(("accept_language", "expected"), [
    ("da-DK,da;q=0.9,en;q=0.5", "da"),
    ("sv-SE", "sv"),
    ("nn", "nb"),
    ("no", "nb"),
    ("nb-NO,nb;q=0.9", "nb"),
    ("fr", "en"),
    ("fr-FR,de;q=0.8", "en"),  # German is a platform language but not this survey's
    ("en;q=0.3,sv;q=0.9", "sv"),
    ("", "en"),
])
def test_public_page_picks_the_best_of_the_surveys_languages(public_survey, accept_language, expected):
    *_, path = public_survey
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE=accept_language)
    assert page.status_code == 200 and page_language(page) == expected
    question = catalog.translate_in(expected, catalog.NPS_TEXTS["relationship"]).replace("{company}", "Cykelmageren")
    assert question in page_text(page)


def test_lang_in_the_address_beats_the_browser(public_survey):
    *_, path = public_survey
    assert page_language(Client().get(f"{path}?lang=sv", HTTP_ACCEPT_LANGUAGE="da")) == "sv"
    assert page_language(Client().get(f"{path}?lang=de", HTTP_ACCEPT_LANGUAGE="da")) == "da"


# --- Answering --------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "channel"), [
    ("?c=qr", Channel.QR), ("?c=embed", Channel.EMBED), ("?c=link", Channel.LINK), ("", Channel.LINK),
    ("?c=email", Channel.LINK), ("?c=api", Channel.LINK),  # a link cannot claim another channel
])
def test_post_records_the_channel_from_the_address(public_survey, query, channel):
    organization, _owner, _survey, path = public_survey
    posted = Client().post(path + query, answer("10"), HTTP_ACCEPT_LANGUAGE="da")
    assert posted.status_code == 302 and posted["Location"] == f"{path}thanks/?lang=da"
    [response] = responses_of(organization)
    assert response.channel == channel
    assert (response.score, response.category, response.language) == (10, "promoter", "da")
    assert response.invitation is None and response.contact is None and response.employee is None
    assert response.comment == "Nice people"


def test_the_form_carries_the_channel_through_a_post_without_query(public_survey):
    organization, _owner, _survey, path = public_survey
    page = Client().get(f"{path}?c=qr").content.decode()
    assert '<input type="hidden" name="c" value="qr">' in page
    Client().post(path, {**answer(), "c": "qr"})
    assert responses_of(organization)[0].channel == Channel.QR


def test_the_language_links_switch_language_and_keep_the_channel(public_survey):
    *_, path = public_survey
    browser = Client()
    page = browser.get(f"{path}?c=qr")
    danish = browser.get(path + language_links(page)["da"])
    assert page_language(danish) == "da"
    assert '<input type="hidden" name="c" value="qr">' in danish.content.decode()


def test_one_browser_counts_once_and_keeps_its_history(public_survey):
    organization, _owner, survey, path = public_survey
    browser = Client()
    posted = browser.post(f"{path}?c=qr", answer("9"))
    assert posted.status_code == 302
    cookie = posted.cookies[f"nps_s{survey.pk}"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 60 * 60 * 24 * 300
    [first] = responses_of(organization)
    assert cookie.value.split(":")[0] == str(first.pk)  # signed: the id, then the signature

    thanks = page_text(browser.get(posted["Location"]))
    assert catalog.translate_in("en", catalog.THANK_YOU["promoter"]) in thanks and "Change my answers" in thanks

    # The same browser comes back: the page says so, shows its answers, and a change updates.
    again = browser.get(f"{path}?c=qr")
    assert "You have answered already" in page_text(again) and "Nice people" in page_text(again)
    assert browser.post(f"{path}?c=qr", answer("4", **{"q-reason": "Changed my mind"})).status_code == 302
    [response] = responses_of(organization)
    assert response.pk == first.pk
    assert (response.score, response.category, response.comment) == (4, "detractor", "Changed my mind")
    [change] = changes_of(organization, response=response)
    assert change.score == 9 and change.answers["reason"] == "Nice people"
    # The very same form again changes nothing.
    browser.post(f"{path}?c=qr", answer("4", **{"q-reason": "Changed my mind"}))
    assert len(changes_of(organization)) == 1

    # Another browser is another respondent.
    assert Client().post(f"{path}?c=qr", answer("7")).status_code == 302
    assert sorted(r.score for r in responses_of(organization)) == [4, 7]


def test_a_forged_or_foreign_cookie_does_not_update_another_response(public_survey):
    organization, _owner, survey, path = public_survey
    victim = Client()
    victim.post(path, answer("10"))
    [theirs] = responses_of(organization)

    forger = Client()
    forger.cookies[f"nps_s{survey.pk}"] = str(theirs.pk)  # unsigned
    forger.post(path, answer("0", **{"q-reason": "sabotage"}))
    assert {r.pk: r.score for r in responses_of(organization)}[theirs.pk] == 10
    assert len(responses_of(organization)) == 2 and changes_of(organization) == []


def test_public_validation_errors_save_nothing(public_survey):
    organization, _owner, _survey, path = public_survey
    page = Client().post(path, {"q-reason": "No score"}, HTTP_ACCEPT_LANGUAGE="da")
    assert page.status_code == 400 and "Vælg venligst en score fra 0 til 10." in page_text(page)
    assert Client().post(path, answer("8", **{"q-better": "x" * 5001})).status_code == 400
    assert Client().post(path, answer("8", **{"q-source": "nope"})).status_code == 400
    assert responses_of(organization) == []


def test_the_honeypot_thanks_a_bot_and_saves_nothing(public_survey):
    organization, _owner, survey, path = public_survey
    bot = Client()
    posted = bot.post(path, answer("10", website="http://spam.example"))
    assert posted.status_code == 302
    assert f"nps_s{survey.pk}" not in posted.cookies
    thanks = bot.get(posted["Location"])
    assert thanks.status_code == 200 and "Thank you!" in page_text(thanks)
    assert responses_of(organization) == []


def test_rate_limit_per_address(public_survey, settings):
    settings.PUBLIC_RESPONSE_RATE = (3, 600)
    organization, _owner, _survey, path = public_survey
    # Three people at the same counter (one address) answer; the fourth is asked to wait.
    for score in ("9", "8", "7"):
        assert Client().post(path, answer(score)).status_code == 302
    limited = Client().post(path, answer("6"))
    assert limited.status_code == 429
    assert "Too many answers from here" in page_text(limited)
    assert "Please wait a few minutes and try again." in page_text(limited)
    assert len(responses_of(organization)) == 3
    # Another address is not limited.
    assert Client(REMOTE_ADDR="10.1.2.3").post(path, answer("5")).status_code == 302
    assert sorted(r.score for r in responses_of(organization)) == [5, 7, 8, 9]
    # Reading the page is never limited.
    assert Client().get(path).status_code == 200


def test_rate_limit_page_and_department_question_are_in_danish(public_survey, settings):
    from organizations.models import Department
    from surveys.services import survey_public_link_set

    settings.PUBLIC_RESPONSE_RATE = (1, 600)
    organization, owner, survey, path = public_survey
    with tenant_context(organization):
        survey_public_link_set(survey=survey, enabled=True, ask_department=True, by=owner)
        Department.objects.create(organization=organization, name="Aarhus butik")
    page = page_text(Client().get(path, HTTP_ACCEPT_LANGUAGE="da"))
    assert "Hvilket sted eller hvilken afdeling hos os drejer det sig om?" in page
    assert "Din score er gemt. Du kan tilføje en kommentar nedenfor." in page  # the note the script shows
    Client().post(path, answer("9"))
    limited = Client().post(path, answer("9"), HTTP_ACCEPT_LANGUAGE="da")
    assert limited.status_code == 429 and page_language(limited) == "da"
    assert "For mange svar herfra" in page_text(limited) and "Vent et par minutter, og prøv igen." in page_text(limited)
    assert "Too many answers" not in page_text(limited)


def test_closed_and_paused_surveys_on_the_public_link(public_survey):
    from surveys.services import survey_transition

    organization, owner, survey, path = public_survey
    with tenant_context(organization):
        survey_transition(survey=survey, action="pause", by=owner)
    assert Client().get(path).status_code == 503
    assert Client().post(path, answer()).status_code == 503
    with tenant_context(organization):
        survey.refresh_from_db()
        survey_transition(survey=survey, action="close", by=owner)
    closed = Client().get(path)
    assert closed.status_code == 410 and "This survey has closed" in page_text(closed)
    assert responses_of(organization) == []


def test_the_public_link_follows_every_change_to_its_survey_and_organization(public_survey):
    """Each process keeps the surveys its public links opened; any change to the survey, its
    organization or its published version is seen by the very next answer."""
    from surveys import services

    organization, owner, survey, path = public_survey
    assert "Cykelmageren" in page_text(Client().get(path))
    organization.name = "Cykel & Sønner"
    organization.save(update_fields=["name"])
    assert "Cykel &amp; Sønner" in Client().get(path).content.decode()
    with tenant_context(organization):
        survey.refresh_from_db()
        services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                        default_language="en", languages=["en", "da", "sv", "nb"],
                                        company_name="Hjulmageren")
        services.survey_publish(survey=survey, by=owner)
    assert "Hjulmageren" in page_text(Client().get(path))
    assert Client().post(path, answer()).status_code == 302
    with tenant_context(organization):
        survey.refresh_from_db()
        services.survey_public_link_set(survey=survey, enabled=False, ask_department=False, by=owner)
    assert Client().get(path).status_code == 404
    assert Client().post(path, answer()).status_code == 404
    organization.is_active = False
    organization.save(update_fields=["is_active"])
    with tenant_context(organization):
        services.survey_public_link_set(survey=survey, enabled=True, ask_department=False, by=owner)
    assert Client().get(path).status_code == 404
    assert len(responses_of(organization)) == 1


def test_answers_in_a_row_meet_every_change_to_the_survey_at_once(public_survey):
    """A process takes a first answer to a survey it has seen without asking for the survey again
    (its INSERT checks, in the same statement, that the survey is unchanged): answers posted one
    after another, with no page opened between them, still meet a pause, a new version, a closed
    link or a deactivated organization at once, and nothing is saved that should not be."""
    from surveys import services

    organization, owner, survey, path = public_survey
    assert Client().post(path, answer("9")).status_code == 302  # the survey is now known here
    assert Client().post(path, answer("8")).status_code == 302
    with tenant_context(organization):
        services.survey_transition(survey=survey, action="pause", by=owner)
    assert Client().post(path, answer("7")).status_code == 503
    with tenant_context(organization):
        survey.refresh_from_db()
        services.survey_transition(survey=survey, action="resume", by=owner)
        first_version = survey.current_version_id
        services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind=survey.kind,
                                        default_language="en", languages=["en", "da", "sv", "nb"],
                                        company_name="Hjulmageren")
        services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
    assert survey.current_version_id != first_version
    assert Client().post(path, answer("3")).status_code == 302
    assert Client().post(path, {"score": "11"}).status_code == 400  # still checked as before
    with tenant_context(organization):
        services.survey_public_link_set(survey=survey, enabled=False, ask_department=False, by=owner)
    assert Client().post(path, answer("10")).status_code == 404
    with tenant_context(organization):
        services.survey_public_link_set(survey=survey, enabled=True, ask_department=False, by=owner)
    assert Client().post(path, answer("6")).status_code == 302
    organization.is_active = False
    organization.save(update_fields=["is_active"])
    assert Client().post(path, answer("0")).status_code == 404
    saved = sorted(responses_of(organization), key=lambda r: r.created_at)
    assert [r.score for r in saved] == [9, 8, 3, 6]
    assert [r.version_id == first_version for r in saved] == [True, True, False, False]


def _prepared_answer_runs() -> int:
    """How many times this database session ran the public answer's prepared INSERT."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%INSERT INTO responses_response %"])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("prepared", [True, False])
def test_a_first_answer_is_one_prepared_statement_or_a_plain_one_with_them_off(public_survey, settings, prepared):
    """A browser's first answer is one statement writing the answer and its outbox event, prepared
    once per database connection; with DB_PREPARED_STATEMENTS off (a PgBouncer that cannot follow
    prepared statements) the same statement goes unprepared: the same answers, handed on the same."""
    from responses.models import ResponseOutbox

    settings.DB_PREPARED_STATEMENTS = prepared
    organization, _owner, survey, path = public_survey
    before = _prepared_answer_runs()
    for score, comment in (("9", "Fint"), ("2", "For langsomt"), ("10", "Super")):
        assert Client().post(path, {"score": score, "q-reason": comment}).status_code == 302
    assert _prepared_answer_runs() - before == (3 if prepared else 0)
    saved = {r.pk: (r.score, r.category, r.comment) for r in responses_of(organization)}
    assert sorted(saved.values()) == [(2, "detractor", "For langsomt"), (9, "promoter", "Fint"),
                                      (10, "promoter", "Super")]
    with tenant_context(organization):  # the events wait for the commit (the test's transaction)
        events = list(ResponseOutbox.objects.values_list("response_id", "survey_id", "kind", "has_comment"))
    assert sorted(events) == [(pk, survey.pk, ResponseOutbox.Kind.CREATED, True) for pk in sorted(saved)]


# --- Asking for the department ----------------------------------------------------------------

def test_ask_department_stores_the_chosen_one_and_ignores_another_organizations(public_survey, org_b,
                                                                                 member_client):
    from organizations.models import Department

    organization, owner, survey, path = public_survey
    other_org, _other_owner = org_b
    with tenant_context(organization):
        aarhus = Department.objects.create(organization=organization, name="Aarhus butik")
        odense = Department.objects.create(organization=organization, name="Odense butik")
    with tenant_context(other_org):
        malmo = Department.objects.create(organization=other_org, name="Malmö butik")

    assert 'id="department"' not in Client().get(path).content.decode()  # off by default
    member_client(owner).post(f"/o/{organization.slug}/surveys/{survey.pk}/public-link/",
                              {"enabled": "on", "ask_department": "on"})
    page = page_text(Client().get(path))
    assert 'select id="department" name="department"' in page
    assert f'<option value="{aarhus.pk}">Aarhus butik</option>' in page
    assert f'<option value="{odense.pk}">Odense butik</option>' in page
    assert "Malmö" not in page

    chooser = Client()
    assert chooser.post(path, answer("9", department=str(odense.pk))).status_code == 302
    assert chooser.get(path).content.decode().count(f'<option value="{odense.pk}" selected>') == 1
    assert Client().post(path, answer("8", department=str(malmo.pk))).status_code == 302
    assert Client().post(path, answer("7", department="not-a-number")).status_code == 302
    departments = {r.score: r.department_id for r in responses_of(organization)}
    assert departments == {9: odense.pk, 8: None, 7: None}
    with tenant_context(other_org):
        assert responses_of(other_org) == []


def test_department_is_ignored_when_not_asked(public_survey):
    from organizations.models import Department

    organization, _owner, _survey, path = public_survey
    with tenant_context(organization):
        aarhus = Department.objects.create(organization=organization, name="Aarhus butik")
    Client().post(path, answer("9", department=str(aarhus.pk)))
    assert responses_of(organization)[0].department is None


# --- Other organizations --------------------------------------------------------------------

def test_another_organizations_admin_cannot_toggle_or_download_this_surveys_link(public_survey, org_b,
                                                                                member_client):
    organization, _owner, survey, path = public_survey
    other_org, other_owner = org_b
    other = member_client(other_owner)
    base = f"/o/{other_org.slug}/surveys/{survey.pk}/"
    assert other.post(f"{base}public-link/", {}).status_code == 404
    assert other.post(f"{base}public-link/", {"enabled": "on", "ask_department": "on"}).status_code == 404
    assert other.get(f"{base}qr.png").status_code == 404
    assert other.get(f"{base}qr.svg").status_code == 404
    # And through this organization's slug they are not a member.
    assert other.get(f"/o/{organization.slug}/surveys/{survey.pk}/qr.png").status_code == 404
    assert other.post(f"/o/{organization.slug}/surveys/{survey.pk}/public-link/", {}).status_code == 404
    with tenant_context(organization):
        survey.refresh_from_db()
    assert survey.public_enabled and not survey.ask_department
    assert Client().get(path).status_code == 200


def test_a_token_naming_another_organization_finds_nothing(public_survey, org_b):
    _organization, _owner, survey, _path = public_survey
    other_org, _ = org_b
    secret = survey.public_token.partition(".")[2]
    assert Client().get(f"/s/{other_org.pk}.{secret}/").status_code == 404
    assert Client().get("/s/not-a-token/").status_code == 404
    assert Client().get(f"/s/{'9' * 19}.{secret}/").status_code == 404  # beyond any id: still a friendly 404
    assert Client().post(f"/s/{'9' * 30}.{secret}/", answer()).status_code == 404
