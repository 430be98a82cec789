"""`manage.py comments_analyze --input FILE.jsonl --output FILE.jsonl`: sentiment and themes for
comments in a file, offline, without a database. Each input line is {"lang": "da", "text": "…"};
each output line is the same object plus "sentiment" and "themes". `-` is stdin/stdout.
A malformed line is reported on stderr with its number and skipped."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from insights.analysis import LANGUAGES, analyze, engine_name

BATCH = 256


class Command(BaseCommand):
    help = "Sentiment and themes for a JSON-lines file of comments (offline, no database)."
    requires_system_checks = []  # no database, no server: runs with DATABASE_URL pointing to nothing

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="JSON lines file, or - for stdin")
        parser.add_argument("--output", required=True, help="JSON lines file, or - for stdout")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, input, output, quiet=False, **options):
        try:
            source = sys.stdin if input == "-" else open(input, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {input}: {error.strerror}") from error
        try:
            target = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from error
        started = time.monotonic()
        done = skipped = 0
        batch: list[tuple[dict, str, str]] = []
        last_report = started

        def flush():
            nonlocal done
            results = analyze([(lang, text) for _row, lang, text in batch])
            for (row, _lang, _text), result in zip(batch, results, strict=True):
                target.write(json.dumps({**row, "sentiment": result.sentiment, "themes": list(result.themes)},
                                        ensure_ascii=False) + "\n")
            done += len(batch)
            batch.clear()

        try:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                parsed, problem = _parse(line)
                if problem:
                    skipped += 1
                    self.stderr.write(f"line {number}: {problem}; skipped")
                    continue
                batch.append(parsed)
                if len(batch) >= BATCH:
                    flush()
                    if not quiet and time.monotonic() - last_report >= 5:
                        last_report = time.monotonic()
                        rate = done / max(last_report - started, 1e-9)
                        self.stderr.write(f"{done} comments analysed ({rate:.0f}/s)")
            if batch:
                flush()
        finally:
            if target is not sys.stdout:
                target.close()
            else:
                target.flush()
            if source is not sys.stdin:
                source.close()
        if not quiet:
            self.stderr.write(f"{done} comments analysed, {skipped} lines skipped, "
                              f"{time.monotonic() - started:.1f} s, engine {engine_name()}")


def _parse(line: str) -> tuple[tuple[dict, str, str] | None, str | None]:
    """(the object as read, its language, its text), or the problem with the line."""
    try:
        row = json.loads(line)
    except ValueError as error:
        return None, f"not valid JSON ({error.msg})"
    if not isinstance(row, dict):
        return None, "not a JSON object"
    text, lang = row.get("text"), row.get("lang", "en")
    if not isinstance(text, str):
        return None, 'missing "text" (a string)'
    if not isinstance(lang, str):
        return None, '"lang" must be a string'
    lang = lang.split("-")[0].split("_")[0].lower()  # "da-DK" -> "da"
    return (row, lang if lang in LANGUAGES else "en", text), None
