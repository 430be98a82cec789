"""Survey design through the builder's pages and services: templates, questions, languages,
publishing, lifecycle, roles, and the cross-tenant twin of each access."""

from __future__ import annotations

import pytest
from django.utils import translation

from nps_platform.tenancy import tenant_context
from surveys import services
from surveys.models import Choice, Question, Survey, SurveyStatus, SurveyVersion

pytestmark = pytest.mark.django_db


def _questions(organization, survey):
    with tenant_context(organization):
        return list(Question.objects.filter(survey=survey).order_by("position"))


@pytest.mark.parametrize(
    ("template", "kind", "wording", "keys"),
    [
        ("relationship", "cnps", "to a friend or colleague", ["nps", "reason", "better", "source"]),
        ("transactional", "cnps", "Based on your recent visit", ["nps", "reason", "touchpoint"]),
        ("supplier", "cnps", "as a supplier", ["nps", "reason", "better"]),
        ("employee", "enps", "as a place to work", ["nps", "reason", "change"]),
        ("blank", "cnps", "to a friend or colleague", ["nps"]),
    ],
)
def test_each_template_starts_a_survey_with_one_nps_question(org_a, member_client, template, kind, wording, keys):
    organization, owner = org_a
    client = member_client(owner)
    response = client.post(f"/o/{organization.slug}/surveys/new/",
                           {"template": template, "name": "Q3 survey", "default_language": "en"})
    assert response.status_code == 302
    with tenant_context(organization):
        survey = Survey.objects.get(name="Q3 survey")
        questions = list(survey.questions.all())
    assert survey.kind == kind
    assert [q.key for q in questions] == keys
    assert [q.type for q in questions].count("nps") == 1
    assert wording in questions[0].texts["en"]["text"]
    assert questions[0].required
    builder = client.get(response["Location"]).content.decode()
    assert "Q3 survey" in builder


def test_source_question_offers_the_acquisition_channels_and_other(org_a, survey_of):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        source = Question.objects.get(survey=survey, key="source")
        keys = list(source.choices.values_list("key", flat=True))
    assert source.is_source and source.allow_other
    assert keys == ["recommendation", "search", "ads", "local_paper", "social_media"]


