"""When invitations go out: spread over weekday mornings (08:00–11:00) in the organization's time
zone, and when a recurring campaign's next period starts."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from organizations.models import Organization

from ..models import Campaign

MORNING = (8, 11)  # sends are spread over 08:00–11:00 on weekdays, in the organization's time zone


def morning_slots(*, organization: Organization, start: dt.datetime, end: dt.datetime, count: int,
                  rng: random.Random) -> list[dt.datetime]:
    """`count` moments spread evenly over the weekday mornings between start and end, in the
    organization's time zone; the first is never before `start`."""
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    local = start.astimezone(tz)
    windows = []
    day = local.date()
    while dt.datetime.combine(day, dt.time(0), tz) < end.astimezone(tz) or not windows:
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, dt.time(MORNING[0]), tz)
            closes = min(dt.datetime.combine(day, dt.time(MORNING[1]), tz), end.astimezone(tz))
            if closes > local and closes > opens:
                windows.append((max(opens, local), closes))
        day += dt.timedelta(days=1)
        if len(windows) > 400:
            break
    if not windows:
        return [start] * count
    slots = []
    for i in range(count):
        window_start, window_end = windows[i * len(windows) // max(count, 1)]
        span = (window_end - window_start).total_seconds()
        slots.append(window_start + dt.timedelta(seconds=rng.uniform(0, span)))
    return sorted(slots)


def next_period_start(campaign: Campaign, after: dt.datetime) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(campaign.organization.time_zone)
    local = after.astimezone(tz)
    if campaign.every == Campaign.Every.WEEK:
        return after + dt.timedelta(days=7)
    months = 1 if campaign.every == Campaign.Every.MONTH else 3
    month = local.month - 1 + months
    year = local.year + month // 12
    first = dt.datetime(year, month % 12 + 1, 1, MORNING[0], tzinfo=tz)
    return first.astimezone(dt.UTC)
