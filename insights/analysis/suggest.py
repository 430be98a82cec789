"""Theme suggestions: groups of comments that fit no theme of the taxonomy, one group per topic
whatever the language and whatever the sentiment, each with readable key phrases.

Left out first: comments with a theme, and comments that say nothing one could name a theme by
(no content word, or nearly one of the engine's no-theme phrases: "Alt var fint").

Vectors: plain k-means over the embeddings splits by language and sentiment rather than by topic,
so each comment's vector loses its language's mean (from the shipped training comments), its
component along the sentiment direction of the logistic layer, the main directions in which the
sentiment examples differ (`EVALUATIVE`: ways of praising and complaining about anything) and the
mean of the comments looked at (what they all share: "the shop"; at weight n / (n + `CONTEXT`), as
the mean of a few comments is mostly their own topic).

Grouping: average linkage (two groups join while the mean similarity between their members is at
least `LINK`; no number of groups is fixed beforehand, a comment like no other stays alone); then
two groups that are still alike on average (`JOIN`) and share a word stem ("kassen", "kassa",
"Kasse") join too: the parts of one topic ("a long queue", "open more tills"). A group of at least
`MIN_MEMBERS` is a suggestion, largest first.

Key phrases: content words (no stop word, no sentiment word, no number, no "shop") and two-word
phrases ("opening hours", "lang kø") the members share, weighed by how much more often they occur
in the group than among all the comments looked at and the engine's training comments (c-TF-IDF):
each language's best in its own spelling, what more members say first ("parking", "parkering",
"Parkplatz", "pysäköinti"); the caller puts its reader's language first. Examples: member
comments, the languages in turn, those with the fewest long words that are no topic first (they
become the examples of the theme the suggestion is accepted as).

Without the model the same grouping runs over word-stem vectors (TF-IDF of the content words'
first letters): it groups what shares a stem ("parking", "parkering", "Parkplatz"), and nothing
across languages that does not. Figures on tests/insights/data/suggest_pool.jsonl:
docs/comment-analysis.md."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

from . import embedder, lexicon

MIN_MEMBERS = 3
LINK = 0.13         # average linkage, model: mean similarity (debiased vectors) at which two groups join
JOIN = 0.075        # ... then two groups whose mean similarity is still this and that share a stem
JOIN_STEM = 0.08    # ... in this share of each one's comments
LINK_STEMS = 0.2    # ... without the model: mean cosine of the stem vectors
STEM = 4            # "parking", "parkering", "parkplatz", "parkkipaikka" share "park"
NO_THEME_NEAR = 0.95  # a comment this near a no-theme phrase says nothing to group on
MAX_POOL = 4000     # the latest comments looked at (the caller passes the latest first)
EXAMPLES = 8
EVALUATIVE = 10    # principal directions of the sentiment examples taken out of every vector
MAX_PHRASES = 10
CONTEXT = 50        # the pool's mean is taken out at weight n / (n + CONTEXT)

_SURFACE = re.compile(r"[\w'-]+", re.UNICODE)


def _surfaces(text: str) -> list[str]:
    return _SURFACE.findall(unicodedata.normalize("NFC", text or "").replace("’", "'"))


def _stem(word: str) -> str:
    return word[:STEM]


def _terms(lang: str, text: str) -> list[tuple[str, str]]:
    """(key, surface) for each content word and each two adjacent content words of a comment;
    key: the word's stem (a two-word phrase: both stems)."""
    words = _surfaces(text)
    content = [lexicon.is_content_word(lang, w.lower()) for w in words]
    out = [(_stem(w.lower()), w) for w, ok in zip(words, content, strict=True) if ok]
    for k in range(len(words) - 1):
        if content[k] and content[k + 1]:
            out.append((f"{_stem(words[k].lower())} {_stem(words[k + 1].lower())}", f"{words[k]} {words[k + 1]}"))
    return out


def _content_words(lang: str, text: str) -> list[str]:
    return [w.lower() for w in _surfaces(text) if lexicon.is_content_word(lang, w.lower())]


# ---------------------------------------------------------------- grouping

