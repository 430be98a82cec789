"""Sentiment and themes per comment.

A comment is split into clauses (sentences, and parts joined by "but"/"men"/"mutta"/...).
With the embedding model each clause is embedded once (batched):
- sentiment: a small logistic layer over the embeddings, trained once per process on the
  anchor phrases (anchors.py), plus the lexicon's signed score with negation handling; the
  clauses are combined with the part after a contrast word weighing more;
- themes: per clause, the nearest example phrases of each theme (any language, so a Danish and
  a Finnish complaint about late delivery land on the same theme) plus the theme's keyword
  stems in the comment's language; a theme is kept when the combined evidence passes a threshold.
Without the model (embedder.available() False) the same decisions are made from the lexicons alone.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from . import embedder, lexicon, probe
from .anchors import sentiment_examples, training

SENTIMENTS = ("positive", "neutral", "negative")

# Tuned on the development set (insights/analysis/data/dev.jsonl; sentiment by balanced accuracy over the
# three classes), never on the evaluation set.
PARAMS = {
    "lex_weight": 4.0,         # lexicon score's weight beside the logistic layer's logits
    "neutral_band": 0.45,      # lexicon-only: |score| below this is neutral
    "neutral_bias": 1.0,       # added to the logistic layer's neutral logit
    "neutral_word": 0.0,       # ... and this per "ok", "average", "as expected"
    "theme_sim": 0.03,        # nearest example this much nearer than the no-theme phrases: a theme
    "theme_sim_kw": -0.1,     # ... or this much with a keyword of the theme
    "theme_kw": 1.0,           # a strong keyword (lexicon-only: alone names a theme)
    "theme_mix": 0.0,        # similarity bonus per keyword point
    "theme_top": 2,            # a theme's similarity: the mean of its nearest examples
    "theme_margin": 0.02,      # a second theme in one clause must be this close to the best
}

# Comments that name no theme: a theme is kept only when its nearest example is nearer than
# these (short sentiment-only comments are close to every example otherwise).
NO_THEME = (
    "Great", "Very good", "Not bad", "Terrible", "Okay", "No comment", "Always happy", "Never again",
    "Keep up the good work", "Could be better", "Everything was fine", "Thank you", "I recommend you",
    "Godt", "Ikke dårligt", "Elendigt", "Ingen kommentarer", "Altid tilfreds", "Alt var fint", "Tak",
    "Bra", "Inte dåligt", "Uselt", "Inga kommentarer", "Alltid nöjd", "Allt var bra", "Tack",
    "Bra", "Ikke dårlig", "Elendig", "Ingen kommentar", "Alltid fornøyd", "Alt var fint", "Takk",
    "Hyvä", "Ei huono", "Surkea", "Ei kommentoitavaa", "Aina tyytyväinen", "Kaikki oli hyvin", "Kiitos",
    "Dobro", "Nije loše", "Užasno", "Bez komentara", "Uvijek zadovoljan", "Sve je bilo u redu", "Hvala",
    "Gut", "Nicht schlecht", "Schrecklich", "Kein Kommentar", "Immer zufrieden", "Alles war gut", "Danke",
)



def no_theme_phrases() -> list[str]:
    return list(dict.fromkeys([*NO_THEME, *(row["text"] for row in training() if not row["themes"])]))


_SPLIT = re.compile(r"[.!?;\n]+|,|\s-\s|\s–\s")
_lock = threading.Lock()
_state: dict = {}


def clauses(lang: str, text: str) -> list[tuple[str, float]]:
    """(clause, weight): the clauses of a comment; what follows a contrast word weighs 1.5."""
    contrast = [*lexicon.CONTRAST.get(lang, lexicon.CONTRAST["en"]).split(), "but"]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(set(contrast), key=len, reverse=True))) + r")\b",
                         re.IGNORECASE)
    out: list[tuple[str, float]] = []
    for sentence in _SPLIT.split(text or ""):
        parts = pattern.split(sentence)
        weight = 1.0
        for part in parts:
            if pattern.fullmatch(part or ""):
                weight = 1.5
                continue
            part = part.strip(" ,:-–()\"'")
            if len(lexicon.tokens(part)) == 0:
                continue
            out.append((part, weight))
    return out or [((text or "").strip(), 1.0)]


# ---------------------------------------------------------------- the logistic layer

def _train_sentiment():
    import numpy as np

    texts, labels = [], []
    for phrase, label in sentiment_examples():
        texts.append(phrase)
        labels.append(SENTIMENTS.index(label))
    x = embedder.embed(texts)
    y = np.zeros((len(texts), 3), dtype=np.float32)
    y[np.arange(len(texts)), labels] = 1
    mean = x.mean(axis=0)
    xc = (x - mean) * 10.0
    w = np.zeros((x.shape[1], 3), dtype=np.float32)
    b = np.zeros(3, dtype=np.float32)
    for _ in range(300):  # plain gradient descent from zero: deterministic
        logits = xc @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = p - y
        w -= 0.1 * (xc.T @ grad / len(texts) + 0.01 * w)
        b -= 0.1 * grad.mean(axis=0)
    return mean, w, b


def _sentiment_model():
    with _lock:
        if "sentiment" not in _state:
            _state["sentiment"] = _train_sentiment()
        return _state["sentiment"]


def _theme_matrix(taxonomy):
    import numpy as np

    key = tuple((t.key, t.examples, tuple(sorted(t.names.items()))) for t in taxonomy)
    with _lock:
        cached = _state.get("themes")
        if cached and cached[0] == key:
            return cached[1]
    texts, owners = [], []
    for i, theme in enumerate(taxonomy):
        for example in dict.fromkeys([*theme.examples, *theme.names.values()]):  # its names are examples too
            texts.append(example)
            owners.append(i)
    matrix = (embedder.embed(texts), np.array(owners, dtype=np.int64))
    with _lock:
        _state["themes"] = (key, matrix)
    return matrix


def _no_theme_matrix():
    with _lock:
        if "no_theme" not in _state:
            _state["no_theme"] = embedder.embed(no_theme_phrases())
        return _state["no_theme"]


# ---------------------------------------------------------------- keywords of any taxonomy

_LANGS = ("en", "da", "sv", "nb", "fi", "hr", "de")


def _topic_word(word: str) -> bool:
    """A content word in every language's lexicon (the language of a name or example is not known)."""
    return all(lexicon.is_content_word(lang, word) for lang in _LANGS)


