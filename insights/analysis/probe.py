"""Trained linear classifiers over the embeddings (shipped in data/probe.npz, rebuilt
reproducibly by `python -m insights.analysis.train`; nothing is trained at start):

- sentiment: one 3-class (positive, neutral, negative) logistic layer over the comment's
  embedding, the weighted mean of its clauses' embeddings (after "but" weighs 1.5) and the
  lexicon cues (signed score of the comment and of its last clause, "neither" words, question);
- themes: one-vs-rest logistic classifiers, one per starter theme, over a text's embedding and
  the keyword cues of the seven starter themes; a comment's score for a theme is the best over
  the whole comment and each of its clauses, and the theme is kept when it passes its own
  threshold (chosen on the development sets, train.DEV_SETS). No theme: all below threshold.

- nearest training comments: the KNN training comments most like a text (cosine of the
  embeddings, shipped int8) vote for its sentiment and themes, weighted by softmax(KNN_SHARPNESS
  x similarity); their log-votes are one more layer in each mix (a comment that names a thing the
  training comments name, "the croissants", "the 7:40 bus", gets their themes).

An organization's own themes (keys outside the probe) are left to the example-matching in
engine.py."""

from __future__ import annotations

import threading
from pathlib import Path

from . import embedder, lexicon, ngrams

PROBE = Path(__file__).resolve().parent / "data" / "probe.npz"
THEMES = ("delivery", "staff", "price", "quality", "website", "communication", "billing")
SCALE = 10.0
# The sentiment probabilities are a geometric mix of the probe's and the anchor layer's (the
# earlier small logistic layer over clause embeddings trained on the anchor phrases, plus
# LEX_WEIGHT times the lexicon score per clause, the part after "but" weighing 1.5): chosen on
# the development set.
MIX = 0.5
LEX_WEIGHT = 4.0
NEUTRAL_BIAS = 1.0
LEX_SCALE = 6.0
# The phrase cues (lexicon.phrase_cues: loyalty, leaving, giving up, a sarcastic closer) as four more
# lexicon features of the sentiment layer.
PHRASES = True
# The nearest-comments layer: how many training comments vote, and how sharply the nearest weigh
# (chosen on the development sets: k 10, 20, 30; sharpness 20, 30, 50).
KNN = 10
KNN_SHARPNESS = 50.0
_lock = threading.Lock()
_state: dict = {}


def _lex_features(lang: str, parts: list[tuple[str, float]], text: str) -> list[float]:
    cues = [(lexicon.sentiment_cues(lang, c), w) for c, w in parts]
    total = sum(c.score * w for c, w in cues) / max(1.0, sum(w for _, w in cues))
    last = cues[-1][0].score if cues else 0.0
    clip = lambda v: max(-3.0, min(3.0, v)) / 3.0  # noqa: E731
    out = [clip(total), clip(last), min(2, sum(c.neutral for c, _ in cues)) / 2.0,
           1.0 if "?" in (text or "") else 0.0, min(4, len(parts)) / 4.0,
           1.0 if any(w > 1.0 for _, w in parts) else 0.0]
    if PHRASES:
        phrases = lexicon.phrase_cues(lang, text or "")
        out += [float(phrases.loyal), float(phrases.churn), float(phrases.gave_up), float(phrases.sarcasm)]
    return out


def keyword_features(lang: str, text: str) -> list[float]:
    cues = lexicon.theme_cues(lang, text)
    return [min(2.0, cues.get(key, 0.0)) / 2.0 for key in THEMES]


def sentiment_features(lang, text, parts, whole_vec, part_vecs, mean):
    """One row: [centered whole embedding, centered weighted clause mean, lexicon cues]."""
    import numpy as np

    weights = np.array([w for _, w in parts], dtype=np.float32)
    wmean = (part_vecs * weights[:, None]).sum(axis=0) / weights.sum()
    wmean /= max(1e-6, float(np.linalg.norm(wmean)))
    return np.concatenate([(whole_vec - mean) * SCALE, (wmean - mean) * SCALE,
                           np.array(_lex_features(lang, parts, text), dtype=np.float32) * LEX_SCALE])