def test_builder_edits_the_detractor_wording_in_place(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    reason = _questions(organization, survey)[1]
    client = member_client(owner)
    url = f"/o/{organization.slug}/surveys/{survey.pk}/questions/{reason.pk}/"
    form = client.get(url + "?edit=1", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "Wording for detractors" in form.content.decode()
    response = client.post(url, {
        "key": "reason", "per_category": "on", "t_text": "Why this score?",
        "t_text_promoter": "What do you love?", "t_text_passive": "What is missing?",
        "t_text_detractor": "What went wrong?",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "What went wrong?" in response.content.decode()  # the swapped-in list shows it
    with tenant_context(organization):
        reason.refresh_from_db()
    assert reason.texts["en"]["text_detractor"] == "What went wrong?"


def test_question_form_requires_the_wording_its_settings_call_for(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    reason = _questions(organization, survey)[1]
    response = member_client(owner).post(
        f"/o/{organization.slug}/surveys/{survey.pk}/questions/{reason.pk}/",
        {"key": "reason", "per_category": "on", "t_text": "Why?", "t_text_promoter": "", "t_text_passive": "x",
         "t_text_detractor": "y"},
    )
    assert response.status_code == 200
    assert "Write the wording for promoters" in response.content.decode()


def test_add_reorder_and_delete_questions(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner, template="blank")
    client = member_client(owner)
    base = f"/o/{organization.slug}/surveys/{survey.pk}/questions/"
    fragment = client.post(base + "add/", {"type": "csat"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'id="question-list"' in fragment.content.decode()
    client.post(base + "add/", {"type": "source"})
    nps, csat, source = _questions(organization, survey)
    assert (csat.type, source.key) == ("csat", "source")

    client.post(base + f"{source.pk}/move/", {"direction": "up"})
    assert [q.pk for q in _questions(organization, survey)] == [nps.pk, source.pk, csat.pk]

    client.post(base + f"{csat.pk}/delete/")
    assert [q.pk for q in _questions(organization, survey)] == [nps.pk, source.pk]

    # The NPS question is the survey: it cannot be deleted, nor a second one added.
    client.post(base + f"{nps.pk}/delete/")
    client.post(base + "add/", {"type": "nps"})
    assert [q.type for q in _questions(organization, survey)].count("nps") == 1


def test_choices_are_added_and_removed(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner, template="blank")
    client = member_client(owner)
    base = f"/o/{organization.slug}/surveys/{survey.pk}/questions/"
    client.post(base + "add/", {"type": "multi_choice"})
    question = _questions(organization, survey)[-1]
    client.post(base + f"{question.pk}/choices/add/", {"label": "Price"})
    client.post(base + f"{question.pk}/choices/add/", {"label": "Delivery time"})
    with tenant_context(organization):
        choices = list(question.choices.all())
    assert [c.texts["en"] for c in choices] == ["Price", "Delivery time"]
    client.post(base + f"{question.pk}/choices/{choices[0].pk}/delete/")
    with tenant_context(organization):
        assert list(question.choices.values_list("key", flat=True)) == ["delivery-time"]


def test_publishing_is_refused_with_each_problem_in_plain_words(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    client = member_client(owner)
    base = f"/o/{organization.slug}/surveys/{survey.pk}/"
    # An empty choice question, custom wording, and a new language without its translation.
    client.post(base + "questions/add/", {"type": "single_choice"})
    reason = _questions(organization, survey)[1]
    client.post(base + f"questions/{reason.pk}/", {
        "key": "reason", "per_category": "on", "t_text": "Why?", "t_text_promoter": "Great?",
        "t_text_passive": "Almost?", "t_text_detractor": "Our own detractor wording"})
    client.post(base + "settings/", {"name": survey.name, "kind": "cnps", "default_language": "en",
                                     "languages": ["en", "de"], "company_name": ""})

    response = client.post(base + "publish/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not published" in page
    assert "This question has no options." in page
    assert "Deutsch translation missing — 2. Why?: the wording for detractors." in page
    with tenant_context(organization):
        assert not SurveyVersion.objects.filter(survey=survey).exists()
        assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT


def test_a_new_language_starts_from_our_translation_but_not_from_the_admins_own_words(org_a, survey_of):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        better = Question.objects.get(survey=survey, key="better")
        services.question_update(question=better, by=owner, language="en", texts={"text": "Our very own question"},
                                 key="better")
        services.survey_settings_update(survey=survey, by=owner, name=survey.name, kind="cnps",
                                        default_language="en", languages=["en", "da"], company_name="")
        nps = Question.objects.get(survey=survey, key="nps")
        better.refresh_from_db()
        survey.refresh_from_db()
    with translation.override("da"):
        from django.utils.translation import pgettext

        expected = pgettext("survey template",
                            "How likely is it that you would recommend {company} to a friend or colleague?")
    assert nps.texts["da"]["text"] == expected
    assert not better.texts["da"].get("text")  # left for the admin, and marked untranslated
    assert survey.thank_you["da"]["detractor"]


def test_published_version_is_frozen_while_the_draft_moves_on(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    client = member_client(owner)
    base = f"/o/{organization.slug}/surveys/{survey.pk}/"
    assert client.post(base + "publish/").status_code == 302
    with tenant_context(organization):
        v1 = SurveyVersion.objects.get(survey=survey)
    better = _questions(organization, survey)[2]
    client.post(base + f"questions/{better.pk}/", {"key": "better", "t_text": "Anything else?"})
    with tenant_context(organization):
        survey.refresh_from_db()
        v1.refresh_from_db()
    assert survey.has_unpublished_changes
    assert v1.definition["questions"][2]["texts"]["en"]["text"] == "What could we do better?"
    assert "unpublished changes" in client.get(base).content.decode()

    client.post(base + "publish/")
    with tenant_context(organization):
        survey.refresh_from_db()
        assert survey.current_version.number == 2
        assert survey.current_version.definition["questions"][2]["texts"]["en"]["text"] == "Anything else?"
        with pytest.raises(ValueError, match="immutable"):
            v1.save()


def test_lifecycle_pause_resume_close_and_archive(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    client = member_client(owner)
    base = f"/o/{organization.slug}/surveys/{survey.pk}/"

    def status():
        with tenant_context(organization):
            return Survey.objects.get(pk=survey.pk)

    client.post(base + "status/", {"action": "pause"})  # a draft cannot be paused
    assert status().status == SurveyStatus.DRAFT
    client.post(base + "publish/")
    client.post(base + "status/", {"action": "pause"})
    assert status().status == SurveyStatus.PAUSED
    client.post(base + "status/", {"action": "resume"})
    assert status().status == SurveyStatus.PUBLISHED
    client.post(base + "status/", {"action": "close"})
    assert status().status == SurveyStatus.CLOSED
    assert client.post(base + "publish/").status_code == 400  # closed stays closed
    client.post(base + "status/", {"action": "archive"})
    assert status().archived_at is not None
    listing = client.get(f"/o/{organization.slug}/surveys/").content.decode()
    assert survey.name not in listing
    assert survey.name in client.get(f"/o/{organization.slug}/surveys/?archived=1").content.decode()


def test_duplicate_copies_questions_choices_and_links(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        services.review_link_add(survey=survey, site="trustpilot", url="https://trustpilot.example/acme",
                                 label="Review us on Trustpilot", by=owner)
    response = member_client(owner).post(f"/o/{organization.slug}/surveys/{survey.pk}/duplicate/")
    with tenant_context(organization):
        copy = Survey.objects.exclude(pk=survey.pk).get()
        assert response["Location"].endswith(f"/surveys/{copy.pk}/")
        assert copy.name == "Customer survey (copy)"
        assert [q.key for q in copy.questions.all()] == [q.key for q in survey.questions.all()]
        assert Choice.objects.filter(question__survey=copy).count() == 5
        assert copy.review_links.get().url == "https://trustpilot.example/acme"
        assert copy.current_version is None


def test_review_links_are_offered_to_every_category(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        services.review_link_add(survey=survey, site="google", url="https://g.page/r/acme/review",
                                 label="Review us on Google", by=owner)
    client = member_client(owner)
    for category in ("promoter", "passive", "detractor"):
        page = client.get(f"/o/{organization.slug}/surveys/{survey.pk}/preview/frame/"
                          f"?category={category}&page=thanks").content.decode()
        assert 'href="https://g.page/r/acme/review"' in page, category
        assert "Review us on Google" in page


def test_preview_fills_the_company_and_escapes_what_admins_type(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    with tenant_context(organization):
        survey.company_name = "Acme <Bikes>"
        survey.save()
        better = Question.objects.get(survey=survey, key="better")
        services.question_update(question=better, by=owner, language="en",
                                  texts={"text": "<script>alert(1)</script> better?"}, key="better")
    page = member_client(owner).get(
        f"/o/{organization.slug}/surveys/{survey.pk}/preview/frame/?category=passive").content.decode()
    assert "recommend Acme &lt;Bikes&gt; to a friend" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; better?" in page
    assert "What would it take for us to earn a 9 or 10?" in page  # passive wording


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_managers_and_viewers_see_surveys_read_only(org_a, survey_of, add_member, member_client, role):
    organization, owner = org_a
    survey = survey_of(organization, owner)
    client = member_client(add_member(organization, role))
    base = f"/o/{organization.slug}/surveys/{survey.pk}/"
    page = client.get(base)
    assert page.status_code == 200 and survey.name in page.content.decode()
    assert 'id="publish"' not in page.content.decode()
    assert client.get(base + "texts/").status_code == 200
    reason = _questions(organization, survey)[1]
    for url, data in [(base + "publish/", {}), (base + "questions/add/", {"type": "text"}),
                      (base + f"questions/{reason.pk}/", {"key": "x", "t_text": "Hacked"}),
                      (base + "texts/", {"lang": "en", f"q{reason.pk}.text": "Hacked"}),
                      (base + "settings/", {"name": "Hacked"}), (f"/o/{organization.slug}/surveys/new/", {})]:
        assert client.post(url, data).status_code == 403, url
    with tenant_context(organization):
        reason.refresh_from_db()
        assert reason.texts["en"]["text"] != "Hacked"
        assert not SurveyVersion.objects.exists()


def test_another_organizations_admin_gets_404_and_changes_nothing(org_a, org_b, survey_of, member_client):
    (organization, owner), (other_org, other_owner) = org_a, org_b
    survey = survey_of(organization, owner)
    reason = _questions(organization, survey)[1]
    client = member_client(other_owner)
    own = f"/o/{other_org.slug}/surveys/{survey.pk}/"
    theirs = f"/o/{organization.slug}/surveys/{survey.pk}/"
    for base in (own, theirs):
        assert client.get(base).status_code == 404
        assert client.get(base + "preview/frame/").status_code == 404
        assert client.post(base + "publish/").status_code == 404
        assert client.post(base + f"questions/{reason.pk}/", {"key": "x", "t_text": "Hacked"}).status_code == 404
        assert client.post(base + "duplicate/").status_code == 404
    with tenant_context(organization):
        reason.refresh_from_db()
        assert reason.texts["en"]["text"] != "Hacked"
        assert Survey.objects.count() == 1
    with tenant_context(other_org):
        assert Survey.objects.count() == 0


def test_question_of_another_survey_is_not_found_through_this_one(org_a, survey_of, member_client):
    organization, owner = org_a
    first, second = survey_of(organization, owner), survey_of(organization, owner, name="Second")
    question = _questions(organization, second)[1]
    url = f"/o/{organization.slug}/surveys/{first.pk}/questions/{question.pk}/?edit=1"
    assert member_client(owner).get(url).status_code == 404


def test_employee_survey_is_anonymous_by_construction(org_a, survey_of, member_client):
    organization, owner = org_a
    survey = survey_of(organization, owner, template="employee")
    with tenant_context(organization):
        version = services.survey_publish(survey=survey, by=owner)
    assert survey.is_anonymous and version.definition["anonymous"] is True
    page = member_client(owner).get(f"/o/{organization.slug}/surveys/{survey.pk}/preview/frame/").content.decode()
    assert "Your answers are anonymous." in page
