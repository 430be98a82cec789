"""Reading CSV files as spreadsheets really write them: comma, semicolon or tab separated; UTF-8
with or without BOM, UTF-16 (Excel's "Unicode text") or Windows-1252; CRLF, LF or CR line
endings; quoted fields with line breaks. Rows come with the line number a person sees in their
editor, so errors can name it, and one bad line never costs the others."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_COLUMNS = 200  # a file with more columns cannot be mapped (one select per column) and is refused


class CsvFormatError(ValueError):
    pass


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


def _looks_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for UTF-16 text without a byte order mark (ASCII-heavy text has a
    NUL in every other byte), else None."""
    sample = head[:2000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def csv_decode(data: bytes) -> str:
    """The text of a file as spreadsheets save it: UTF-8 (with or without BOM), UTF-16 LE/BE with
    a BOM (Excel's "Unicode text") or without one, else Windows-1252 (Latin-1 for the bytes
    1252 leaves undefined). A UTF-8 file with a few broken bytes stays UTF-8: the broken
    characters become U+FFFD and their lines are reported (csv_table)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    utf16 = _looks_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 127 and ch != "\ufffd") > 4 * broken:
        return lenient  # mostly good UTF-8
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def csv_sniff_delimiter(text: str) -> str:
    header = _LINE.match(text).group(0) if text else ""
    candidates = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(candidates, key=candidates.get)
    return best if candidates[best] else ","


# One physical line with its ending: CRLF, LF or CR alone (old Mac and some exports), mixed too.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _physical_lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _line_problem(values: list[str]) -> str | None:
    joined = "".join(values)
    if "\x00" in joined:
        return _("the line holds a NUL character (a damaged or binary file?); the line is skipped")
    if "\ufffd" in joined:
        return _("the line holds bytes that are not text in the file's encoding (UTF-8); the line is skipped")
    return None


def _quote_unclosed(lines: list[str], delimiter: str) -> bool:
    """True when these lines, read as one record, end inside a quoted value."""
    try:
        for _ in csv.reader(iter(lines), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _swallows_rows(lines: list[str], delimiter: str, width: int) -> bool:
    """A record over several lines whose inner lines look like rows of their own (as many
    delimiters as the header): a quote that should have closed on its first line."""
    if width < 2:
        return False
    return any(line.count(delimiter) >= width - 1 for line in lines[1:])


def _records(lines: list[str], delimiter: str, start: int, width: int) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line number, values or None, problem) for each record from lines[start:]. A
    record the csv module cannot read, or a quote that never closes (at the end of the file, or
    running over lines that look like rows), is reported on its first line and reading goes on
    from the line after it: the rows after a stray quote are read, not merged into it."""
    index = start
    while index < len(lines):
        reader = csv.reader(iter(lines[index:]), delimiter=delimiter)
        base = index
        while True:
            first = base + reader.line_num + 1  # the 1-based line number of the record's first line
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield first, None, _("%(error)s; the line is skipped") % {"error": exc}
                index = first
                break
            last = base + reader.line_num
            span = lines[first - 1:last]
            if ((last == len(lines) and _quote_unclosed(span, delimiter))
                    or (last > first and _swallows_rows(span, delimiter, width))):
                if last == first:
                    yield first, None, _("a quote opened on this line is not closed; the line is skipped")
                else:
                    yield first, None, _("a quote opened on this line is not closed (the value ran over lines "
                                         "%(first)s–%(last)s); the line is skipped and the lines after it are "
                                         "read") % {"first": first, "last": last}
                index = first
                break
            yield first, values, ""
        else:  # pragma: no cover - the inner loop always returns or breaks
            return


def csv_table(data: bytes) -> tuple[list[str], Iterator[CsvRow]]:
    """The header as written and an iterator of rows keyed by it. A row with a problem (a NUL,
    undecodable bytes, more fields than the header, an unclosed quote, anything the csv module
    refuses) comes as {"__error__": reason} on its line; only a file that cannot be read at all
    (empty, no header, more than MAX_COLUMNS columns) raises CsvFormatError."""
    text = csv_decode(data)
    if not text.strip():
        raise CsvFormatError("The file is empty.")
    lines = _physical_lines(text)
    delimiter = csv_sniff_delimiter(text)
    header_reader = csv.reader(iter(lines), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(header_reader)]
    except (csv.Error, StopIteration) as exc:
        raise CsvFormatError(_("Line 1: the header cannot be read (%(error)s).") % {"error": exc}) from exc
    problem = _line_problem(header)
    if problem or (header_reader.line_num > 1 and _quote_unclosed(lines[:header_reader.line_num], delimiter)):
        raise CsvFormatError(_("Line 1: the header cannot be read (%(error)s).")
                             % {"error": problem or _("a quote is not closed")})
    if len(header) > MAX_COLUMNS:
        raise CsvFormatError(_("Line 1: the file has %(count)s columns; at most %(max)s can be imported. Save a "
                               "copy with only the columns you need and upload that.")
                             % {"count": f"{len(header):,}".replace(",", " "), "max": MAX_COLUMNS})
    width = len(header)

    def rows() -> Iterator[CsvRow]:
        for line, values, problem in _records(lines, delimiter, header_reader.line_num, width):
            if values is None:
                yield CsvRow(line, {"__error__": problem})
                continue
            if not any(v.strip() for v in values):
                continue
            problem = _line_problem(values)
            if problem:
                yield CsvRow(line, {"__error__": problem})
            elif len(values) > width:
                yield CsvRow(line, {"__error__": f"{len(values)} fields where the header has {width}"})
            else:
                yield CsvRow(line, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)})

    return header, rows()


def csv_rows(data: bytes, *, required: set[str]) -> tuple[list[str], Iterator[CsvRow]]:
    """Header (normalised to lower case) and an iterator of rows keyed by it (see csv_table)."""
    original, rows = csv_table(data)
    header = [h.lower() for h in original]
    missing = sorted(required - set(header))
    if missing:
        raise CsvFormatError(
            "Line 1: the header lacks the column(s) " + ", ".join(missing) + ". Found: " + ", ".join(header)
        )

    def lowered() -> Iterator[CsvRow]:
        for row in rows:
            if "__error__" in row.values:
                yield row
            else:
                yield CsvRow(row.line, {h.lower(): v for h, v in row.values.items()})

    return header, lowered()
