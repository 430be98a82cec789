"""The dashboard view as a PDF (WeasyPrint): its filters, the headline with its margin, the trend,
the breakdowns and the answers after the score, built from the same `Dashboard` (so the same
reader's scope and anonymity rules) as the page. WeasyPrint runs no JavaScript: charts are
tables and small SVG drawn here on the server. Nothing is fetched while rendering."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Segment
from nps_platform.nps_math import reading
from organizations.models import Department
from surveys.models import Survey

from . import answers

# the breakdowns the page shows, in its order
BREAKDOWNS = (("survey", gettext_lazy("Survey")), ("channel", gettext_lazy("Channel")),
              ("language", gettext_lazy("Language")), ("region", gettext_lazy("Region")),
              ("product", gettext_lazy("Product")), ("employee", gettext_lazy("Employee")))
SVG_WIDTH, SVG_HEIGHT, SVG_PAD = 640, 200, 30


def filter_lines(board) -> list[tuple[str, str]]:
    """(name, value) of each filter of the view, in words."""
    f = board.filters
    lines = [(_("Period"), f"{f.start:%d.%m.%Y} – {f.end:%d.%m.%Y}"),
             (_("Answers"), _("Employees (eNPS)") if board.anonymous else _("Customers (NPS)"))]
    if f.survey_id:
        lines.append((_("Survey"), Survey.objects.filter(pk=f.survey_id).values_list("name", flat=True).first()
                      or "—"))
    if f.department_id:
        lines.append((_("Department"), Department.objects.filter(pk=f.department_id)
                      .values_list("name", flat=True).first() or "—"))
    if f.segment_id:
        lines.append((_("Segment"), Segment.objects.filter(pk=f.segment_id).values_list("name", flat=True).first()
                      or "—"))
    lines.append((_("Trend by"), _("month") if f.every == "month" else _("week")))
    return lines


def trend_svg(trend: list[dict]) -> dict | None:
    """A line of the NPS per bucket on a −100…100 scale, as SVG coordinates."""
    points = [(row["bucket"], row["score"].nps) for row in trend if row["score"].nps is not None]
    if not points:
        return None
    inner_w, inner_h = SVG_WIDTH - 2 * SVG_PAD, SVG_HEIGHT - 2 * SVG_PAD
    step = inner_w / max(len(points) - 1, 1)

    def y(value):
        return round(SVG_PAD + (100 - value) / 200 * inner_h, 1)

    coords = [(round(SVG_PAD + i * step, 1), y(value), bucket, value) for i, (bucket, value) in enumerate(points)]
    return {"width": SVG_WIDTH, "height": SVG_HEIGHT, "left": SVG_PAD, "right": SVG_WIDTH - SVG_PAD,
            "zero": y(0), "top": y(100), "bottom": y(-100),
            "polyline": " ".join(f"{x},{yy}" for x, yy, _b, _v in coords),
            "points": [{"x": x, "y": yy, "label": f"{b:%d.%m.}", "value": v} for x, yy, b, v in coords]}


def pdf_context(board) -> dict:
    headline = board.headline()
    trend = board.trend()
    return {
        "organization": board.organization, "board": board, "filters": filter_lines(board), "headline": headline,
        "reading": reading(headline["score"].nps), "trend": trend, "trend_svg": trend_svg(trend),
        "by_department": board.department_tree(),
        "breakdowns": [(label, rows) for name, label in BREAKDOWNS if (rows := board.breakdown(name))],
        "csat": answers.csat(board), "choices": answers.choices(board),
        "generated": timezone.now().astimezone(board.tz),
    }


def dashboard_pdf(*, board, language: str | None = None) -> bytes:
    """The view as PDF bytes, its words in `language` (else the active one)."""
    # imported here, not with the module: WeasyPrint loads Pango and HarfBuzz (about a second),
    # which every process that imports the dashboards would otherwise pay for no PDF
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(language or translation.get_language()):
        html = render_to_string("dashboards/pdf.html", pdf_context(board))
    # no protocol allowed: a name or comment in the page can never make the renderer fetch a URL
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