def theme_features(lang, text, vec, mean):
    import numpy as np

    return np.concatenate([(vec - mean) * SCALE, np.array(keyword_features(lang, text), dtype=np.float32) * 2.0])


def model():
    """The shipped weights, or None (missing, or computed by another embedding model)."""
    with _lock:
        if "model" not in _state:
            _state["model"] = _load()
        return _state["model"]


def _load():
    import numpy as np

    if not PROBE.exists():
        return None
    data = np.load(PROBE, allow_pickle=False)
    if str(data["model"]) != embedder.version():
        return None
    m = {k: data[k] for k in data.files}
    if "knn_x" in m:  # int8 on disk: unit rows again for the cosine
        x = m["knn_x"].astype(np.float32) / float(m["knn_scale"])
        m["knn_x"] = x / np.maximum(1e-6, np.linalg.norm(x, axis=1, keepdims=True))
    return m


def knn_votes(m, vecs):
    """(sentiment votes n x 3, theme votes n x 7) of the nearest training comments to each vector."""
    import numpy as np

    sims = vecs @ m["knn_x"].T
    k = min(KNN, sims.shape[1] - 1)
    idx = np.argpartition(-sims, k, axis=1)[:, :k]
    top = np.take_along_axis(sims, idx, axis=1)
    w = np.exp(KNN_SHARPNESS * (top - top.max(axis=1, keepdims=True)))
    w /= w.sum(axis=1, keepdims=True)
    sent = np.eye(3, dtype=np.float32)[m["knn_sent"][idx].astype(np.int64)]  # the k voters' labels only
    return np.einsum("nk,nkc->nc", w, sent), np.einsum("nk,nkc->nc", w, m["knn_themes"][idx].astype(np.float32))


def sigmoid(x):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _ngram_logits(m, lang, texts, weights_key, bias_key):
    """Logits of the n-gram layer (weights over the shipped vocabulary of hashed n-grams) per text."""
    import numpy as np

    vocabulary = m["ng_vocab"]
    w, b = m[weights_key], m[bias_key]
    out = np.tile(b.astype(np.float32), (len(texts), 1))
    for i, text in enumerate(texts):
        feats = ngrams.features(lang, text)
        if not feats:
            continue
        keys = np.fromiter(feats, dtype=np.int64, count=len(feats))
        values = np.fromiter(feats.values(), dtype=np.float32, count=len(feats))
        pos = np.minimum(np.searchsorted(vocabulary, keys), len(vocabulary) - 1)
        hit = vocabulary[pos] == keys
        out[i] += values[hit] @ w[pos[hit]].astype(np.float32)
    return out


def components(m, lang, text, parts, whole, part_vecs):
    """Every layer's raw output for one comment: sentiment logits of the embedding layer, the
    anchor layer and the n-gram layer; theme logits of the embedding and n-gram layers per unit
    (the whole comment, then each clause when there are several)."""
    import numpy as np

    x = sentiment_features(lang, text, parts, whole, part_vecs, m["mean"])
    units = [(text, whole)] + ([(c, v) for (c, _), v in zip(parts, part_vecs, strict=True)]
                               if len(parts) > 1 else [])
    feats = np.stack([theme_features(lang, t, v, m["mean"]) for t, v in units])
    out = {"sent_dense": x @ m["sent_w"] + m["sent_b"], "sent_anchor": _anchor_logits(m, lang, parts, part_vecs),
           "theme_dense": feats @ m["theme_w"] + m["theme_b"]}
    if "ng_vocab" in m:
        out["sent_ng"] = _ngram_logits(m, lang, [text], "ng_sent_w", "ng_sent_b")[0]
        out["theme_ng"] = _ngram_logits(m, lang, [t for t, _ in units], "ng_theme_w", "ng_theme_b")
    if "knn_x" in m:
        sent_votes, theme_votes = knn_votes(m, np.stack([v for _, v in units]))
        out["sent_knn"] = np.log(np.clip(sent_votes[0], 0.02, 1.0))
        votes = np.clip(theme_votes, 0.02, 0.98)
        out["theme_knn"] = np.log(votes / (1 - votes))
    return out


