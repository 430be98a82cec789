"""Rows for the response export, privacy rules included."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from nps_platform.cells import spreadsheet_cell
from nps_platform.nps_math import score_from_histogram
from organizations import access
from organizations.models import Department
from surveys.models import Survey

from .answers import export_cells, export_columns

HEADER = [gettext_lazy("date"), gettext_lazy("survey"), gettext_lazy("score"), gettext_lazy("category"),
          gettext_lazy("comment"), gettext_lazy("language"), gettext_lazy("channel"), gettext_lazy("department"),
          gettext_lazy("employee"), gettext_lazy("contact email"), gettext_lazy("contact name")]
# Employee answers leave the product only as figures of anonymity units, never one by one.
ANONYMOUS_HEADER = [gettext_lazy("week"), gettext_lazy("survey"), gettext_lazy("department"), "n",
                    gettext_lazy("promoters"), gettext_lazy("passives"), gettext_lazy("detractors"), "eNPS"]


safe_cell = spreadsheet_cell  # the one formula guard every export uses (nps_platform.cells)


def export_rows(*, board):
    """The export's rows, header first: each answer the actor may see one by one, or — for
    employee answers — one row per anonymity unit and week."""
    if board.anonymous:
        yield [str(h) for h in ANONYMOUS_HEADER]
        surveys = dict(Survey.objects.values_list("pk", "name"))
        departments = dict(Department.objects.values_list("pk", "name"))
        for survey_id, week, root, histogram in sorted(board._units(board.filters), key=lambda u: (u[1], u[0])):
            score = score_from_histogram(histogram)
            yield [week.isoformat(), surveys.get(survey_id, ""), departments.get(root, "") if root else "",
                   score.n, score.promoters, score.passives, score.detractors, score.nps]
        return
    keys, by_version, question_header = export_columns(board)  # one column per question after the score
    language = board.organization.default_language
    yield [str(h) for h in HEADER] + question_header
    people = access.may_see_people(board.actor)
    employees = access.visible_employee_ids(board.actor)
    qs = access.answer_rows(board.actor, board.responses()).select_related("survey", "department", "employee",
                                                                           "contact")
    for r in qs.order_by("created_at").iterator(chunk_size=2000):
        show_employee = r.employee_id and (employees is None or r.employee_id in employees)
        yield [
            r.created_at.astimezone(board.tz).strftime("%Y-%m-%d %H:%M"),
            r.survey.name, r.score, r.category, r.comment, r.language, r.channel,
            r.department.name if r.department_id else "",
            r.employee.name if show_employee else "",
            r.contact.email if people and r.contact is not None else "",
            r.contact.name if people and r.contact is not None else "",
            *export_cells(r, keys, by_version, language),
        ]
