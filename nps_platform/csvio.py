"""Reading CSV files as spreadsheets really write them: comma or semicolon separated, UTF-8
with or without BOM or Windows-1252, quoted fields with line breaks. Rows come with the line
number a person sees in their editor, so errors can name it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass


class CsvFormatError(ValueError):
    pass


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def csv_decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    candidates = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(candidates, key=candidates.get)
    return best if candidates[best] else ","


def csv_rows(data: bytes, *, required: set[str]) -> tuple[list[str], Iterator[CsvRow]]:
    """Header (normalised to lower case) and an iterator of rows keyed by header."""
    text = csv_decode(data)
    if not text.strip():
        raise CsvFormatError("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_sniff_delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise CsvFormatError(f"Line 1: {exc}") from exc
    missing = sorted(required - set(header))
    if missing:
        raise CsvFormatError(
            "Line 1: the header lacks the column(s) " + ", ".join(missing) + ". Found: " + ", ".join(header)
        )

    def rows() -> Iterator[CsvRow]:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CsvFormatError(f"Line {start}: {exc}") from exc
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                yield CsvRow(start, {"__error__": f"{len(values)} fields where the header has {len(header)}"})
                continue
            yield CsvRow(start, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)})

    return header, rows()
