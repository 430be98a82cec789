"""How fresh the dashboard's numbers are. The page reads the rollups when it is drawn, so its
numbers are as of that moment; an answer given in the last few seconds may still wait for its
slice's recount (`receivers.refresh_rollups` coalesces them for ROLLUP_REFRESH_DELAY seconds and
the marker says so)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from surveys.models import Survey


def due_marker(organization_id: int, survey_id: int, day: str) -> str:
    """The cache key that says a recount of (survey, day) is queued and not yet run."""
    return f"rollup-due:{organization_id}:{survey_id}:{day}"


def freshness(board) -> dict:
    """{"as_of": the moment read, as HH:MM:SS in the organization's time, "pending": an answer of
    today still being counted}."""
    now = timezone.now().astimezone(board.tz)
    pending = False
    if board.filters.start <= now.date() <= board.filters.end:
        surveys = Survey.objects.all()
        if board.filters.survey_id:
            surveys = surveys.filter(pk=board.filters.survey_id)
        if board.filters.kind:
            surveys = surveys.filter(kind=board.filters.kind)
        day = now.date().isoformat()
        keys = [due_marker(board.organization.pk, pk, day) for pk in surveys.values_list("pk", flat=True)]
        pending = bool(keys) and bool(cache.get_many(keys))
    return {"as_of": now.strftime("%H:%M:%S"), "pending": pending}
