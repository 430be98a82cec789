"""Plotly figures as plain data; the page's script draws them (CSP: no inline code). A chart
with nothing to show is not drawn: the page says so in a sentence instead (`has_data`)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, gettext_lazy

from nps_platform.nps_math import LOW_SAMPLE

DAY_MS = 86_400_000

COLORS = {"promoter": "#1e7b3c", "passive": "#8a8a90", "detractor": "#b00020", "line": "#1f4e79"}


def has_data(trend_or_rows) -> bool:
    return any(row["score"].n for row in trend_or_rows)


def date_axis(buckets: list[dt.date], every: str) -> dict:
    """A date axis ticking once per bucket (week or month), whatever the number of points: one
    week of data is one labelled tick, not a zoom into milliseconds."""
    monthly = every == "month"
    # Numbers only (Plotly's month names would be English on every page): ISO week numbers, weeks
    # from Monday, the word for "week" in the reader's language.
    week = gettext("Week")
    axis = {"type": "date", "tickformat": "%m.%Y" if monthly else f"{week} %V",
            "dtick": "M1" if monthly else 7 * DAY_MS,
            "hoverformat": "%m.%Y" if monthly else f"{week} %V (%d.%m.%Y)"}
    if buckets:
        pad = dt.timedelta(days=16 if monthly else 4)
        axis["range"] = [(min(buckets) - pad).isoformat(), (max(buckets) + pad).isoformat()]
    if not monthly and buckets:
        axis["tick0"] = min(buckets).isoformat()
    return axis


def _band(score, sign: int):
    # Below LOW_SAMPLE answers the margin is too wide to mean anything (±138 for n = 2): no band.
    if score.nps is None or score.margin is None or score.n < LOW_SAMPLE:
        return None
    return max(-100, min(100, score.exact + sign * score.margin))


CATEGORY_NAMES = {"detractor": gettext_lazy("Detractors"), "passive": gettext_lazy("Passives"),
                  "promoter": gettext_lazy("Promoters")}


def category_name(category: str) -> str:
    return str(CATEGORY_NAMES[category])


def trend_figure(trend: list[dict], target: int | None, every: str = "week") -> dict:
    xs = [row["bucket"].isoformat() for row in trend]
    values = [row["score"].nps for row in trend]
    upper = [_band(row["score"], 1) for row in trend]
    lower = [_band(row["score"], -1) for row in trend]
    data = [
        {"x": xs, "y": upper, "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
         "type": "scatter"},
        {"x": xs, "y": lower, "mode": "lines", "fill": "tonexty", "fillcolor": "rgba(31,78,121,0.15)",
         "line": {"width": 0}, "name": gettext("95 % margin"), "type": "scatter"},
        {"x": xs, "y": values, "mode": "lines+markers", "name": "NPS", "line": {"color": COLORS["line"]},
         "type": "scatter", "customdata": [row["score"].n for row in trend],
         "hovertemplate": "%{x}: NPS %{y} (n=%{customdata})<extra></extra>"},
    ]
    layout = {"xaxis": date_axis([row["bucket"] for row in trend], every),
              "yaxis": {"range": [-100, 100], "title": {"text": "NPS"}}, "margin": {"t": 10, "r": 10},
              "height": 320, "legend": {"orientation": "h"}}
    if target is not None:
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": target, "y1": target,
                             "line": {"dash": "dot", "color": "#5c4400"}}]
    return {"data": data, "layout": layout}


def categories_figure(trend: list[dict], every: str = "week") -> dict:
    xs = [row["bucket"].isoformat() for row in trend]

    def share(row, name):
        score = row["score"]
        return round(100 * getattr(score, name) / score.n, 1) if score.n else None

    data = [{"x": xs, "y": [share(r, f"{c}s") for r in trend], "name": category_name(c), "type": "bar",
             "marker": {"color": COLORS[c]}} for c in ("detractor", "passive", "promoter")]
    return {"data": data, "layout": {"barmode": "stack", "yaxis": {"range": [0, 100], "title": {"text": "%"}},
                                     "xaxis": date_axis([row["bucket"] for row in trend], every),
                                     "margin": {"t": 10, "r": 10}, "height": 300, "legend": {"orientation": "h"}}}


def distribution_figure(histogram: list[int]) -> dict:
    colors = [COLORS["detractor"]] * 7 + [COLORS["passive"]] * 2 + [COLORS["promoter"]] * 2
    return {"data": [{"x": list(range(11)), "y": histogram, "type": "bar", "marker": {"color": colors},
                      "hovertemplate": "%{x}: %{y}<extra></extra>"}],
            "layout": {"xaxis": {"dtick": 1, "title": {"text": gettext("Score")}},
                       "yaxis": {"title": {"text": gettext("Answers")}},
                       "margin": {"t": 10, "r": 10}, "height": 280}}


def sources_figure(rows: list[dict]) -> dict:
    labels = [r["label"] for r in rows]
    data = [{"y": labels, "x": [getattr(r["score"], f"{c}s") for r in rows], "name": category_name(c),
             "type": "bar", "orientation": "h", "marker": {"color": COLORS[c]}}
            for c in ("detractor", "passive", "promoter")]
    return {"data": data, "layout": {"barmode": "stack", "margin": {"t": 10, "r": 10, "l": 140},
                                     "height": 60 + 40 * max(len(rows), 1), "legend": {"orientation": "h"}}}


def quadrant_figure(points: list[dict], median: float) -> dict:
    data = [{"x": [p["score"] for p in points if p["category"] == c],
             "y": [p["revenue"] for p in points if p["category"] == c],
             "text": [p["label"] for p in points if p["category"] == c], "mode": "markers", "type": "scatter",
             "name": category_name(c), "marker": {"color": COLORS[c], "size": 9, "opacity": 0.8},
             "hovertemplate": "%{text}: %{x} · %{y:,.0f}<extra></extra>"} for c in ("detractor", "passive", "promoter")]
    layout = {"xaxis": {"range": [-0.5, 10.5], "dtick": 1, "title": {"text": gettext("Score")}},
              "yaxis": {"title": {"text": gettext("Revenue, last 12 months")}, "type": "log"},
              "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": median, "y1": median,
                          "line": {"dash": "dot", "color": "#4a4a4f"}}],
              "margin": {"t": 10, "r": 10}, "height": 360, "legend": {"orientation": "h"}}
    return {"data": data, "layout": layout}


def csat_trend_figure(rows: list[dict], every: str = "week") -> dict:
    """The mean CSAT (1–5) of each touchpoint per week (or month)."""
    data = [{"x": [t["bucket"].isoformat() for t in row["trend"]], "y": [t["mean"] for t in row["trend"]],
             "customdata": [t["n"] for t in row["trend"]], "mode": "lines+markers", "type": "scatter",
             "name": row["label"], "hovertemplate": "%{x}: %{y} (n=%{customdata})<extra></extra>"} for row in rows]
    buckets = [t["bucket"] for row in rows for t in row["trend"]]
    return {"data": data, "layout": {"xaxis": date_axis(sorted(set(buckets)), every),
                                     "yaxis": {"range": [1, 5.2], "dtick": 1, "title": {"text": "CSAT"}},
                                     "margin": {"t": 10, "r": 10}, "height": 280, "legend": {"orientation": "h"}}}