def _example_keywords(theme) -> tuple[str, ...]:
    return _keywords_of(tuple(theme.names.values()), tuple(theme.examples))


@lru_cache(maxsize=256)
def _keywords_of(names: tuple[str, ...], examples: tuple[str, ...]) -> tuple[str, ...]:
    """Keyword stems (6 letters) for a theme outside the starter set: the content words of its
    names (4+ letters), and of its examples those that say the topic — long words (7+ letters:
    "parking", "Parkplätze", "aukioloajat") or words of 5+ letters found in two examples or more.
    Short words of one example ("space", "full", "always") are the example's wording, not its
    topic: taken as keywords they tagged every comment that used them."""
    words = set()
    for name in names:
        words.update(tok[:6] for tok in lexicon.tokens(name) if len(tok) >= 4 and _topic_word(tok))
    seen: dict[str, int] = {}
    for phrase in examples:
        for stem in {tok[:6] for tok in lexicon.tokens(phrase) if len(tok) >= 5 and _topic_word(tok)}:
            seen[stem] = seen.get(stem, 0) + 1
        words.update(tok[:6] for tok in lexicon.tokens(phrase) if len(tok) >= 7 and _topic_word(tok))
    words.update(stem for stem, n in seen.items() if n >= 2)
    return tuple(sorted(words))


def _theme_keywords(lang: str, text: str, taxonomy) -> dict[str, float]:
    starter = lexicon.theme_cues(lang, text)
    out = {}
    toks = None
    for theme in taxonomy:
        if theme.key in lexicon.THEME_KEYWORDS:
            if theme.key in starter:
                out[theme.key] = starter[theme.key]
            continue
        toks = toks if toks is not None else lexicon.tokens(text)
        stems = _example_keywords(theme)
        hits = sum(1.0 for t in toks if any(t.startswith(s) for s in stems))
        if hits:
            out[theme.key] = hits
    return out


# ---------------------------------------------------------------- decisions

def _softmax(values):
    import math

    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _lexicon_sentiment(cues_by_clause) -> tuple[str, float]:
    score = sum(c.score * w for c, w in cues_by_clause)
    band = PARAMS["neutral_band"] * (2.5 if any(c.neutral for c, _ in cues_by_clause) else 1.0)
    if abs(score) < band:
        return "neutral", 0.5
    confidence = min(0.95, 0.5 + abs(score) / 6)
    return ("positive" if score > 0 else "negative"), round(confidence, 3)


def _decide_themes(taxonomy, clause_keywords, clause_sims) -> tuple[str, ...]:
    """clause_keywords: per clause {key: keyword score}; clause_sims: per clause the nearest
    example's similarity per theme minus the nearest no-theme phrase's, or None (no model).
    Returns keys best first."""
    best: dict[str, float] = {}
    for i, keywords in enumerate(clause_keywords):
        sims = clause_sims[i] if clause_sims is not None else None
        scores = {}
        for j, theme in enumerate(taxonomy):
            kw = keywords.get(theme.key, 0.0)
            if sims is None:
                if kw >= PARAMS["theme_kw"]:
                    scores[theme.key] = kw
                continue
            s = float(sims[j]) + PARAMS["theme_mix"] * min(kw, 2.0)
            if s >= PARAMS["theme_sim"] or (kw >= PARAMS["theme_kw"] and s >= PARAMS["theme_sim_kw"]):
                scores[theme.key] = s
        if scores:
            top = max(scores.values())
            margin = PARAMS["theme_margin"] if sims is not None else 0.61
            for key, s in scores.items():
                # a second theme in a clause needs a keyword of its own, the best one needs not
                if s == top or (s >= top - margin and keywords.get(key, 0.0) >= PARAMS["theme_kw"]):
                    best[key] = max(best.get(key, 0.0), s)
    return tuple(sorted(best, key=lambda k: -best[k]))


