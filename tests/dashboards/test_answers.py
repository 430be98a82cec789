"""Every answer is visible (issue 14.3): open text, CSAT and single/multiple choice answers (with
"Other") on the responses page, the case page and in the exports (a column per question), and on
the dashboard as CSAT per touchpoint (mean, share of 4–5, trend) and each choice question's
distribution, under the dashboard's filters, the reader's scope and the anonymity rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.conftest import published
from tests.dashboards.helpers import add_responses, by_id, html_of, local, rebuild, text
from tests.dashboards.test_exports import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 3, 3)
PERIOD = f"from={MONDAY}&to={MONDAY + dt.timedelta(days=13)}"


def _with_choices(survey, owner, *, csat_text=None):
    """Adds a multiple choice question (with "Other"), a single choice question and, if asked, a
    CSAT question to `survey` in English and Danish, and publishes it again."""
    from surveys import services

    def both(question, en, da, **flags):
        services.question_update(question=question, by=owner, language="en", texts={"text": en}, **flags)
        services.question_update(question=question, by=owner, language="da", texts={"text": da})

    def option(question, en, da):
        choice = services.choice_add(question=question, label=en, language="en", by=owner)
        choice.texts["da"] = da
        choice.save(update_fields=["texts"])
        return choice.key

    with tenant_context(survey.organization):
        multi = services.question_add(survey=survey, type_="multi_choice", by=owner)
        both(multi, "What did you come for?", "Hvad kom du for?", allow_other=True)
        services.question_update(question=multi, by=owner, language="en", texts={"other_label": "Something else:"})
        services.question_update(question=multi, by=owner, language="da", texts={"other_label": "Noget andet:"})
        multi_keys = [option(multi, "Repair", "Reparation"), option(multi, "New bike", "Ny cykel")]
        single = services.question_add(survey=survey, type_="single_choice", by=owner)
        both(single, "Did you book ahead?", "Bestilte du tid?")
        single_keys = [option(single, "Yes", "Ja"), option(single, "No", "Nej")]
        csat_key = None
        if csat_text:
            csat = services.question_add(survey=survey, type_="csat", by=owner)
            both(csat, csat_text, csat_text)
            csat_key = csat.key
        services.survey_publish(survey=survey, by=owner)
        survey.refresh_from_db()
    return {"multi": multi.key, "multi_keys": multi_keys, "single": single.key, "single_keys": single_keys,
            "csat": csat_key}


@pytest.fixture
def shop(make_org):
    """A workshop survey (transactional: a reason and a CSAT "touchpoint") with a multiple and a
    single choice question, in two departments, answered over two weeks."""
    from organizations.models import Department

    organization, owner = make_org("Cykelværkstedet ApS")
    organization.default_language = "da"
    organization.save(update_fields=["default_language"])
    survey = published(organization, owner, template="transactional", name="Workshop", languages=("en", "da"))
    keys = _with_choices(survey, owner)
    with tenant_context(organization):
        sales = Department.objects.create(organization=organization, name="Sales")
        support = Department.objects.create(organization=organization, name="Support")
    m, s = keys["multi"], keys["single"]
    repair, new_bike = keys["multi_keys"]
    yes, no = keys["single_keys"]
    week2 = MONDAY + dt.timedelta(days=7)
    specs = [
        {"score": 9, "at": local(MONDAY, 10), "department": sales, "comment": "Fast",
         "answers": {"touchpoint": 5, m: {"choices": [repair, new_bike]}, s: {"choices": [yes]}}},
        {"score": 3, "at": local(MONDAY, 11), "department": sales, "comment": "Scratched",
         "answers": {"touchpoint": 2, m: {"choices": ["__other__"], "other": "Paint job"}}},
        {"score": 10, "at": local(week2, 10), "department": support,
         "answers": {"touchpoint": 5, m: {"choices": [repair]}, s: {"choices": [no]}}},
        {"score": 7, "at": local(week2, 11), "department": support},
        {"score": 8, "at": local(week2, 12), "department": support, "answers": {"touchpoint": 1}},
    ]
    responses = add_responses(organization, survey, specs)
    rebuild(organization)
    return {"organization": organization, "owner": owner, "survey": survey, "keys": keys, "sales": sales,
            "support": support, "responses": responses, "week2": week2}


def _dashboard(client, organization, query=PERIOD) -> str:
    response = client.get(f"/o/{organization.slug}/dashboard/?{query}")
    assert response.status_code == 200
    return html_of(response)


def _csat_row(html: str, key: str) -> tuple[str, str, str] | None:
    """(mean, share of 4–5, n) of a touchpoint in the CSAT table, or None."""
    try:
        table = by_id(html, "csat")
    except AssertionError:
        return None
    match = re.search(rf'<tr data-question="{re.escape(key)}">(.*?)</tr>', table, re.S)
    if not match:
        return None
    cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]
    return cells[1], cells[2], cells[3]


def _distribution(html: str, key: str) -> dict[str, tuple[str, str]] | None:
    """{label: (count, share)} of a choice question's table, or None."""
    match = re.search(rf'<table class="table table-sm choice-distribution" data-question="{re.escape(key)}">'
                      r"(.*?)</table>", html, re.S)
    if not match:
        return None
    rows = re.findall(r'<tr data-choice="[^"]*">(.*?)</tr>', match.group(1), re.S)
    out = {}
    for row in rows:
        cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out[cells[0]] = (cells[1], cells[2])
    return out


