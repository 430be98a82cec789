"""`python -m insights.analysis.vectors`: recomputes data/vectors.npz, the embeddings of the
shipped anchor phrases and starter examples, after they change (or after the model changes)."""

from __future__ import annotations

from . import embedder, starter_taxonomy
from .anchors import sentiment_examples
from .engine import no_theme_phrases


def shipped_texts() -> list[str]:
    texts = [phrase for phrase, _ in sentiment_examples()]
    texts += [example for theme in starter_taxonomy() for example in (*theme.examples, *theme.names.values())]
    texts += no_theme_phrases()
    return list(dict.fromkeys(texts))


if __name__ == "__main__":
    embedder.save_shipped(shipped_texts())
    print(f"{len(shipped_texts())} vectors written to {embedder.SHIPPED}")
