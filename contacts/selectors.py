"""Reads for contacts: the filtered list (also what a segment saves) and the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from nps_platform.cells import spreadsheet_cell
from nps_platform.parsing import parse_id

from .models import Contact, Suppression

FILTER_KEYS = ("q", "language", "department", "region", "product", "tag", "suppressed")


def contact_filter(filters: dict) -> QuerySet[Contact]:
    # Text from a URL may hold a NUL byte, which PostgreSQL refuses in any string.
    filters = {k: str(v).replace("\x00", "") for k, v in filters.items() if v is not None}
    qs = Contact.objects.select_related("department", "employee").prefetch_related("tags")
    suppressed = Suppression.objects.annotate(e=Lower("email")).filter(e=Lower(OuterRef("email")))
    qs = qs.annotate(is_suppressed=Exists(suppressed))
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(email__icontains=q) | Q(name__icontains=q))
    if language := filters.get("language"):
        qs = qs.filter(language=language)
    if (department := parse_id(filters.get("department"))) is not None:
        qs = qs.filter(department_id=department)
    if region := filters.get("region"):
        qs = qs.filter(region__iexact=region)
    if product := filters.get("product"):
        qs = qs.filter(product__iexact=product)
    if (tag := parse_id(filters.get("tag"))) is not None:
        qs = qs.filter(tags__id=tag)
    if filters.get("suppressed") == "yes":
        qs = qs.filter(is_suppressed=True)
    elif filters.get("suppressed") == "no":
        qs = qs.filter(is_suppressed=False)
    return qs.order_by("email").distinct()



def segments_members_sql(segments: dict[int, dict], among=None) -> tuple[str, list] | None:
    """(segment_id, contact_id) of every segment's members as one SQL relation: a UNION ALL of the
    contact list's own filter per segment (`among`: narrowed by this filter expression), or None
    when no segment can have any. The segment rollups read every segment in one statement, not
    one query per segment."""
    parts, params = [], []
    for segment_id, filters in sorted(segments.items()):
        members = contact_filter(filters or {})
        if among is not None:
            members = members.filter(among)
        try:
            sql, members_params = members.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue
        parts.append(f"SELECT %s::bigint AS segment_id, m.contact_id FROM ({sql}) AS m(contact_id)")  # noqa: S608
        params += [segment_id, *members_params]
    return (" UNION ALL ".join(parts), params) if parts else None

EXPORT_COLUMNS = ["email", "name", "language", "department", "employee", "region", "product", "customer_since",
                  "revenue_12m", "currency", "tags"]


def _safe(value) -> str:
    """Every cell of the export as text, through the one formula guard (nps_platform.cells)."""
    return str(spreadsheet_cell("" if value is None else str(value)))


def contact_export_rows(qs: QuerySet[Contact]) -> Iterator[str]:
    """CSV text, a chunk per row, for a streaming response (semicolon separated, UTF-8 with BOM:
    what Excel in the Nordics opens correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow([*EXPORT_COLUMNS, "attributes"])
    yield "\ufeff" + flush()
    for c in qs.iterator(chunk_size=2000):
        writer.writerow([_safe(v) for v in (
            c.email, c.name, c.language, c.department.name if c.department else "",
            c.employee.email if c.employee else "", c.region, c.product,
            c.customer_since.strftime("%d-%m-%Y") if c.customer_since else "",
            str(c.revenue_12m).replace(".", ",") if c.revenue_12m is not None else "", c.currency,
            ", ".join(t.name for t in c.tags.all()),
            "; ".join(f"{k}={v}" for k, v in c.attributes.items()),
        )])
        yield flush()