# --- The dashboard ------------------------------------------------------------------------------------

def test_the_dashboard_shows_csat_per_touchpoint_with_its_share_and_trend(shop, login):
    html = _dashboard(login(shop["owner"]), shop["organization"])
    # 5, 2, 5, 1 → mean 3.25, two of four satisfied
    assert _csat_row(html, "touchpoint") in (("3.3", "50 %", "4"), ("3,3", "50 %", "4"))
    assert "How satisfied were you with the service visit?" in html or "servicebesøg" in html
    from tests.dashboards.helpers import chart

    figure = chart(html, "chart-csat-trend")
    [line] = figure["data"]
    assert line["x"] == [MONDAY.isoformat(), shop["week2"].isoformat()]
    assert line["y"] == [3.5, 3.0] and line["customdata"] == [2, 2]


def test_the_dashboard_shows_each_choice_questions_distribution_in_the_organizations_language(shop, login):
    html = _dashboard(login(shop["owner"]), shop["organization"])
    keys = shop["keys"]
    # three answered the multiple choice question: repair twice, a new bike once, "Other" once
    assert _distribution(html, keys["multi"]) == {"Reparation": ("2", "67 %"), "Ny cykel": ("1", "33 %"),
                                                  "Noget andet": ("1", "33 %")}
    assert _distribution(html, keys["single"]) == {"Ja": ("1", "50 %"), "Nej": ("1", "50 %")}
    assert "Hvad kom du for?" in html
    assert "Paint job" not in html  # the dashboard counts answers; the words are on the responses page


def test_the_answer_figures_follow_the_department_filter_and_a_managers_scope(shop, login, add_member):
    from organizations.models import Membership

    organization = shop["organization"]
    owner_client = login(shop["owner"])
    html = _dashboard(owner_client, organization, f"{PERIOD}&department={shop['sales'].pk}")
    assert _csat_row(html, "touchpoint") in (("3,5", "50 %", "2"), ("3.5", "50 %", "2"))
    assert _distribution(html, shop["keys"]["single"]) == {"Ja": ("1", "100 %"), "Nej": ("0", "0 %")}

    manager = add_member(organization, "manager")
    with tenant_context(organization):
        Membership.objects.get(user=manager).departments.set([shop["support"]])
    html = _dashboard(login(manager), organization)
    assert _csat_row(html, "touchpoint") in (("3,0", "50 %", "2"), ("3.0", "50 %", "2"))
    assert _distribution(html, shop["keys"]["multi"]) == {"Reparation": ("1", "100 %"), "Ny cykel": ("0", "0 %"),
                                                          "Noget andet": ("0", "0 %")}
    # a period without answers shows no figures at all
    html = _dashboard(owner_client, organization, "from=2024-01-01&to=2024-01-31")
    assert _csat_row(html, "touchpoint") is None and 'id="answer-figures"' not in html


@pytest.fixture
def pulse(make_org):
    """An employee survey with a CSAT and choice questions; threshold 5: Sales has 5 answers
    (4 of them answered the CSAT), a tiny team 2."""
    from organizations.models import Department

    organization, owner = make_org("Medarbejderne ApS")
    survey = published(organization, owner, template="employee", name="Pulse", languages=("en", "da"))
    keys = _with_choices(survey, owner, csat_text="How happy are you with your tools?")
    with tenant_context(organization):
        sales = Department.objects.create(organization=organization, name="Sales")
        tiny = Department.objects.create(organization=organization, name="Tiny", kind=Department.Kind.TEAM)
    yes, _no = keys["single_keys"]
    specs = [{"score": s, "at": local(MONDAY, 9 + i), "department": sales,
              "answers": {keys["csat"]: 4, keys["single"]: {"choices": [yes]}} if i < 4 else
              {keys["single"]: {"choices": [yes]}}} for i, s in enumerate((10, 9, 8, 6, 9))]
    specs += [{"score": s, "at": local(MONDAY, 15), "department": tiny,
               "answers": {keys["csat"]: 1, keys["single"]: {"choices": [yes]}}} for s in (9, 3)]
    add_responses(organization, survey, specs)
    rebuild(organization)
    return {"organization": organization, "owner": owner, "keys": keys, "sales": sales, "tiny": tiny}


