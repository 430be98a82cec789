"""One formula guard for every export (issue 15.10): contacts CSV and the dashboard's CSV/XLSX
use the same function, and a leading line feed is guarded like = + - @, tab and CR."""

from contacts.selectors import _safe
from dashboards.exports import safe_cell
from nps_platform.cells import spreadsheet_cell


def test_every_export_uses_the_one_guard():
    assert safe_cell is spreadsheet_cell
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "\n=1+1"):
        assert spreadsheet_cell(text) == "'" + text
        assert _safe(text) == "'" + text
    assert spreadsheet_cell("fine = fine") == "fine = fine" and spreadsheet_cell(12) == 12
    assert _safe(None) == "" and spreadsheet_cell(None) == ""