def mixed(layers, sent_mix, theme_mix, knn_mix):
    """(sentiment scores, theme logits) of the layers' outputs, for one comment or many stacked
    (train.stacked_predictions): `layers` holds the sentiment layers as log-probabilities
    ("sent_dense", "sent_anchor", "sent_ng", and the nearest comments' log-votes "sent_knn") and the
    theme logits per unit ("theme_dense", "theme_ng", "theme_knn"). Sentiment: their sum weighted by
    sent_mix (embedding, anchor, n-gram) and knn_mix[0]; themes: theme_mix is the n-gram layer's
    share, then knn_mix[1] the nearest comments' share. The one place the layers are mixed."""
    a, b, c = sent_mix
    v, u = knn_mix
    z = a * layers["sent_dense"] + b * layers["sent_anchor"]
    if c and "sent_ng" in layers:
        z = z + c * layers["sent_ng"]
    if v and "sent_knn" in layers:
        z = z + v * layers["sent_knn"]
    logits = layers["theme_dense"] if not theme_mix or "theme_ng" not in layers else \
        (1 - theme_mix) * layers["theme_dense"] + theme_mix * layers["theme_ng"]
    if u and "theme_knn" in layers:
        logits = (1 - u) * logits + u * layers["theme_knn"]
    return z, logits


def combine(m, comp, sent_mix=None, theme_mix=None, knn_mix=None):
    """(sentiment probabilities [pos, neu, neg], theme scores 0-1) of one comment's layer outputs
    (components), mixed by the shipped weights (or those given): `mixed`, the best over the units."""
    import numpy as np

    layers = {**comp, **{key: _log_softmax(comp[key]) for key in ("sent_dense", "sent_anchor", "sent_ng")
                         if key in comp}}
    z, logits = mixed(layers, sent_mix if sent_mix is not None else m.get("sent_mix", (MIX, 1 - MIX, 0.0)),
                      float(theme_mix if theme_mix is not None else m.get("theme_mix", 0.0)),
                      knn_mix if knn_mix is not None else m.get("knn_mix", (0.0, 0.0)))
    p = np.exp(z - z.max())
    p /= p.sum()
    return p, sigmoid(logits).max(axis=0)


def predict(items, split, whole_vecs, part_vecs_list):
    """Per comment: (sentiment probabilities [pos, neu, neg], {theme: score - threshold})."""
    m = model()
    out = []
    for (lang, text), parts, whole, part_vecs in zip(items, split, whole_vecs, part_vecs_list, strict=True):
        p, scores = combine(m, components(m, lang, text, parts, whole, part_vecs))
        margins = {str(k): float(s - th) for k, s, th in zip(m["theme_keys"], scores, m["theme_thr"], strict=True)}
        out.append((p, margins))
    return out


def _log_softmax(v):
    import numpy as np

    v = v - v.max()
    return v - np.log(np.exp(v).sum())


def _anchor_logits(m, lang, parts, part_vecs):
    import numpy as np

    weights = np.array([w for _, w in parts], dtype=np.float32)
    lex = np.array([lexicon.sentiment_cues(lang, c).score for c, _ in parts], dtype=np.float32)
    logits = ((part_vecs - m["anchor_mean"]) * 10.0) @ m["anchor_w"] + m["anchor_b"]
    logits[:, 0] += LEX_WEIGHT * lex
    logits[:, 2] -= LEX_WEIGHT * lex
    combined = (logits * weights[:, None]).sum(axis=0) / weights.sum()
    combined[1] += NEUTRAL_BIAS
    return combined
