"""The comment explorer: each comment with its score and context, under the privacy rules —
employees named only where the viewer may see them, and employee-survey comments only for
groups that reach the anonymity threshold."""

from __future__ import annotations

from collections import Counter

from surveys.models import SurveyKind


def small_groups(board) -> set[tuple[int, int | None]]:
    """(survey, department) groups of employee answers under the anonymity threshold."""
    threshold = board.organization.anonymity_threshold
    sizes = Counter(board._responses(board.filters).values_list("survey_id", "department_id"))
    return {group for group, n in sizes.items() if n < threshold}


def comments_for(*, board, q: str = "", category: str = "", language: str = "", employee: str = "") -> list:
    qs = board._responses(board.filters).exclude(comment="").select_related("survey", "department", "employee",
                                                                           "contact")
    if q.strip():
        qs = qs.filter(comment__icontains=q.strip())
    if category in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    if language:
        qs = qs.filter(language=language)
    if employee.isdigit() and board.scope.see_employees:
        qs = qs.filter(employee_id=employee)
    rows = list(qs.order_by("-created_at")[:2000])
    if board.filters.kind == SurveyKind.ENPS:
        small = small_groups(board)
        rows = [r for r in rows if (r.survey_id, r.department_id) not in small]
    for r in rows:
        r.show_employee = bool(r.employee_id) and (board.scope.see_employees
                                                   or r.employee_id in board.scope.own_employee_ids)
        r.show_contact = r.contact_id is not None and not r.survey.is_anonymous
    return rows
