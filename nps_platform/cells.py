"""One guard for every spreadsheet export (CSV and XLSX): a cell starting with = + - @, a tab, a
carriage return or a line feed runs as a formula in Excel, LibreOffice and Google Sheets, so
it gets a leading quote. Numbers pass as they are; characters an XLSX file cannot hold are dropped."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_cell(value):
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
