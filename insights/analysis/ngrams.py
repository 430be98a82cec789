"""Hashed character n-grams of a comment and the sparse logistic layers over them (numpy only).

A text is lower-cased and folded (diacritics dropped, æ → ae, ø → o, ß → ss, đ → d, so "proizvod
je losiji" and "pølse"/"polse" meet their written-out forms), split into words, and each word
`<word>` gives its character 2–5-grams; words also count whole, pairs of neighbouring words too
("ikke dårlig", "not bad"), and a word within three words after a negator is marked so ("not good"
is not "good"). Each feature is hashed (crc32, stable across processes) into DIM buckets and a row
is L2-normalized. Robust to typos, compounds and missing diacritics, where the embedding of a
small model is not."""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache

from . import lexicon

DIM = 1 << 20
NGRAMS = (2, 3, 4, 5)
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ð": "d", "þ": "th"})
_TOKEN = re.compile(r"[a-z0-9]+|[!?|]|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_PUNCT = re.compile(r"[,.;:()]+|\s[-–]\s")
_BREAK = frozenset("!?|")
# The phrase cues of the lexicon (loyalty, leaving, giving up, a sarcastic closer) as features too, each
# counting PHRASE_WEIGHT times a plain n-gram before the row is normalized.
PHRASE_FEATURES = True
PHRASE_WEIGHT = 3.0


@lru_cache(maxsize=64)
def _negators(lang: str) -> frozenset:
    words = set(lexicon.NEGATORS.get(lang, "").split()) | set(lexicon.NEGATORS["en"].split())
    return frozenset(fold(w) for w in words)


def fold(text: str) -> str:
    text = lexicon.normalize(text).translate(_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (DIM - 1)


def features(lang: str, text: str) -> dict[int, float]:
    """{bucket: value} of one text, L2-normalized (binary counts before)."""
    folded = fold(text)
    words = _TOKEN.findall(_PUNCT.sub(" | ", folded))
    feats: set[str] = set()
    negators = _negators(lang)
    negate = 0
    previous = "^"
    for word in [*words, "$"]:
        if word in _BREAK:
            feats.add(word)
            negate = 0
            previous = "^"
            continue
        if word != "$":
            padded = f"<{word}>"
            for n in NGRAMS:
                for i in range(max(1, len(padded) - n + 1)):
                    feats.add(padded[i:i + n])
            feats.add("w " + word)
            if negate:
                feats.add("n " + word)
        feats.add("b " + previous + " " + word)
        if word in negators:
            negate = 3
        elif negate:
            negate -= 1
        previous = word
    if PHRASE_FEATURES and words:
        cues = lexicon.phrase_cues(lang, text)
        feats.update(f"p {name}" for name in ("loyal", "churn", "gave_up", "sarcasm") if getattr(cues, name))
    if not feats:
        return {}
    buckets: dict[int, float] = {}
    for f in sorted(feats):  # an order of its own: a set's follows the process's hash seed, and the
        # fit's float sums with it (two trainings of the same corpus gave n-gram weights 0.6 apart)
        h = _hash(f)
        buckets[h] = buckets.get(h, 0.0) + (PHRASE_WEIGHT if f.startswith("p ") else 1.0)
    norm = sum(v * v for v in buckets.values()) ** 0.5
    return {k: v / norm for k, v in buckets.items()}


class Sparse:
    """Rows of {bucket: value} as CSR arrays, with the two products gradient descent needs."""

    def __init__(self, rows: list[dict[int, float]]):
        import numpy as np

        self.n = len(rows)
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(lengths)])
        self.indices = np.fromiter((k for r in rows for k in r), dtype=np.int64, count=int(lengths.sum()))
        self.data = np.fromiter((v for r in rows for v in r.values()), dtype=np.float32, count=int(lengths.sum()))
        self.row_of = np.repeat(np.arange(self.n), lengths)

    def remap(self, vocabulary):
        """Bucket ids -> positions in the sorted vocabulary (buckets outside it dropped)."""
        import numpy as np

        pos = np.searchsorted(vocabulary, self.indices)
        pos = np.minimum(pos, len(vocabulary) - 1)
        keep = vocabulary[pos] == self.indices
        out = Sparse([])
        out.n = self.n
        out.indices, out.data, out.row_of = pos[keep], self.data[keep], self.row_of[keep]
        counts = np.bincount(out.row_of, minlength=self.n)
        out.indptr = np.concatenate([[0], np.cumsum(counts)])
        return out

    def dot(self, w):
        """(n x d) @ (d x k)."""
        import numpy as np

        out = np.zeros((self.n, w.shape[1]), dtype=np.float32)
        if len(self.indices):
            products = w[self.indices] * self.data[:, None]
            starts = self.indptr[:-1]
            filled = starts < self.indptr[1:]
            out[filled] = np.add.reduceat(products, starts[filled], axis=0)
        return out

    def tdot(self, g, d: int):
        """(d x n) @ (n x k): per column, a bincount."""
        import numpy as np

        values = g[self.row_of] * self.data[:, None]
        return np.stack([np.bincount(self.indices, weights=values[:, j], minlength=d) for j in range(g.shape[1])],
                        axis=1).astype(np.float32)


