"""The dashboard, breakdowns, the comment explorer and exports. Filters live in the URL."""

from __future__ import annotations

import csv
import io
import tempfile

from csp.decorators import csp_update
from django.contrib import messages
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from contacts.models import Segment
from followups.selectors import closed_loop_kpis
from nps_platform.nps_math import reading
from nps_platform.pagination import page_of
from nps_platform.tenancy import tenant_context
from organizations import access
from organizations.models import Department, Employee
from organizations.services import audit_record
from surveys.models import Survey

from . import answers, charts, selectors
from .comments import comment_details, comments_for
from .exports import export_rows, safe_cell
from .freshness import freshness
from .models import ReportSubscription
from .pdf import BREAKDOWNS, dashboard_pdf
from .reports import subscription_set


def _common(request, dashboard) -> dict:
    return {
        "filters": dashboard.filters, "query": dashboard.filters.query(),
        "surveys": Survey.objects.filter(archived_at=None).order_by("name"),
        "departments": Department.objects.order_by("name"), "segments": Segment.objects.order_by("name"),
        "raw": dashboard.raw,
    }


# Plotly places its own <style> rules (mode bar, legends); inline styles only, never scripts.
@csp_update({"style-src": ["'unsafe-inline'"]})
def dashboard(request, org_slug):
    actor = access.actor_of(request)
    board = selectors.dashboard_for(actor=actor, params=request.GET)
    headline = board.headline()
    trend = board.trend()
    sources = board.sources()
    context = {
        **_common(request, board), "board": board, "headline": headline, "reading": reading(headline["score"].nps),
        "trend": trend, "funnel": board.funnel(), "sources": sources,
        "has_answers": headline["score"].n > 0, "has_sources": charts.has_data(sources["rows"]),
        "by_department": board.department_tree(),
        "breakdowns": [(name, label, board.breakdown(name)) for name, label in BREAKDOWNS],
        "charts": {
            "trend": charts.trend_figure(trend, request.organization.nps_target, board.filters.every),
            "categories": charts.categories_figure(trend, board.filters.every),
            "distribution": charts.distribution_figure(board.distribution()),
            "sources": charts.sources_figure(sources["rows"]),
        },
    }
    if access.may_see_case_figures(actor) and not board.anonymous:
        # the same answers as the headline: its filters, its period, the reader's departments
        context["kpis"] = closed_loop_kpis(actor=actor, responses=board.responses(),
                                           detractors=headline["score"].detractors)
    if board.filters.kind == "cnps":
        context["economics"] = economy = selectors.economics(board)
        if economy:
            context["charts"]["quadrants"] = charts.quadrant_figure(economy["points"], economy["median"])
    context["freshness"] = freshness(board)
    context["answer_figures"] = figures = {"csat": answers.csat(board), "choices": answers.choices(board)}
    figures["hidden"] = figures["csat"]["hidden"] + figures["choices"]["hidden"]
    if any(row["trend"] for row in figures["csat"]["rows"]):
        context["charts"]["csat_trend"] = charts.csat_trend_figure(figures["csat"]["rows"], board.filters.every)
    context["enps_beside"] = selectors.enps_beside_cnps(actor=actor, params=request.GET, board=board)
    context["subscription"] = ReportSubscription.objects.filter(user=request.user).first()
    return render(request, "dashboards/dashboard.html", context)


@require_POST
def report_subscribe(request, org_slug):
    """Any member may have their current view emailed to themselves, weekly or monthly."""
    query = request.POST.get("query", "")
    subscription = subscription_set(organization=request.organization, user=request.user,
                                    every=request.POST.get("every", ""), query=query)
    messages.success(request, _("You will get this view by email: %(every)s.")
                     % {"every": subscription.get_every_display()} if subscription
                     else _("No more report emails."))
    return redirect(reverse("dashboard", kwargs={"org_slug": org_slug}) + "?" + query)


def comments(request, org_slug):
    board = selectors.dashboard_for(actor=access.actor_of(request), params=request.GET)
    filters = {k: request.GET.get(k, "") for k in ("q", "category", "language", "employee")}
    rows = comments_for(board=board, params=request.GET, **filters)
    visible = access.visible_employee_ids(board.actor)
    employees = Employee.objects.order_by("name")
    employees = employees if visible is None else employees.filter(pk__in=visible)
    rows = page_of(request, rows)
    for details in comment_details:
        details(rows.object_list)
    return render(request, "dashboards/comments.html", {
        **_common(request, board), "rows": rows, "page_obj": rows, "total": rows.paginator.count,
        "comment_filters": filters,
        "employees": employees,
    })


XLSX_MAX_ANSWERS = 100_000  # 151 s to build at 2 000 000 answers here (docs/performance.md); Excel: 1 048 575


def export(request, org_slug, fmt):
    """The filtered responses as CSV or XLSX; cells that a spreadsheet would run as formulas are
    neutralised. Personal data follows the same privacy rules as the pages."""
    board = selectors.dashboard_for(actor=access.actor_of(request), params=request.GET)
    organization = request.organization
    audit_record(organization=organization, actor=request.user, action="responses.exported",
                 summary=f"{fmt.upper()} export: {board.filters.query()}", data={"query": board.filters.query()})
    stamp = f"{timezone.now():%Y-%m-%d}"
    if fmt == "xlsx":
        # A workbook is built whole before its first byte can leave, so it holds at most
        # XLSX_MAX_ANSWERS rows (written row by row to a temporary file: memory stays flat); past
        # that its last row says so and points to the CSV, which streams every answer.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Responses")
        for number, row in enumerate(export_rows(board=board)):
            if number > XLSX_MAX_ANSWERS:
                first = f"{XLSX_MAX_ANSWERS:,}".replace(",", " ")
                sheet.append([_("Only the first %(count)s answers fit in this file; the CSV export has all of them.")
                              % {"count": first}])
                break
            sheet.append([safe_cell(v) for v in row])
        file = tempfile.TemporaryFile()  # FileResponse closes it when sent, which deletes it
        workbook.save(file)
        file.seek(0)
        return FileResponse(file, as_attachment=True, filename=f"responses-{stamp}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    language = translation.get_language()

    def stream():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        yield "\ufeff"
        # the body streams after the view has returned: its tenant and language go with it
        with tenant_context(organization), translation.override(language):
            for row in export_rows(board=board):
                writer.writerow([safe_cell(v) for v in row])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="responses-{stamp}.csv"'
    return response


def export_pdf(request, org_slug):
    """The dashboard view (its filters, headline, trend, breakdowns) as a PDF, read for the same
    reader as the page."""
    board = selectors.dashboard_for(actor=access.actor_of(request), params=request.GET)
    audit_record(organization=request.organization, actor=request.user, action="dashboard.exported",
                 summary=f"PDF export: {board.filters.query()}", data={"query": board.filters.query()})
    response = HttpResponse(dashboard_pdf(board=board), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{timezone.now():%Y-%m-%d}.pdf"'
    return response



