"""Rows for the response export, privacy rules included."""

from __future__ import annotations

HEADER = ["date", "survey", "score", "category", "comment", "language", "channel", "department", "employee",
          "contact email", "contact name"]


def safe_cell(value):
    """Cells starting with = + - @, a tab or a carriage return run as formulas in spreadsheets:
    prefix them with a quote. Numbers pass as they are; control characters (which Excel files
    cannot hold) are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


def export_rows(*, board):
    from surveys.models import SurveyKind

    from .comments import small_groups

    yield HEADER
    small = small_groups(board) if board.filters.kind == SurveyKind.ENPS else set()
    qs = board._responses(board.filters).select_related("survey", "department", "employee", "contact")
    for r in qs.order_by("created_at").iterator(chunk_size=2000):
        if (r.survey_id, r.department_id) in small:
            continue  # too few employees answered in this group to show any one answer
        anonymous = r.survey.is_anonymous
        show_employee = r.employee_id and (board.scope.see_employees or r.employee_id in board.scope.own_employee_ids)
        yield [
            r.created_at.astimezone(board.tz).strftime("%Y-%m-%d %H:%M") if not anonymous
            else r.created_at.astimezone(board.tz).strftime("%Y-%m-%d"),
            r.survey.name, r.score, r.category, r.comment, r.language, r.channel,
            r.department.name if r.department_id else "",
            r.employee.name if show_employee else "",
            "" if anonymous or r.contact is None else r.contact.email,
            "" if anonymous or r.contact is None else r.contact.name,
        ]
