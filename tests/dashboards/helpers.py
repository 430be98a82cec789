"""Helpers for the dashboard tests: responses written straight to the table (with the time they
were given), a recount of the rollups from raw responses written independently of
`dashboards.rollups`, and small readers for the rendered pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zoneinfo
from collections import defaultdict
from html import unescape

from nps_platform.nps_math import category_counts, nps
from nps_platform.tenancy import tenant_context

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")


def local(day: dt.date, hour: int = 12, minute: int = 0, tz=CPH) -> dt.datetime:
    """An aware datetime at a wall-clock time in the organization's time zone."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def category(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def add_responses(organization, survey, specs: list[dict]) -> list:
    """Writes responses directly (no signals): each spec has `score` and `at` (aware datetime),
    and optionally channel, language, department, employee, contact, comment, source (a choice
    key), answers. Returns the Response objects."""
    from responses.models import Response

    with tenant_context(organization):
        version = survey.current_version
        objects = []
        for spec in specs:
            answers = dict(spec.get("answers", {}))
            comment = spec.get("comment", "")
            if comment:
                answers["reason"] = comment
            if spec.get("source"):
                answers["source"] = {"choices": [spec["source"]]}
            objects.append(Response(
                organization=organization, survey=survey, version=version, channel=spec.get("channel", "email"),
                language=spec.get("language", "en"), score=spec["score"], category=category(spec["score"]),
                answers=answers, comment=comment, department=spec.get("department"),
                employee=spec.get("employee"), contact=spec.get("contact"),
            ))
        Response.objects.bulk_create(objects)
        for obj, spec in zip(objects, specs, strict=True):
            obj.created_at = spec["at"]
        Response.objects.bulk_update(objects, ["created_at"])  # auto_now_add set "now" on insert
    return objects


def rebuild(organization) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("rebuild_rollups", organization=organization.slug, stdout=out)
    assert out.getvalue().startswith(f"{organization.slug}: ")


def recount(organization, contact_ids=None) -> dict:
    """{(survey_id, day, key, department_id): [c0..c10, comments]} counted from the Response rows,
    not through dashboards.rollups: every key once organization-wide (department None) and once
    for the answer's department, if it has one. `contact_ids`: only those contacts' answers (what
    a segment's rollups hold)."""
    from responses.models import Response

    tz = zoneinfo.ZoneInfo(organization.time_zone)
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0] * 12)
    with tenant_context(organization):
        answers = Response.objects.select_related("contact")
        if contact_ids is not None:
            answers = answers.filter(contact_id__in=list(contact_ids))
        for r in answers:
            day = r.created_at.astimezone(tz).date()
            keys = ["all", f"channel:{r.channel}", f"language:{r.language}"]
            if r.employee_id is not None:
                keys.append(f"employee:{r.employee_id}")
            if r.contact is not None and r.contact.region:
                keys.append(f"region:{r.contact.region}")
            if r.contact is not None and r.contact.product:
                keys.append(f"product:{r.contact.product}")
            source = r.answers.get("source")
            if isinstance(source, dict):
                keys += [f"source:{'other' if c == '__other__' else c}" for c in source.get("choices", [])]
            for key in keys:
                for department_id in {None, r.department_id}:
                    rows[(r.survey_id, day, key, department_id)][r.score] += 1
                    rows[(r.survey_id, day, key, department_id)][11] += 1 if r.comment.strip() else 0
    return dict(rows)


def rollup_rows(organization) -> dict:
    from dashboards.models import Rollup

    with tenant_context(organization):
        return {(r.survey_id, r.day, r.key, r.department_id): [*r.histogram, r.comments]
                for r in Rollup.objects.all()}


def segment_rollup_rows(organization, segment) -> dict:
    """The segment's rollup rows, keyed as `recount`'s."""
    from dashboards.models import SegmentRollup

    with tenant_context(organization):
        return {(r.survey_id, r.day, r.key, r.department_id): [*r.histogram, r.comments]
                for r in SegmentRollup.objects.filter(segment=segment)}


def segment_members(organization, segment) -> set[int]:
    """The segment's contacts, by the contact list's own filter."""
    from contacts.selectors import contact_filter

    with tenant_context(organization):
        return set(contact_filter(segment.filters).values_list("pk", flat=True))


def expected_score(scores) -> tuple[int | None, int]:
    """(NPS, n) for a list of scores, straight from the definition."""
    scores = list(scores)
    return nps(*category_counts(scores)), len(scores)


# --- reading rendered pages --------------------------------------------------------------------

def html_of(response) -> str:
    return response.content.decode()


def by_id(html: str, element_id: str) -> str:
    """The text inside the element with this id (first match; no nesting of the same tag)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    tag, start = match.group(1), match.end()
    depth, pos = 1, start
    pattern = re.compile(rf"<(/?){tag}\b[^>]*>")
    while depth:
        m = pattern.search(html, pos)
        assert m, f"unclosed #{element_id}"
        depth += -1 if m.group(1) else 1
        pos = m.end()
    return html[start:m.start()]


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def table_rows(html: str, table_id: str) -> dict[str, tuple[str, str, bool]]:
    """{label: (nps, n, few)} of a breakdown table (#by-<name>)."""
    try:
        body = by_id(html, table_id)
    except AssertionError:
        return {}
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[-1], re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) < 3:
            continue
        n_cell = cells[2]
        out[text(cells[0])] = (text(cells[1]), text(re.sub(r"<span.*?</span>", "", n_cell, flags=re.S)),
                               "few" in text(n_cell))
    return out


def chart(html: str, chart_id: str) -> dict:
    match = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no chart data {chart_id}"
    return json.loads(match.group(1))


def comment_texts(html: str) -> list[str]:
    return [text(c) for c in re.findall(r'<span class="comment">(.*?)</span>', html, re.S)]
