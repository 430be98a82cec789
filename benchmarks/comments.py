"""Comment analysis, measured in a process of its own: `comments.py [N] [--lexicon]` analyses N
comments (default 2 000) with insights.analysis in batches of 256, as the worker and the
`comments_analyze` command do, and prints one JSON line: seconds, comments per second, the
time (wall and this process's CPU) extrapolated to 100 000 comments (the cost is linear in the
comments: each clause is embedded once), and this process's RSS before and at its peak (ru_maxrss), in MB.

The comments are unique: each joins two comments of the engine's own labelled sets
(insights/analysis/data/dev.jsonl and train.jsonl) of one language with "and" (a clause split
would give back the shipped phrases, which the per-process cache already holds), so every
comment is embedded. No database is needed."""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 256
AND = {"en": "and", "da": "og", "sv": "och", "nb": "og", "fi": "ja", "hr": "i", "de": "und"}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def comments(n: int) -> list[tuple[str, str]]:
    data = ROOT / "insights" / "analysis" / "data"
    by_lang: dict[str, list[str]] = {}
    for name in ("dev.jsonl", "train.jsonl"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_lang.setdefault(row["lang"], []).append(row["text"])
    rng = random.Random(20)
    langs = sorted(by_lang)
    seen: set[str] = set()
    out = []
    while len(out) < n:
        lang = rng.choice(langs)
        first, second = rng.choice(by_lang[lang]).rstrip(".!"), rng.choice(by_lang[lang])
        text = f"{first} {AND[lang]} {second[0].lower()}{second[1:]}"  # one clause: embedded as a whole
        if text not in seen:
            seen.add(text)
            out.append((lang, text))
    return out


def main(n: int, lexicon: bool) -> dict:
    from insights import analysis
    from insights.analysis import embedder

    if lexicon:
        embedder.set_enabled(False)
    items = comments(n)
    analysis.analyze([("en", "warm up: the model and the shipped vectors are loaded once per process")])
    before = rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, len(items), BATCH):
        analysis.analyze(items[start:start + BATCH])
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {"engine": analysis.engine_name(), "comments": n, "seconds": round(seconds, 2),
            "per_comment_ms": round(1000 * seconds / n, 2), "per_second": round(n / seconds, 1),
            "extrapolated_100k_s": round(seconds * 100_000 / n, 1), "extrapolated": n != 100_000,
            "cpu_seconds": round(cpu, 2), "cpu_per_comment_ms": round(1000 * cpu / n, 2),
            "cpu_extrapolated_100k_s": round(cpu * 100_000 / n, 1),
            "cpus": os.cpu_count(), "rss_before_mb": before, "peak_rss_mb": peak,
            "growth_mb": round(peak - before, 1)}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(json.dumps(main(int(args[0]) if args else 2000, "--lexicon" in sys.argv)))
