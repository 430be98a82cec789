"""Values as spreadsheets in the Nordics write them: numbers like `1.234,56` or `1 234,56`,
dates like `31-12-2025` or `31.12.2025`, languages by code or by name."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

LANGUAGE_ALIASES = {
    "en": "en", "english": "en", "engelsk": "en", "englisch": "en",
    "da": "da", "dk": "da", "dansk": "da", "danish": "da", "dänisch": "da",
    "sv": "sv", "se": "sv", "svenska": "sv", "swedish": "sv", "svensk": "sv", "schwedisch": "sv",
    "nb": "nb", "no": "nb", "nn": "nb", "norsk": "nb", "norwegian": "nb", "bokmål": "nb", "norsk bokmål": "nb",
    "fi": "fi", "suomi": "fi", "finnish": "fi", "finsk": "fi",
    "hr": "hr", "hrvatski": "hr", "croatian": "hr", "kroatisk": "hr",
    "de": "de", "deutsch": "de", "german": "de", "tysk": "de",
}


class ValueProblem(ValueError):
    pass


def parse_language(value: str) -> str:
    code = LANGUAGE_ALIASES.get(value.strip().lower().split("-")[0] if len(value) <= 5 else value.strip().lower())
    if code is None:
        raise ValueProblem(f"unknown language “{value}” (use da, sv, nb, fi, hr, de or en)")
    return code


def parse_decimal(value) -> Decimal:
    """`1.234,56`, `1 234,56`, `1,234.56`, `1234.5` and `1234` all read as numbers. With only
    commas, the comma is the decimal mark (the Nordic way); with only dots, several dots or one
    dot before exactly three digits are thousands separators."""
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    original = str(value).strip()
    text = re.sub(r"[\s\u00a0\u202f']", "", original)
    text = re.sub(r"^(?:[A-Za-z]{3}|kr\.?|€|\$|£)|(?:[A-Za-z]{3}|kr\.?|,-|€|\$|£)$", "", text, flags=re.I)
    if not re.search(r"\d", text):
        raise ValueProblem(f"“{original}” is not a number" if original else "empty number")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueProblem(f"“{value}” is not a number")
        text = text.replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"“{value}” is not a number")


def parse_date(value) -> dt.date:
    """Day first (`31-12-2025`, `31.12.2025`, `31/12/25`) or ISO (`2025-12-31`); spreadsheet
    date cells as they are."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", text):
        y, mo, d = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})", text):
        d, mo, y = (int(g) for g in m.groups())
        if y < 100:
            y += 2000
    else:
        raise ValueProblem(f"“{value}” is not a date (write 31-12-2025 or 2025-12-31)")
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValueProblem(f"“{value}” is not a date")
