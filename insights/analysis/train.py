"""`python -m insights.analysis.train`: rebuilds data/probe.npz, the shipped weights of the
sentiment and theme classifiers (probe.py), from the training data written for this engine:
data/corpus_<lang>.txt (one `sentiment | themes | text` per line), data/train.jsonl, the
sentiment anchors (anchors.py, sentiment only) and the starter themes' examples and the
no-theme phrases (themes only), plus combinations of two training comments of one language
("A, but B": B's sentiment; "A and B" of one sentiment; themes: both). Deterministic: plain
gradient descent from zero, a fixed seed for the combinations. Theme thresholds are chosen per
theme by 5-fold cross-validation (F1) on the training comments. Never trained on
tests/data/comments_eval.jsonl."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from . import embedder, lexicon
from .anchors import ANCHORS, training
from .probe import PROBE, THEMES, sentiment_features, theme_features
from .taxonomy import STARTER

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("en", "da", "sv", "nb", "fi", "hr", "de")
SENT = {"+": "positive", "0": "neutral", "-": "negative"}
SENTIMENTS = ("positive", "neutral", "negative")
AND = {"en": "and", "da": "og", "sv": "och", "nb": "og", "fi": "ja", "hr": "i", "de": "und"}
BUT = {"en": "but", "da": "men", "sv": "men", "nb": "men", "fi": "mutta", "hr": "ali", "de": "aber"}
COMBOS_PER_LANG = 260


def corpus() -> list[dict]:
    rows = []
    for lang in LANGS:
        path = DATA / f"corpus_{lang}.txt"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            sent, themes, text = (p.strip() for p in line.split("|", 2))
            rows.append({"lang": lang, "text": text, "sentiment": SENT[sent],
                         "themes": [t.strip() for t in themes.split(",") if t.strip()]})
    return rows


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def combinations(rows: list[dict], seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for lang in LANGS:
        pool = [r for r in rows if r["lang"] == lang and len(r["themes"]) <= 1 and len(r["text"]) < 90]
        made = 0
        tries = 0
        while made < COMBOS_PER_LANG and tries < COMBOS_PER_LANG * 20 and len(pool) > 2:
            tries += 1
            a, b = rng.sample(pool, 2)
            if a["themes"] and a["themes"] == b["themes"]:
                continue
            a_text = a["text"].rstrip(".!?")
            if a["sentiment"] != b["sentiment"] and b["sentiment"] != "neutral" and a["sentiment"] != "neutral":
                joiner = rng.choice([f", {BUT[lang]} ", f" {BUT[lang]} ", f". {BUT[lang].capitalize()} "])
                text = a_text + joiner + (_lower_first(b["text"]) if not joiner.startswith(".") else b["text"])
                sentiment = b["sentiment"]
            elif a["sentiment"] == b["sentiment"]:
                joiner = rng.choice([f" {AND[lang]} ", ". ", ", "])
                text = a_text + joiner + (b["text"] if joiner == ". " else _lower_first(b["text"]))
                sentiment = a["sentiment"]
            else:
                continue
            out.append({"lang": lang, "text": text, "sentiment": sentiment,
                        "themes": sorted(set(a["themes"]) | set(b["themes"])), "parts": (a["text"], b["text"])})
            made += 1
    return out


def labelled() -> tuple[list[dict], list[dict], list[dict]]:
    """(comments with sentiment and themes, sentiment-only rows, themes-only rows)."""
    full = corpus() + [dict(r) for r in training()]
    sent_only = [{"lang": _guess_lang(p), "text": p, "sentiment": label} for label, ps in ANCHORS.items() for p in ps]
    theme_only = [{"lang": _guess_lang(e), "text": e, "themes": [t["key"]]} for t in STARTER for e in t["examples"]]
    from .engine import NO_THEME

    theme_only += [{"lang": _guess_lang(p), "text": p, "themes": []} for p in NO_THEME]
    return full, sent_only, theme_only


def _guess_lang(text: str) -> str:
    """The language whose lexicons know the phrase best (anchors and examples are unlabelled)."""
    def hits(lang):
        cues = lexicon.sentiment_cues(lang, text)
        return sum(lexicon.theme_cues(lang, text).values()) + cues.positive + cues.negative
    return max(LANGS, key=lambda lang: (hits(lang), lang == "en"))


def _fit_softmax(x, y, classes, steps=400, lr=0.5, l2=1e-3, weights=None):
    import numpy as np

    n, d = x.shape
    onehot = np.zeros((n, classes), dtype=np.float32)
    onehot[np.arange(n), y] = 1
    sw = weights if weights is not None else np.ones(n, dtype=np.float32)
    sw = sw / sw.sum()
    w = np.zeros((d, classes), dtype=np.float32)
    b = np.zeros(classes, dtype=np.float32)
    for _ in range(steps):
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw[:, None]
        w -= lr * (x.T @ g + l2 * w)
        b -= lr * g.sum(axis=0)
    return w, b


def _fit_binary(x, y, steps=400, lr=0.5, l2=3e-3):
    """One logistic classifier per column of y (n x k, 0/1), positives and negatives balanced."""
    import numpy as np

    n, d = x.shape
    k = y.shape[1]
    w = np.zeros((d, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    pos = y.sum(axis=0)
    sw = np.where(y > 0, 0.5 / np.maximum(pos, 1), 0.5 / np.maximum(n - pos, 1)).astype(np.float32)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w + b, -30, 30)))
        g = (p - y) * sw
        w -= lr * (x.T @ g + l2 * w)
        b -= lr * g.sum(axis=0)
    return w, b


def _embed_all(texts):
    """Embeddings, with a cache outside the repository (INSIGHTS_TRAIN_CACHE) to retrain quickly."""
    import os

    import numpy as np

    cache_path = os.environ.get("INSIGHTS_TRAIN_CACHE")
    known = {}
    if cache_path and Path(cache_path).exists():
        data = np.load(cache_path, allow_pickle=False)
        if str(data["model"]) == embedder.version():
            known = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    todo = [t for t in texts if t not in known]
    if todo:
        known.update(zip(todo, embedder.embed(todo), strict=True))
        if cache_path:
            np.savez(cache_path, model=np.array(embedder.version()), texts=np.array(list(known)),
                     vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts])


def build(verbose: bool = True):
    import numpy as np

    from .engine import clauses

    full, sent_only, theme_only = labelled()
    combos = combinations(full)
    rows = full + combos
    sent_rows = rows + sent_only
    theme_rows = rows + theme_only
    everything = {r["text"]: r["lang"] for r in (*sent_rows, *theme_rows)}
    split = {t: clauses(lang, t) for t, lang in everything.items()}
    texts = list(dict.fromkeys([*everything, *(c for parts in split.values() for c, _ in parts)]))
    if verbose:
        print(f"{len(full)} comments, {len(combos)} combinations, {len(sent_only)} sentiment-only, "
              f"{len(theme_only)} theme-only; embedding {len(texts)} texts", file=sys.stderr)
    vecs = dict(zip(texts, _embed_all(texts), strict=True))
    mean = np.mean(np.stack([vecs[r["text"]] for r in rows]), axis=0)

    def sx(r):
        parts = split[r["text"]]
        return sentiment_features(r["lang"], r["text"], parts, vecs[r["text"]],
                                  np.stack([vecs[c] for c, _ in parts]), mean)

    xs = np.stack([sx(r) for r in sent_rows]).astype(np.float32)
    ys = np.array([SENTIMENTS.index(r["sentiment"]) for r in sent_rows])
    counts = np.bincount(ys, minlength=3).astype(np.float32)
    sent_w, sent_b = _fit_softmax(xs, ys, 3, weights=(1.0 / counts[ys]).astype(np.float32))

    def tx(r):
        return theme_features(r["lang"], r["text"], vecs[r["text"]], mean)

    xt = np.stack([tx(r) for r in theme_rows]).astype(np.float32)
    yt = np.array([[1.0 if k in r["themes"] else 0.0 for k in THEMES] for r in theme_rows], dtype=np.float32)
    theme_w, theme_b = _fit_binary(xt, yt)

    # thresholds: 5-fold cross-validation over the comments (a combination is in a fold's test part
    # only when both its comments are), scored as at inference (best of the comment and its clauses)
    thresholds = _cv_thresholds(full, combos, theme_only, split, vecs, mean, verbose)
    from .engine import _train_sentiment

    anchor_mean, anchor_w, anchor_b = _train_sentiment()
    np.savez_compressed(PROBE, model=np.array(embedder.version()), mean=mean.astype(np.float32),
                        anchor_mean=anchor_mean.astype(np.float32), anchor_w=anchor_w, anchor_b=anchor_b,
                        sent_w=sent_w, sent_b=sent_b, theme_w=theme_w, theme_b=theme_b,
                        theme_thr=np.array(thresholds, dtype=np.float32), theme_keys=np.array(THEMES))
    if verbose:
        print(f"written {PROBE}; thresholds {dict(zip(THEMES, (round(t, 2) for t in thresholds), strict=True))}",
              file=sys.stderr)


def _unit_scores(r, split, vecs, mean, w, b):
    import numpy as np

    from .probe import sigmoid

    parts = split[r["text"]]
    units = [(r["text"], vecs[r["text"]])] + ([(c, vecs[c]) for c, _ in parts] if len(parts) > 1 else [])
    feats = np.stack([theme_features(r["lang"], t, v, mean) for t, v in units])
    return sigmoid(feats @ w + b).max(axis=0)


def _cv_thresholds(full, combos, theme_only, split, vecs, mean, verbose):
    import numpy as np

    folds = 5
    fold_of = {r["text"]: i % folds for i, r in enumerate(full)}
    scores, gold = [], []
    for f in range(folds):
        def in_test(r, f=f):
            if "parts" in r:
                return all(fold_of.get(p) == f for p in r["parts"])
            return fold_of.get(r["text"]) == f

        def in_train(r, f=f):
            if "parts" in r:
                return all(fold_of.get(p) != f for p in r["parts"])
            return fold_of.get(r["text"], -1) != f

        train_rows = [r for r in (*full, *combos) if in_train(r)] + list(theme_only)
        test_rows = [r for r in (*full, *combos) if in_test(r)]
        x = np.stack([theme_features(r["lang"], r["text"], vecs[r["text"]], mean) for r in train_rows])
        y = np.array([[1.0 if k in r["themes"] else 0.0 for k in THEMES] for r in train_rows], dtype=np.float32)
        w, b = _fit_binary(x.astype(np.float32), y)
        for r in test_rows:
            scores.append(_unit_scores(r, split, vecs, mean, w, b))
            gold.append([k in r["themes"] for k in THEMES])
    scores, gold = np.array(scores), np.array(gold)
    grid = np.round(np.arange(0.2, 0.96, 0.02), 2)
    out = []
    for j in range(len(THEMES)):  # per theme: the middle of the thresholds within 1% of the best F1
        f1s = []
        for th in grid:
            pred = scores[:, j] >= th
            tp = float((pred & gold[:, j]).sum())
            f1s.append(2 * tp / max(1.0, float(pred.sum() + gold[:, j].sum())))
        f1s = np.array(f1s)
        near = grid[f1s >= f1s.max() - 0.01]
        out.append(float(np.median(near)))

    def exact(thr):
        return float(np.mean(((scores >= np.array(thr)) == gold).all(axis=1)))

    for _ in range(2):  # then coordinate ascent on the exact theme-set accuracy, in small steps
        for j in range(len(THEMES)):
            candidates = [t for t in grid if abs(t - out[j]) <= 0.1]
            values = [exact([*out[:j], t, *out[j + 1:]]) for t in candidates]
            top = max(values)
            near = [t for t, v in zip(candidates, values, strict=True) if v >= top - 1e-9]
            out[j] = float(near[len(near) // 2])
    if verbose:
        print(f"cross-validated exact theme sets: {exact(out):.3f} over {len(gold)}", file=sys.stderr)
    return out


if __name__ == "__main__":
    lexicon.tokens("")
    build()
