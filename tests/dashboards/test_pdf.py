"""The dashboard as a PDF (issue 14.9): the view's filters, its headline with the margin the page
shows (or "too few answers for a margin"), the trend and the breakdowns, read by pdftotext; for
the same reader as the page; and as the scheduled report email's attachment."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
import zoneinfo

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.conftest import END, PERIOD, START, published
from tests.dashboards.helpers import add_responses, by_id, html_of, local, rebuild, text

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is needed")]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:40]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        done = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def pdf_of(client, world, query=PERIOD) -> str:
    response = client.get(f"/o/{world.slug}/dashboard/export.pdf?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="dashboard-' in response["Content-Disposition"]
    return pdf_text(response.content)


def page_headline(client, world, query=PERIOD) -> tuple[str, str]:
    html = html_of(client.get(f"/o/{world.slug}/dashboard/?{query}"))
    return text(by_id(html, "headline-nps")), text(by_id(html, "headline-margin"))


def test_the_pdf_holds_the_pages_nps_margin_filters_trend_and_breakdowns(world, login):
    client = login(world.owner)
    nps, margin = page_headline(client, world)
    assert nps == "60" and margin.startswith("±")
    pdf = pdf_of(client, world)
    assert re.search(rf"(^| ){nps}( |$)", pdf) and margin in pdf
    assert f"{START:%d.%m.%Y} – {END:%d.%m.%Y}" in pdf  # the period filter
    assert "n = 100" in pdf
    assert "+20 against the period before" in pdf  # NPS 40 before
    for name in ("Sales North", "Support Copenhagen", "Relationship", "Workshop visit"):
        assert name in pdf  # departments and the survey breakdown
    assert "Trend" in pdf and f"{START:%d.%m.}" in pdf  # one row per week from the first week on


def test_the_pdf_follows_the_filters_and_the_readers_scope(world, login, member):
    d = world.departments
    client = login(world.owner)
    query = f"{PERIOD}&department={d['support'].pk}"
    nps, margin = page_headline(client, world, query)
    pdf = pdf_of(client, world, query)
    assert f"NPS {nps} " in pdf or f" {nps} " in pdf
    assert "Department Support" in pdf and "Sales North" not in pdf

    manager = member(world, "manager", departments=[d["sales"]])
    manager_client = login(manager)
    nps, margin = page_headline(manager_client, world)
    pdf = pdf_of(manager_client, world)
    assert f" {nps} " in pdf and (margin in pdf)
    assert "Sales North" in pdf and "Support" not in pdf


def test_with_few_answers_the_pdf_says_so_instead_of_a_margin(make_org, member_client):
    organization, owner = make_org("Lille Butik ApS")
    survey = published(organization, owner, name="Small")
    add_responses(organization, survey, [{"score": s, "at": local(START, 10 + i)} for i, s in enumerate((10, 2))])
    rebuild(organization)
    client = member_client(owner)
    html = html_of(client.get(f"/o/{organization.slug}/dashboard/?{PERIOD}"))
    assert text(by_id(html, "headline-margin")) == "too few answers for a margin"
    assert 'id="export-pdf"' in html and "/dashboard/export.pdf?" in html
    response = client.get(f"/o/{organization.slug}/dashboard/export.pdf?{PERIOD}")
    pdf = pdf_text(response.content)
    assert "too few answers for a margin" in pdf and "n = 2" in pdf and "±" not in pdf


def test_the_report_email_carries_the_view_as_a_pdf(world, smtp_sink):
    from dashboards.models import ReportSubscription
    from dashboards.reports import reports_send_due

    organization = world.organization
    with tenant_context(organization):
        ReportSubscription.objects.create(organization=organization, user=world.owner, every="week")
        tz = zoneinfo.ZoneInfo(organization.time_zone)
        monday = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(9), tz)  # the week ending on END
        assert reports_send_due(organization=organization, now=monday) == 1
    [message] = smtp_sink.wait_for(1)
    [attachment] = [part for part in message.iter_attachments()]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().endswith(".pdf")
    pdf = pdf_text(attachment.get_content())
    nps = re.search(r"NPS (-?\d+|—)", message["Subject"]).group(1)
    assert f" {nps} " in pdf
    assert f"{END - dt.timedelta(days=6):%d.%m.%Y} – {END:%d.%m.%Y}" in pdf
