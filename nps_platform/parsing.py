"""Text from outside — query strings, form fields, URL parts, tokens, cookies, JSON bodies — into
ids, bounded numbers and dates. Every parser answers None (or the caller's default) for anything
it does not read, never raises: "²" passes str.isdigit() and fails int(), "٣" is a digit too, a
NUL byte is refused by PostgreSQL, 0001-01-01 overflows the first timedelta subtracted from it,
and an id past bigint fails in the database. One place for all of it, so odd input is "not
given" (or a form error) instead of a 500."""

from __future__ import annotations

import datetime as dt
import re

MAX_ID = 2**63 - 1  # PostgreSQL's bigint
YEARS = (1900, 2200)  # dates outside these are nobody's answer, and overflow date arithmetic
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")  # ASCII digits only


def parse_int(value, lo: int, hi: int, default: int | None = None) -> int | None:
    """`value` (text or a number) as an int within lo..hi, else `default`."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return default
        number = int(text)
    else:
        return default
    return number if lo <= number <= hi else default


def parse_id(value) -> int | None:
    """A row id: a positive integer that fits PostgreSQL's bigint."""
    return parse_int(value, 1, MAX_ID)


def parse_ids(values) -> list[int]:
    """The ids among `values` (a list, or one comma-separated text), the rest left out."""
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, list | tuple):
        return []
    return [i for i in (parse_id(v) for v in values) if i is not None]


def parse_date(value) -> dt.date | None:
    """An ISO date (2025-03-31) within YEARS."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value if YEARS[0] <= value.year <= YEARS[1] else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) != 10 or not text.isascii():
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if YEARS[0] <= day.year <= YEARS[1] else None


def parse_datetime(value) -> dt.datetime | None:
    """An ISO date-time (a date alone is its midnight) within YEARS; naive ones are UTC."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not 10 <= len(text) <= 40 or not text.isascii():
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_token_head(raw) -> int | None:
    """The organization id a link or key token (`<organization id>.<secret>`) starts with."""
    if not isinstance(raw, str):
        return None
    head, dot, _secret = raw.partition(".")
    return parse_id(head) if dot and head == head.strip() else None


def clean_text(value, limit: int = 1000) -> str:
    """A filter's text: NUL bytes (which PostgreSQL refuses) removed, at most `limit` characters."""
    return str(value).replace("\x00", "")[:limit] if value is not None else ""