def vocabulary(x: Sparse, min_rows: int = 2):
    """The buckets used by at least min_rows rows (sorted): the others get no weight."""
    import numpy as np

    counts = np.bincount(x.indices, minlength=DIM)
    return np.flatnonzero(counts >= min_rows).astype(np.int64)


def lbfgs(objective, x0, iterations: int = 150, memory: int = 10):
    """Minimizes objective(x) -> (value, gradient) over a flat float64 vector: limited-memory BFGS
    with a backtracking (Armijo) line search; deterministic."""
    import numpy as np

    x = x0.astype(np.float64).copy()
    f, g = objective(x)
    s_list, y_list = [], []
    for _ in range(iterations):
        q = g.copy()
        alphas = []
        for s_, y_ in reversed(list(zip(s_list, y_list, strict=True))):
            rho = 1.0 / float(y_ @ s_)
            a = rho * float(s_ @ q)
            alphas.append((rho, a))
            q -= a * y_
        if s_list:
            q *= float(s_list[-1] @ y_list[-1]) / float(y_list[-1] @ y_list[-1])
        for (s_, y_), (rho, a) in zip(zip(s_list, y_list, strict=True), reversed(alphas), strict=True):
            q += s_ * (a - rho * float(y_ @ q))
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:
            direction, slope = -g, -float(g @ g)
            s_list, y_list = [], []
        step = 1.0 if s_list else 1.0 / max(1e-12, float(np.sqrt(g @ g)))
        for _ in range(30):
            x_new = x + step * direction
            f_new, g_new = objective(x_new)
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            break
        s_, y_ = x_new - x, g_new - g
        if float(s_ @ y_) > 1e-12:
            s_list.append(s_)
            y_list.append(y_)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        converged = abs(f - f_new) < 1e-9 * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            break
    return x


def fit(x, y, kind: str, weights=None, l2: float = 1e-4, iterations: int = 150, dim: int | None = None):
    """A logistic layer over rows x (a Sparse or a dense array), L2-regularized (l2 * |w|^2 / 2,
    the bias not), fitted by L-BFGS from zero (deterministic). kind "softmax": y are class ids, each
    row weighing `weights` (normalized to sum 1); "binary": y is n x k of 0/1, each column one
    classifier, its positives and negatives weighing half each. Returns (w, b) as float32."""
    import numpy as np

    sparse = isinstance(x, Sparse)
    n = x.n if sparse else x.shape[0]
    d = dim if dim is not None else ((int(x.indices.max()) + 1 if len(x.indices) else 1) if sparse else x.shape[1])
    if kind == "softmax":
        k = int(y.max()) + 1
        target = np.zeros((n, k), dtype=np.float32)
        target[np.arange(n), y] = 1
        sw = (weights if weights is not None else np.ones(n, dtype=np.float32)).astype(np.float32)
        sw = np.repeat((sw / sw.sum())[:, None], k, axis=1)
    else:
        target = y.astype(np.float32)
        k = target.shape[1]
        pos = target.sum(axis=0)
        sw = np.where(target > 0, 0.5 / np.maximum(pos, 1), 0.5 / np.maximum(n - pos, 1)).astype(np.float32)
    xt = None if sparse else x.astype(np.float32)

    def objective(theta):
        w = theta[:d * k].reshape(d, k).astype(np.float32)
        b = theta[d * k:].astype(np.float32)
        z = (x.dot(w) if sparse else xt @ w) + b
        if kind == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            loss = -float((sw[:, 0] * (logp * target).sum(axis=1)).sum())
            g = (np.exp(logp) - target) * sw
        else:
            p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
            loss = -float((sw * (target * np.log(p + 1e-12) + (1 - target) * np.log(1 - p + 1e-12))).sum())
            g = (p - target) * sw
        gw = (x.tdot(g, d) if sparse else xt.T @ g).astype(np.float64) + l2 * w
        loss += 0.5 * l2 * float((w.astype(np.float64) ** 2).sum())
        return loss, np.concatenate([gw.ravel(), g.sum(axis=0).astype(np.float64)])

    theta = lbfgs(objective, np.zeros(d * k + k), iterations=iterations)
    return theta[:d * k].reshape(d, k).astype(np.float32), theta[d * k:].astype(np.float32)
