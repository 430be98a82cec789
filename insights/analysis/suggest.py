"""Theme suggestions: groups of comments that fit no theme of the taxonomy.

Plain k-means over the embeddings splits by sentiment and language rather than by topic, so
before grouping each vector loses its language's mean (what all comments of a language share)
and its component along the sentiment direction of the logistic layer; then comments are
grouped greedily around the most central one (cosine >= a threshold), largest groups first.
Without the model, comments are grouped by their most frequent shared content word stem."""

from __future__ import annotations

from collections import Counter

from . import embedder, lexicon

MIN_MEMBERS = 3
STEM = 4  # "parking", "parkering", "parkplatz" share "park"
THRESHOLD = 0.55
_STOP = set("""the and for with that this have was were are you your they them from will would there their what
when which very really just also about been more much some than then only into over after before could
should other again still even because ikke det der som har jeg til med for den var men ogs meget
ikke også eller efter inte och att det som har jag till med för den var men också mycket eller efter ikke
det som har jeg til med for den var men også veldig eller etter ett ein eine einer einen der die das und
mit für ist war nicht auch sehr aber oder nach noch kun myös että joka oli ovat mutta tosi sitten nije
kako koji koja koje bilo sam smo ali još samo nakon prije""".split())


def _content_words(lang: str, text: str) -> list[str]:
    cues = lexicon._lang_matchers(lang)
    out = []
    for tok in lexicon.tokens(text):
        if len(tok) < 4 or tok in _STOP or tok in cues["pos"] or tok in cues["neg"] or tok in cues["negator"]:
            continue
        out.append(tok)
    return out


def _content_tokens(lang: str, text: str) -> list[str]:
    return [word[:STEM] for word in _content_words(lang, text)]


def _language_means() -> dict:
    """The mean vector of the shipped training comments per language (and over all, "*"): what
    a comment of that language shares with every other, whatever its topic."""
    import numpy as np

    from .anchors import training

    rows = training()
    vectors = embedder.embed([row["text"] for row in rows]).astype(np.float64)
    means = {"*": vectors.mean(axis=0)}
    for lang in {row["lang"] for row in rows}:
        means[lang] = vectors[[k for k, row in enumerate(rows) if row["lang"] == lang]].mean(axis=0)
    return means


def _describe(items, members):
    """Key phrases: the words most members share (a stem shown as its commonest word)."""
    from . import Suggestion

    counts = Counter()
    words: dict[str, Counter] = {}
    for i in members:
        for word in set(_content_words(*items[i])):
            counts[word[:STEM]] += 1
            words.setdefault(word[:STEM], Counter())[word] += 1
    stems = [stem for stem, n in counts.most_common(5) if n >= 2] or [stem for stem, _ in counts.most_common(3)]
    phrases = tuple(words[stem].most_common(1)[0][0] for stem in stems)
    examples = tuple(items[i][1][:200] for i in members[:3])
    return Suggestion(key_phrases=phrases, members=tuple(members), examples=examples)


def suggest(items, taxonomy, max_suggestions: int = 8):
    from . import analyze

    if not items:
        return []
    analyses = analyze(items, taxonomy)
    loose = [i for i, a in enumerate(analyses) if not a.themes and len(lexicon.tokens(items[i][1])) >= 3]
    if len(loose) < MIN_MEMBERS:
        return []
    if not embedder.available():
        groups: dict[str, list[int]] = {}
        counts = Counter(t for i in loose for t in set(_content_tokens(*items[i])))
        for i in loose:
            toks = [t for t in set(_content_tokens(*items[i])) if counts[t] >= MIN_MEMBERS]
            if toks:
                groups.setdefault(max(toks, key=lambda t: (counts[t], t)), []).append(i)
        ranked = sorted((g for g in groups.values() if len(g) >= MIN_MEMBERS), key=lambda g: (-len(g), g[0]))
        return [_describe(items, g) for g in ranked[:max_suggestions]]

    import numpy as np

    from .engine import _sentiment_model

    vectors = embedder.embed([items[i][1] for i in loose]).astype(np.float64)
    langs = [items[i][0] for i in loose]
    means = _language_means()
    for k, lang in enumerate(langs):  # what all comments of a language share is not a topic
        vectors[k] -= means.get(lang, means["*"])
    _mean, w, _b = _sentiment_model()
    direction = (w[:, 0] - w[:, 2]).astype(np.float64)
    direction /= np.linalg.norm(direction) or 1.0
    vectors -= np.outer(vectors @ direction, direction)  # nor is being pleased or cross
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    sims = vectors @ vectors.T
    left = set(range(len(loose)))
    out = []
    while left and len(out) < max_suggestions:
        idx = sorted(left)
        sub = sims[np.ix_(idx, idx)]
        degree = (sub >= THRESHOLD).sum(axis=1)
        centre = idx[int(np.argmax(degree))]
        members = [k for k in idx if sims[centre, k] >= THRESHOLD]
        if len(members) < MIN_MEMBERS:
            break
        members.sort(key=lambda k: -sims[centre, k])
        out.append(_describe(items, [loose[k] for k in members]))
        left -= set(members)
    return out
