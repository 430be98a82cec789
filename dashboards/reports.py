"""Scheduled report emails: each subscriber gets their saved dashboard view for the week or
month just ended, on Monday (or the 1st) from 08:00 in the organization's time zone. The
claim is one UPDATE on `last_sent_on`, so two beats or a repeated task send once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse

from nps_platform.mail import email_message_render
from nps_platform.nps_math import reading
from nps_platform.periodic import unit
from organizations import access
from organizations.i18n import language_for
from organizations.models import Membership, Organization

from .models import ReportSubscription
from .pdf import dashboard_pdf
from .selectors import Dashboard, filters_from


def _period(every: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    if every == ReportSubscription.Every.WEEK and today.weekday() == 0:
        return today - dt.timedelta(days=7), today - dt.timedelta(days=1)
    if every == ReportSubscription.Every.MONTH and today.day == 1:
        end = today - dt.timedelta(days=1)
        return end.replace(day=1), end
    return None


def reports_send_due(*, organization: Organization, now: dt.datetime) -> int:
    local = now.astimezone(zoneinfo.ZoneInfo(organization.time_zone))
    if local.hour < 8:
        return 0
    today = local.date()
    sent = 0
    for subscription in ReportSubscription.objects.select_related("user"):
        with unit("report subscription", subscription.pk):
            sent += _report_send(organization=organization, subscription=subscription, today=today)
    return sent


def _report_send(*, organization: Organization, subscription: ReportSubscription, today: dt.date) -> int:
    """One subscriber's report (0 or 1 sent). A failure (a saved view that no longer reads) is
    logged by `periodic.unit` and the other subscribers go on; the day's claim stays taken, so a
    broken subscription does not fail again every hour."""
    period = _period(subscription.every, today)
    membership = Membership.objects.filter(user=subscription.user).select_related("organization").first()
    if period is None or membership is None or not subscription.user.is_active:
        return 0
    claimed = ReportSubscription.objects.filter(pk=subscription.pk).exclude(last_sent_on=today).update(
        last_sent_on=today)
    if not claimed:
        return 0  # sent already today
    params = QueryDict(subscription.query, mutable=True)
    params["from"], params["to"] = period[0].isoformat(), period[1].isoformat()
    board = Dashboard(organization=organization, filters=filters_from(params, organization=organization),
                      actor=access.actor_for(membership))
    headline = board.headline()
    link = settings.SITE_URL.rstrip("/") + reverse("dashboard", kwargs={"org_slug": organization.slug}) \
        + "?" + board.filters.query()
    language = language_for(subscription.user, organization)  # the subscriber's, not the sender's
    message = email_message_render(
        to=[subscription.user.email], template="emails/report",
        subject=f"{organization.name}: NPS {headline['score'].nps if headline['score'].nps is not None else '—'}"
                f" ({period[0]:%d.%m.}–{period[1]:%d.%m.%Y})",  # figures and dates read alike in every language
        context={"organization": organization, "headline": headline, "reading": reading(headline["score"].nps),
                 "period": period, "link": link, "departments": board.department_tree()[:15], "board": board},
        language=language,
    )
    # the same view as a PDF: built from the same Dashboard, for the same reader
    message.attach(f"nps-{period[0]:%Y-%m-%d}-{period[1]:%Y-%m-%d}.pdf",
                   dashboard_pdf(board=board, language=language), "application/pdf")
    message.send()
    return 1


def subscription_set(*, organization: Organization, user, every: str, query: str) -> ReportSubscription | None:
    if every not in ReportSubscription.Every.values:
        ReportSubscription.objects.filter(user=user).delete()
        return None
    subscription, _ = ReportSubscription.objects.update_or_create(
        organization=organization, user=user, defaults={"every": every, "query": query[:500]})
    return subscription



