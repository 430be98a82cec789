"""`manage.py comments_analyze`: a JSON-lines file in, the same objects with sentiment and
themes out, without any database or server; a malformed line is reported by number and skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin: str | None = None):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing", "REDIS_URL": "redis://127.0.0.1:1/0",
           "DJANGO_SETTINGS_MODULE": "nps_platform.settings.test"}
    return subprocess.run([sys.executable, "manage.py", "comments_analyze", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_file_in_file_out_with_a_malformed_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        json.dumps({"lang": "da", "text": "Pakken kom en uge for sent", "id": 7}),
        '{"lang": "fi", "text": "Toimitus kesti liian kauan"',  # no closing brace
        json.dumps({"lang": "fi", "text": "Toimitus kesti liian kauan"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"lang": "de"}),
        "",
        json.dumps({"lang": "sv", "text": "Mycket trevlig personal!"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    done = run("--input", str(source), "--output", str(target))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["text"] for row in rows] == ["Pakken kom en uge for sent", "Toimitus kesti liian kauan",
                                             "Mycket trevlig personal!"]
    assert rows[0] == {"lang": "da", "text": "Pakken kom en uge for sent", "id": 7, "sentiment": "negative",
                       "themes": ["delivery"]}
    assert rows[1]["sentiment"] == "negative" and rows[1]["themes"] == ["delivery"]
    assert rows[2]["sentiment"] == "positive" and rows[2]["themes"] == ["staff"]
    assert "line 2: not valid JSON" in done.stderr
    assert "line 4: not a JSON object" in done.stderr
    assert 'line 5: missing "text"' in done.stderr
    assert "3 comments analysed, 3 lines skipped" in done.stderr


def test_stdin_to_stdout_and_unknown_files():
    done = run("--input", "-", "--output", "-", "--quiet",
               stdin=json.dumps({"lang": "hr", "text": "Cijena je previsoka"}) + "\n")
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert (row["sentiment"], row["themes"]) == ("negative", ["price"])
    assert done.stderr == ""
    missing = run("--input", "/nonexistent/comments.jsonl", "--output", "-")
    assert missing.returncode != 0
    assert "cannot read /nonexistent/comments.jsonl" in missing.stderr