def _average_linkage(sims, threshold: float) -> list[list[int]]:
    """Groups (lists of row indices) by average linkage down to `threshold`. O(n²): each row's
    best partner is kept and recomputed only when that partner changes."""
    import numpy as np

    n = len(sims)
    s = np.array(sims, dtype=np.float32, copy=True)
    np.fill_diagonal(s, -np.inf)
    size = np.ones(n, dtype=np.float32)
    best = s.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    best_sim = s[np.arange(n), best] if n else np.zeros(0, dtype=np.float32)
    members = {i: [i] for i in range(n)}
    while members and len(members) > 1:
        a = int(best_sim.argmax())
        if not best_sim[a] >= threshold:
            break
        b = int(best[a])
        merged = (size[a] * s[a] + size[b] * s[b]) / (size[a] + size[b])
        s[a, :] = merged
        s[:, a] = merged
        s[a, a] = -np.inf
        s[b, :] = -np.inf
        s[:, b] = -np.inf
        size[a] += size[b]
        members[a] += members.pop(b)
        best_sim[b] = -np.inf
        stale = np.flatnonzero((best == a) | (best == b))
        for r in stale:
            if r != b:
                best[r] = int(s[r].argmax())
                best_sim[r] = s[r, best[r]]
        better = merged > best_sim
        better[[a, b]] = False
        best[better] = a
        best_sim[better] = merged[better]
        best[a] = int(s[a].argmax())
        best_sim[a] = s[a, best[a]]
    return list(members.values())


def _join_parts(groups, vectors, pool) -> list[list[int]]:
    """Two parts of one topic ("a long queue", "open more tills") are often apart at `LINK`: two
    groups join when their members are still alike on average (`JOIN`; the mean similarity of
    two groups' members is the product of their mean vectors) and a word stem is in at least
    `JOIN_STEM` of each group's comments (across languages: "kasse", "kassa", "Kasse")."""
    import numpy as np

    stems = [{_stem(w) for w in _content_words(lang, text)} for lang, text in pool]
    singles = [list(g) for g in groups if len(g) < 2]
    groups = [list(g) for g in groups if len(g) >= 2]
    if len(groups) < 2:
        return groups + singles
    means = np.array([vectors[g].mean(axis=0) for g in groups])
    counts = [Counter(stem for i in g for stem in stems[i]) for g in groups]
    sims = means @ means.T
    np.fill_diagonal(sims, -np.inf)
    best = sims.argmax(axis=1)  # each group's most alike other group, kept up to date
    best_sim = sims[np.arange(len(groups)), best]

    def refresh(rows) -> None:
        for r in rows:
            best[r] = int(sims[r].argmax())
            best_sim[r] = sims[r, best[r]]

    while True:
        a = int(best_sim.argmax())
        b = int(best[a])
        if not best_sim[a] >= JOIN:
            return [g for g in groups if g] + singles
        if _share(counts[a], len(groups[a]), counts[b], len(groups[b])) < JOIN_STEM:
            sims[a, b] = sims[b, a] = -np.inf  # alike, but nothing said in common: two topics
            refresh({a, b})
            continue
        means[a] = (len(groups[a]) * means[a] + len(groups[b]) * means[b]) / (len(groups[a]) + len(groups[b]))
        groups[a] += groups[b]
        counts[a] += counts[b]
        groups[b] = []
        refused = ~np.isfinite(sims[a]) | ~np.isfinite(sims[b])  # a pair refused stays refused
        row = means @ means[a]
        row[refused] = -np.inf
        row[[k for k, g in enumerate(groups) if not g]] = -np.inf
        row[a] = -np.inf
        sims[a, :] = row
        sims[:, a] = row
        sims[b, :] = -np.inf
        sims[:, b] = -np.inf
        best_sim[b] = -np.inf
        stale = set(np.flatnonzero((best == a) | (best == b)).tolist()) | {a}
        better = row > best_sim
        best[better] = a
        best_sim[better] = row[better]
        refresh(stale - {b})


def _share(count_a: Counter, size_a: int, count_b: Counter, size_b: int) -> float:
    """The largest share of both groups' comments one word stem is in."""
    if len(count_b) < len(count_a):
        count_a, size_a, count_b, size_b = count_b, size_b, count_a, size_a
    return max((min(n / size_a, count_b[stem] / size_b) for stem, n in count_a.items() if stem in count_b),
               default=0.0)


