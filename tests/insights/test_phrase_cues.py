"""The lexicon's phrase cues (insights.analysis.lexicon.phrase_cues), features of the sentiment
layers: loyalty said with a negator and a word of leaving, leaving said with no sentiment word,
giving up, and a sarcastic closer after a complaint, in the seven languages."""

from __future__ import annotations

from insights.analysis.lexicon import phrase_cues


def test_loyalty_is_not_leaving():
    for lang, text in [("sv", "Har haft er sen jag flyttade hemifrån 2011 och ser ingen anledning att byta"),
                       ("en", "No reason to switch, been with them for ten years"),
                       ("da", "Ingen grund til at skifte"), ("nb", "Ingen grunn til å bytte"),
                       ("fi", "En aio vaihtaa"), ("hr", "Ne bih ovo mijenjala za veću plaću"),
                       ("de", "Kein Grund zu wechseln")]:
        cues = phrase_cues(lang, text)
        assert cues.loyal and not cues.churn, text


def test_leaving_and_giving_up():
    for lang, text in [("sv", "Har redan börjat kolla på andra banker"), ("en", "Switching to another provider"),
                       ("fi", "Vaihdan kilpailijalle"), ("hr", "E sad mijenjam operatera"),
                       ("de", "Ich wechsle zur Konkurrenz"), ("da", "Jeg har opsagt mit abonnement")]:
        assert phrase_cues(lang, text).churn, text
    for lang, text in [("en", "55 minutes on hold. Gave up."), ("sv", "Gav upp efter en timme"),
                       ("de", "45 Minuten in der Warteschleife, dann aufgegeben")]:
        assert phrase_cues(lang, text).gave_up, text


def test_a_sarcastic_closer_follows_a_complaint_not_praise():
    for lang, text in [("sv", "Väntat tre veckor på paketet. Toppen."), ("en", "Great. Third week waiting."),
                       ("de", "Die Chefetage streicht das Weihnachtsgeld. Danke auch."),
                       ("fi", "Johto karsii virkistyspäivän. Kiitti vaan."),
                       ("en", "Thanks for nothing")]:
        assert phrase_cues(lang, text).sarcasm, text
    for lang, text in [("en", "Arrived in two days. Perfect."), ("nb", "Fikk hjelp raskt og greit. Takk for det!"),
                       ("en", "Great, fast delivery")]:
        assert not phrase_cues(lang, text).sarcasm, text


def test_neither_good_nor_bad_is_a_judgement_withheld():
    """"Neither good nor bad" is neutral by the labelling rules: the lexicon reads the pair as a
    withheld judgement, not as two negated words (which summed to a complaint, and German's
    "Weder gut noch schlecht" came out negative)."""
    from insights.analysis import analyze
    from insights.analysis.lexicon import sentiment_cues

    withheld = [("en", "Neither good nor bad"), ("da", "Hverken godt eller dårligt"),
                ("sv", "Varken bra eller dåligt"), ("nb", "Verken bra eller dårlig"), ("fi", "Ei hyvä eikä huono"),
                ("hr", "Ni dobro ni loše"), ("hr", "Niti dobro niti loše"), ("de", "Weder gut noch schlecht.")]
    for lang, text in withheld:
        cues = sentiment_cues(lang, text)
        assert (cues.score, cues.neutral) == (0.0, 1), text
    assert [a.sentiment for a in analyze(withheld)] == ["neutral"] * len(withheld)
    # two things neither of which pleased: still a complaint, and a plain negation still turns a word
    assert sentiment_cues("en", "The food was neither hot nor tasty").score < 0
    assert sentiment_cues("fi", "Ei hyvä").score < 0
    assert sentiment_cues("de", "Nicht schlecht").score > 0
