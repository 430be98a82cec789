"""The comment explorer: each comment with its score and context, read through
`organizations.access` — the person behind a comment only for those who may see people,
employees named only where the viewer may see them, and an employee-survey comment only from an
anonymity unit the reader may see, shown with the unit's department and week, never its own
smaller group or its exact day."""

from __future__ import annotations

from organizations import access
from organizations.models import Department

LIMIT = 2000

# Later stages (the comment insights) add the explorer's filters and each comment's details
# here, so that this stage need not import them: filter(qs, params) -> qs; details(rows) -> None.
comment_filters: list = []
comment_details: list = []


def comments_for(*, board, q: str = "", category: str = "", language: str = "", employee: str = "",
                 params=None) -> list | Newest:
    qs = board.responses().exclude(comment="").select_related("survey", "department", "employee", "contact")
    for narrow in comment_filters:
        qs = narrow(qs, params or {})
    if q.strip():
        qs = qs.filter(comment__icontains=q.strip())
    if category in ("promoter", "passive", "detractor"):
        qs = qs.filter(category=category)
    if language:
        qs = qs.filter(language=language[:8])
    visible_employees = access.visible_employee_ids(board.actor)
    if employee.isascii() and employee.isdigit() and len(employee) < 19 and (
            visible_employees is None or int(employee) in visible_employees):
        qs = qs.filter(employee_id=employee)
    people = access.may_see_people(board.actor)
    if board.anonymous:
        names = {d.pk: d for d in Department.objects.all()}
        kept = []
        for r in qs.order_by("-created_at")[:LIMIT]:
            root = board.unit_of(r)
            if root == access.HIDDEN:
                continue  # from a group too small to show any of its words
            r.shown_department = names.get(root) if root is not None else None
            r.shown_week = access.week_start(r.created_at.astimezone(board.tz).date())
            r.show_employee = r.show_contact = False
            kept.append(r)
        return kept

    def decorate(rows):
        for r in rows:
            r.shown_department, r.shown_week = r.department, None
            r.show_employee = bool(r.employee_id) and (
                visible_employees is None or r.employee_id in visible_employees)
            r.show_contact = people and r.contact_id is not None

    return Newest(qs.order_by("-created_at", "-pk"), decorate)


class Newest:
    """Customer comments, newest first, at most LIMIT: a sequence the paginator counts (one
    COUNT over at most LIMIT rows) and slices (one query per page: only the page's rows are
    read, joined and made into objects, not the LIMIT of them)."""

    def __init__(self, qs, decorate):
        self.qs, self.decorate, self._count = qs, decorate, None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs[:LIMIT].count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            rows = self[index:index + 1] if index >= 0 else self[index:][:1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, step = index.indices(self.count())
        rows = list(self.qs[start:stop]) if stop > start else []
        self.decorate(rows)
        return rows[::step]

    def __iter__(self):
        return iter(self[:])