def _topic_vectors(items):
    """Model vectors with what is language, what is sentiment and what all the comments looked
    at share taken out, L2-normalized."""
    import numpy as np

    vectors = _debiased(items)
    basis = _evaluative_basis()
    vectors -= (vectors @ basis.T) @ basis  # how people praise and complain, whatever about
    # what every comment here shares ("the shop") is no topic either; but the mean of a few
    # comments is mostly their own topic(s): it is taken out in full only from many
    vectors -= len(vectors) / (len(vectors) + CONTEXT) * vectors.mean(axis=0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors


def _debiased(items):
    """Each vector less its language's mean and its component along the sentiment direction."""
    import numpy as np

    from .engine import _sentiment_model

    vectors = embedder.embed([text for _lang, text in items]).astype(np.float64)
    means = _language_means()
    for k, (lang, _text) in enumerate(items):  # what all comments of a language share is not a topic
        vectors[k] -= means.get(lang, means["*"])
    _mean, w, _b = _sentiment_model()
    direction = (w[:, 0] - w[:, 2]).astype(np.float64)
    direction /= np.linalg.norm(direction) or 1.0
    vectors -= np.outer(vectors @ direction, direction)  # nor is being pleased or cross
    return vectors


def _evaluative_basis():
    """The main directions (`EVALUATIVE` principal components) in which the engine's sentiment
    examples differ once language and the sentiment direction are out: ways of praising and
    complaining that are not about one topic."""
    import numpy as np

    from .anchors import sentiment_examples

    key = ("basis", embedder.version())
    if key not in _means:
        vectors = _debiased([("*", text) for text, _label in sentiment_examples()])
        vectors -= vectors.mean(axis=0)
        _means[key] = np.linalg.svd(vectors, full_matrices=False)[2][:EVALUATIVE]
    return _means[key]


def _stem_vectors(items):
    """Without the model: TF-IDF vectors of the comments' content-word stems (rarity among these
    comments and the engine's training comments), L2-normalized."""
    import numpy as np

    docs = [{_stem(w) for w in _content_words(lang, text)} for lang, text in items]
    df = Counter(stem for doc in docs for stem in doc)
    background, known = _background()
    vocab = {stem: k for k, stem in enumerate(sorted(s for s, n in df.items() if n >= 2))}
    vectors = np.zeros((len(items), max(1, len(vocab))), dtype=np.float64)
    for i, doc in enumerate(docs):
        for stem in doc:
            if stem in vocab:
                vectors[i, vocab[stem]] = math.log(1 + (len(items) + known) / (df[stem] + background[stem]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors


_means: dict = {}


def _language_means() -> dict:
    """The mean vector of the shipped training comments per language (and over all, "*"): what
    a comment of that language shares with every other, whatever its topic."""
    import numpy as np

    from .anchors import training

    key = embedder.version()
    if key not in _means:
        rows = training()
        vectors = embedder.embed([row["text"] for row in rows]).astype(np.float64)
        means = {"*": vectors.mean(axis=0)}
        for lang in {row["lang"] for row in rows}:
            means[lang] = vectors[[k for k, row in enumerate(rows) if row["lang"] == lang]].mean(axis=0)
        _means[key] = means
    return _means[key]


def _says_nothing(items) -> list[bool]:
    """A comment without a content word, or (with the model) nearly one of the engine's no-theme
    phrases ("Alt var fint", "Kein Kommentar")."""
    out = [not _content_words(lang, text) for lang, text in items]
    if embedder.available() and items:
        from .engine import no_theme_phrases

        vectors = embedder.embed([text for _lang, text in items])
        near = (vectors @ embedder.embed(no_theme_phrases()).T).max(axis=1)
        out = [a or float(b) >= NO_THEME_NEAR for a, b in zip(out, near, strict=True)]
    return out


# ---------------------------------------------------------------- key phrases

def _describe(items, members, terms, df, total):
    """Key phrases (see the module's note) and examples (the most central first, one language
    after another) of a group; None when its members share no phrase (nothing to name it by)."""
    from . import Suggestion

    size = len(members)
    inside: Counter = Counter()
    by_lang: dict[str, Counter] = defaultdict(Counter)
    spellings: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for i in members:
        lang = items[i][0]
        for key, surface in terms[i]:
            spellings[key, lang][surface] += 1
            spellings[key, "*"][surface] += 1
        for key in {key for key, _ in terms[i]}:
            inside[key] += 1
            by_lang[lang][key] += 1

    background, known = _background()

    def weight(key: str, n: int, of: int) -> float:
        rarity = math.log(1 + (total + known) / (df[key] + background[key]))
        return (n / of) * rarity * (1.15 if " " in key else 1.0)

    shared = {key: n for key, n in inside.items() if n >= 2}
    if not shared:
        return None
    ranked = sorted(shared, key=lambda key: (-weight(key, shared[key], size), key))
    langs = Counter(items[i][0] for i in members)
    picks = []
    for lang, n in langs.most_common():  # the best of each language, in its own spelling
        mine = by_lang[lang]
        # a language with one or two comments in the group: its rarest word (the others' words
        # for the same thing are other words), else a word two of them or the group share
        candidates = [key for key in mine if mine[key] >= 2 or key in shared or (n <= 2 and " " not in key)]
        if candidates:
            picks.append((max(candidates, key=lambda key: (weight(key, mine[key], n), inside[key], len(key), key)),
                          lang))
    picks.sort(key=lambda pick: -inside[pick[0]])  # what more of the group says first
    top = weight(ranked[0], shared[ranked[0]], size)
    # the group's best term first when most of the group has it, else after each language's
    picks.insert(0 if 2 * shared[ranked[0]] > size else len(picks), (ranked[0], "*"))
    # and the group's best term in each language's own spelling ("Parkkipaikka", "parkirnih")
    picks += [(ranked[0], lang) for lang, _n in langs.most_common() if by_lang[lang][ranked[0]]]
    picks += [(key, "*") for key in ranked[1:3] if weight(key, shared[key], size) >= 0.5 * top]
    phrases: list[str] = []
    for key, lang in picks:
        phrase = _spelling(spellings[key, lang])
        lower = [p.lower() for p in phrases]
        if phrase.lower() in lower or any(phrase.lower() in p.split() for p in lower):
            continue  # already said, or part of a two-word phrase said already
        phrases = [p for p in phrases if p.lower() not in phrase.lower().split()]  # a phrase replaces its word
        phrases.append(phrase)
    return Suggestion(key_phrases=tuple(phrases[:MAX_PHRASES]), members=tuple(members),
                      examples=_examples(items, members))


_background_df: dict = {}


def _background() -> tuple[Counter, int]:
    """How many of the engine's own training comments (many industries, all seven languages)
    have each term, and how many there are: a word common there ("butikken", "kort") says less
    about a group than one that is not."""
    if "df" not in _background_df:
        from .anchors import training
        from .train import corpus

        texts = [(row["lang"], row["text"]) for row in (*training(), *corpus())]
        _background_df["df"] = (Counter(key for lang, text in texts for key in {k for k, _ in _terms(lang, text)}),
                                len(texts))
    return _background_df["df"]


def _spelling(forms: Counter) -> str:
    """The commonest spelling; a capital only where the word is written so inside sentences too
    (German nouns), not only at a comment's start."""
    best, _n = max(forms.items(), key=lambda kv: (kv[1], kv[0].islower(), kv[0]))
    lower = best.lower()
    if best != lower and sum(n for form, n in forms.items() if form == lower) > 0:
        return lower
    return best


def _examples(items, members) -> tuple[str, ...]:
    """Up to EXAMPLES member comments, taking the languages in turn, the most central first
    among those with the fewest long words that are no topic ("always", "the shop", "great"):
    they become the example phrases of the theme the suggestion is accepted as, and the engine
    also matches a theme by the long words of its examples."""
    background, _known = _background()

    def generic(i: int) -> int:
        lang, text = items[i]
        return sum(1 for w in _surfaces(text) if len(w) >= 5 and (not lexicon.is_content_word(lang, w.lower())
                                                                  or background[_stem(w.lower())] >= 3))

    rank = {i: k for k, i in enumerate(members)}
    queues: dict[str, list[int]] = defaultdict(list)
    for i in sorted(members, key=lambda i: (generic(i), rank[i])):
        queues[items[i][0]].append(i)
    order = sorted(queues, key=lambda lang: rank[queues[lang][0]])
    out: list[str] = []
    while len(out) < EXAMPLES and any(queues.values()):
        for lang in order:
            if queues[lang] and len(out) < EXAMPLES:
                text = re.sub(r"\s+", " ", items[queues[lang].pop(0)][1]).strip()[:300]
                if text and text not in out:
                    out.append(text)
    return tuple(out)


# ---------------------------------------------------------------- the entry point

def suggest(items, taxonomy, max_suggestions: int = 8):
    from . import analyze

    items = items[:MAX_POOL]
    if not items or max_suggestions <= 0:
        return []
    # an empty taxonomy: the caller knows these comments fit no theme (no analysis needed)
    analyses = analyze(items, taxonomy) if taxonomy else None
    candidates = [i for i in range(len(items)) if (analyses is None or not analyses[i].themes)
                  and len(lexicon.tokens(items[i][1])) >= 2]
    if len(candidates) < MIN_MEMBERS:
        return []
    empty = _says_nothing([items[i] for i in candidates])
    loose = [i for i, nothing in zip(candidates, empty, strict=True) if not nothing]
    if len(loose) < MIN_MEMBERS:
        return []
    pool = [items[i] for i in loose]
    terms = [_terms(lang, text) for lang, text in pool]
    df = Counter(key for t in terms for key in {key for key, _ in t})

    vectors = _topic_vectors(pool) if embedder.available() else _stem_vectors(pool)
    sims = vectors @ vectors.T
    groups = _average_linkage(sims, LINK if embedder.available() else LINK_STEMS)
    if embedder.available():
        groups = _join_parts(groups, vectors, pool)
    groups = [g for g in groups if len(g) >= MIN_MEMBERS]
    out = []
    for group in sorted(groups, key=lambda g: (-len(g), min(g))):
        centre = vectors[group].mean(axis=0)
        group = sorted(group, key=lambda k: (-float(vectors[k] @ centre), k))  # the most central first
        described = _describe(pool, group, terms, df, len(pool))
        if described is None:
            continue
        out.append(type(described)(key_phrases=described.key_phrases,
                                   members=tuple(loose[k] for k in described.members),
                                   examples=described.examples))
        if len(out) >= max_suggestions:
            break
    return out