def analyze(items, taxonomy):
    from . import Analysis

    use_model = embedder.available()
    split = [clauses(lang, text) for lang, text in items]
    langs = [lang for lang, _ in items]
    cues = [[(lexicon.sentiment_cues(lang, c), w) for c, w in parts] for lang, parts in zip(langs, split, strict=True)]
    keywords = [[_theme_keywords(lang, c, taxonomy) for c, _ in parts]
                for lang, parts in zip(langs, split, strict=True)]
    if not use_model:
        out = []
        for i in range(len(items)):
            sentiment, confidence = _lexicon_sentiment(cues[i])
            out.append(Analysis(sentiment=sentiment, confidence=confidence,
                                themes=_decide_themes(taxonomy, keywords[i], None)))
        return out

    import numpy as np

    if probe.model() is not None:
        return _analyze_probe(items, taxonomy, split, keywords)
    flat = [c for parts in split for c, _ in parts]
    vectors = embedder.embed(flat) if flat else np.zeros((0, 384), dtype=np.float32)
    mean, w, b = _sentiment_model()
    logits_all = ((vectors - mean) * 10.0) @ w + b
    per_theme = _example_theme_sims(taxonomy, vectors) if taxonomy else None
    out = []
    row = 0
    for i, parts in enumerate(split):
        n = len(parts)
        weights = np.array([w_ for _, w_ in parts], dtype=np.float32)
        lex = np.array([c.score for c, _ in cues[i]], dtype=np.float32)
        clause_logits = logits_all[row:row + n].copy()
        clause_logits[:, 0] += PARAMS["lex_weight"] * lex
        clause_logits[:, 2] -= PARAMS["lex_weight"] * lex
        combined = (clause_logits * weights[:, None]).sum(axis=0) / weights.sum()
        combined[1] += PARAMS["neutral_bias"] + PARAMS["neutral_word"] * sum(c.neutral for c, _ in cues[i])
        probs = _softmax([float(v) for v in combined])
        k = int(np.argmax(probs))
        themes = _decide_themes(taxonomy, keywords[i], per_theme[row:row + n] if taxonomy else None) \
            if taxonomy else ()
        out.append(Analysis(sentiment=SENTIMENTS[k], confidence=round(probs[k], 3), themes=themes))
        row += n
    return out


def _example_theme_sims(taxonomy, vectors):
    """Per clause vector and theme: the mean similarity of its nearest examples minus the nearest
    no-theme phrase's (an organization's own themes)."""
    import numpy as np

    examples, owners = _theme_matrix(taxonomy)
    sims_all = vectors @ examples.T
    per_theme = np.full((len(vectors), len(taxonomy)), -1.0, dtype=np.float32)
    for j in range(len(taxonomy)):
        cols = owners == j
        if cols.any():
            top = np.sort(sims_all[:, cols], axis=1)[:, -PARAMS["theme_top"]:]
            per_theme[:, j] = top.mean(axis=1)
    return per_theme - (vectors @ _no_theme_matrix().T).max(axis=1, keepdims=True)


def _analyze_probe(items, taxonomy, split, keywords):
    """The shipped classifiers (probe.py) for sentiment and the starter themes; an
    organization's own themes by their examples."""
    from . import Analysis

    texts = [text or "" for _, text in items]
    flat = [c for parts in split for c, _ in parts]
    vectors = embedder.embed([*texts, *flat])
    wholes, clause_vecs = vectors[:len(texts)], vectors[len(texts):]
    per_comment, row = [], 0
    for parts in split:
        per_comment.append(clause_vecs[row:row + len(parts)])
        row += len(parts)
    predictions = probe.predict(items, split, wholes, per_comment)
    own = [t for t in taxonomy or () if t.key not in probe.THEMES]
    own_sims = _example_theme_sims(own, clause_vecs) if own else None
    out, row = [], 0
    for i, (probs, margins) in enumerate(predictions):
        n = len(split[i])
        # A starter theme at or above its threshold (chosen on the development sets for the
        # classifiers alone). Until probe-7.1 a theme less than 0.1 above it also needed a keyword
        # or a near example: the thresholds were not chosen with that rule, which dropped right
        # themes of unseen comments (blind sets: 0.03-0.04 of theme accuracy; none on dev).
        found = {key: m for key, m in margins.items() if m >= 0 and any(t.key == key for t in taxonomy or ())}
        if own:
            own_keywords = [{k: v for k, v in kw.items() if k not in probe.THEMES} for kw in keywords[i]]
            for key in _decide_themes(own, own_keywords, own_sims[row:row + n]):
                found[key] = max(found.get(key, 0.0), 0.01)
        row += n
        k = int(probs.argmax())
        out.append(Analysis(sentiment=SENTIMENTS[k], confidence=round(float(probs[k]), 3),
                            themes=tuple(sorted(found, key=lambda key: -found[key]))))
    return out