def test_employee_answers_are_shown_only_for_whole_views_of_enough_answers(pulse, login):
    organization, keys = pulse["organization"], pulse["keys"]
    client = login(pulse["owner"])
    # the whole organization: the tiny team's 2 answers are hidden from the headline, so nothing
    html = _dashboard(client, organization, f"{PERIOD}&kind=enps")
    assert 'id="headline-n">5<' in html
    assert _distribution(html, keys["single"]) is None and _csat_row(html, keys["csat"]) is None
    assert 'id="answers-hidden"' in html
    # Sales alone is one whole unit: the choice question (5 answers) shows, the CSAT (4) does not
    html = _dashboard(client, organization, f"{PERIOD}&kind=enps&department={pulse['sales'].pk}")
    assert _distribution(html, keys["single"]) == {"Yes": ("5", "100 %"), "No": ("0", "0 %")}
    assert _csat_row(html, keys["csat"]) is None
    assert "chart-csat-trend" not in html  # never by week for employee answers
    # the tiny team: under the threshold, nothing
    html = _dashboard(client, organization, f"{PERIOD}&kind=enps&department={pulse['tiny'].pk}")
    assert _distribution(html, keys["single"]) is None and _csat_row(html, keys["csat"]) is None


# --- Exports --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_have_a_column_per_question_with_choices_as_labels(shop, login, fmt):
    client = login(shop["owner"])
    url = f"/o/{shop['organization'].slug}/dashboard/export.{fmt}?{PERIOD}"
    rows = csv_rows(client, url) if fmt == "csv" else [[str(v) for v in r] for r in xlsx_rows(client, url)]
    header = rows[0]
    # the organization's language (Danish) for the questions' texts; the reason is the comment column
    multi = header.index("Hvad kom du for?")
    single = header.index("Bestilte du tid?")
    csat = next(i for i, h in enumerate(header) if "servicebesøg" in h or "service visit" in h)
    assert not any("main reason" in h.lower() or "vigtigste grund" in h.lower() for h in header[11:])
    by_comment = {r[4]: r for r in rows[1:]}
    fast, scratched = by_comment["Fast"], by_comment["Scratched"]
    assert fast[multi] == "Reparation, Ny cykel" and fast[single] == "Ja" and fast[csat] == "5 / 5"
    assert scratched[multi] == "Noget andet: Paint job" and scratched[single] == "" and scratched[csat] == "2 / 5"
    assert len(rows) == 6 and all(len(r) == len(header) for r in rows)


def test_the_export_spans_several_surveys_one_column_per_question(shop, login):
    organization, owner = shop["organization"], shop["owner"]
    other = published(organization, owner, template="relationship", name="Relationship", languages=("en", "da"))
    add_responses(organization, other, [{"score": 6, "at": local(MONDAY, 14), "comment": "Meh",
                                         "answers": {"better": "Open on Saturdays"}}])
    rows = csv_rows(login(owner), f"/o/{organization.slug}/dashboard/export.csv?{PERIOD}")
    header = rows[0]
    better = next(i for i, h in enumerate(header) if "bedre" in h.lower() or "better" in h.lower())
    meh = next(r for r in rows[1:] if r[4] == "Meh")
    assert meh[better] == "Open on Saturdays" and meh[1] == "Relationship"
    assert all(r[better] == "" for r in rows[1:] if r[4] != "Meh")
    assert len(header) == len(set(header))


# --- The responses page and the case page ------------------------------------------------------------

def test_the_responses_page_shows_every_answer(shop, login):
    response = login(shop["owner"]).get(f"/o/{shop['organization'].slug}/responses/")
    assert response.status_code == 200
    page = text(by_id(html_of(response), "responses"))
    assert "Hvad kom du for? Reparation, Ny cykel" in page
    assert "Noget andet: Paint job" in page
    assert "Bestilte du tid? Ja" in page
    assert "5 / 5" in page and "1 / 5" in page


def test_the_case_page_shows_every_answer(shop, login):
    from followups.models import Case
    from followups.services import rules_ensure_defaults

    organization = shop["organization"]
    scratched = shop["responses"][1]
    with tenant_context(organization):
        rules_ensure_defaults(organization=organization)
        from followups.services import response_follow_up

        response_follow_up(response=scratched)
        case = Case.objects.get(response=scratched)
    page = login(shop["owner"]).get(f"/o/{organization.slug}/followup/cases/{case.pk}/")
    assert page.status_code == 200
    answers = text(by_id(html_of(page), "case-answers"))
    assert "Noget andet: Paint job" in answers and "2 / 5" in answers
