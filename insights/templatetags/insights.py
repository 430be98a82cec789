"""Comment insights on other stages' pages (those stages do not import this one): the
explorer's filters, a comment's sentiment and themes, the dashboard's sentiment card, and the
top themes of the digest and report emails. Each reads only what the page already decided
the reader may see (its rows, its `Dashboard`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import timezone

from dashboards.selectors import Dashboard, Filters
from nps_platform.tenancy import tenant_context
from organizations import access

from ..hooks import explorer_details
from ..models import Sentiment, Theme
from ..selectors import analysis_of, sentiment_summary, top_themes

register = template.Library()


@register.simple_tag
def insights_annotate(rows) -> str:
    """Sets `insight` on each of the page's rows (one pair of queries for the page)."""
    explorer_details(list(rows))
    return ""


@register.inclusion_tag("insights/_badges.html")
def insight_badges(insight):
    return {"insight": insight}


@register.inclusion_tag("insights/_explorer_filters.html", takes_context=True)
def insight_filters(context):
    request = context["request"]
    return {"themes": Theme.objects.filter(active=True).order_by("name"), "sentiments": Sentiment.choices,
            "theme": request.GET.get("theme", ""), "sentiment": request.GET.get("sentiment", "")}


@register.inclusion_tag("insights/_sentiment_card.html", takes_context=True)
def sentiment_card(context, board):
    return {"summary": sentiment_summary(board), "query": board.filters.query(),
            "organization": board.organization}


@register.simple_tag
def report_top_themes(board, limit: int = 5) -> list:
    return top_themes(board, limit)


@register.simple_tag
def digest_top_themes(organization, department, since, limit: int = 5) -> list:
    """The digest's reader (a department's customer-facing staff) over its last seven days of
    customer answers."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    since = since or timezone.now() - dt.timedelta(days=7)
    start, end = since.astimezone(tz).date(), (since + dt.timedelta(days=7)).astimezone(tz).date()
    with tenant_context(organization):  # an email may be rendered outside a request's tenant
        board = Dashboard(organization=organization, filters=Filters(start=start, end=end, kind="cnps"),
                          actor=access.actor_for_digest(organization, {department.pk}))
        return top_themes(board, limit)


@register.inclusion_tag("insights/_badges.html")
def response_insight(response):
    """A response's sentiment and themes (on a page that already shows that response)."""
    return {"insight": analysis_of(response)}
