"""Issue 20 walked as a new admin and as a hostile user: what a merge leaves after the worker's
re-analysis, names an admin cannot tell apart, another organization's ids, the explorer's
filters together with a department, and themes in the dashboard PDF."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html import unescape

import pytest

from nps_platform.tenancy import tenant_context
from tests.dashboards.helpers import add_responses, local
from tests.insights.conftest import PERIOD

BILLING = ("Jeg blev trukket to gange for samme ordre", "Fakturaen var forkert")


def _comments(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<span class="comment">(.*?)</span>', html)]


@pytest.fixture
def admin(small, member_client):
    return member_client(small.owner)


def test_a_merged_themes_comments_keep_the_theme_it_went_into_after_the_reanalysis(
        small, admin, django_capture_on_commit_callbacks):
    """Billing merged into price: the comments about a double charge are price comments, also
    once the worker has read every comment again (the engine still knows billing when it sees
    it), and a new one is too."""
    from insights.models import CommentTheme, Theme
    from insights.services import comment_analyse, comments_analyse

    organization = small.organization
    add_responses(organization, small.cnps, [{"score": 3, "at": local(dt.date(2025, 3, 5)), "comment": text,
                                              "language": "da"} for text in BILLING])
    with tenant_context(organization):
        comments_analyse(organization=organization)
        billing, price = Theme.objects.get(key="billing"), Theme.objects.get(key="price")
        assert set(CommentTheme.objects.filter(theme=billing).values_list("analysis__response__comment",
                                                                          flat=True)) == set(BILLING)
    with django_capture_on_commit_callbacks(execute=True):  # the merge queues the re-analysis
        assert admin.post(f"/o/{small.slug}/insights/themes/{billing.pk}/merge/",
                          {"into": price.pk}).status_code == 302
    with tenant_context(organization):
        assert not CommentTheme.objects.filter(theme=billing).exists()
        assert set(BILLING) <= set(CommentTheme.objects.filter(theme=price).values_list(
            "analysis__response__comment", flat=True))
        new, = add_responses(organization, small.cnps, [{"score": 2, "at": local(dt.date(2025, 3, 6)),
                                                         "language": "da", "comment": "Forkert beløb på regningen"}])
        comment_analyse(organization=organization, response_id=new.pk)
        assert CommentTheme.objects.filter(theme=price, analysis__response=new).exists()
    # the explorer's price filter shows them; the merged theme is no longer offered as a filter
    page = admin.get(f"/o/{small.slug}/dashboard/comments/?{PERIOD}&theme=price").content.decode()
    assert set(BILLING) <= set(_comments(page)) and 'value="billing"' not in page


def test_names_an_admin_could_not_tell_apart_are_refused(small, admin):
    """A second theme called like an existing one (in any language, any case) would be two
    identical lines in the explorer, the drivers and a digest: the form says so, nothing is made;
    a name of punctuation only is refused too; very long examples are cut, never an error."""
    from insights.models import Theme, ThemeSuggestion

    base = f"/o/{small.slug}/insights/themes/"
    with tenant_context(small.organization):
        before = Theme.objects.count()
        staff = Theme.objects.get(key="staff")
    for name in ("levering og ventetid", "  PERSONALE   og service ", "!!!", "   "):
        page = admin.post(base, {"name": name, "examples": "x"}).content.decode()
        assert any(said in page for said in ("already called", "letter or a digit", "This field is required"))
    with tenant_context(small.organization):
        assert Theme.objects.count() == before
    examples = "\n".join(["y" * 5000, *(f"eksempel {i}" for i in range(300))])
    assert admin.post(base, {"name": " Parkering ", "examples": examples}).status_code == 302
    with tenant_context(small.organization):
        parking = Theme.objects.get(name="Parkering")
        lengths = [len(t) for t in parking.examples.values_list("text", flat=True)]
        assert max(lengths) == 300 and len(lengths) == 100
    assert "already called" in admin.post(base, {"name": "parkering"}).content.decode()
    # renaming onto another theme's name is refused; saving a theme under its own name is not
    answer = admin.post(f"{base}{staff.pk}/", {"name": "Parkering", "examples": "venligt personale"})
    assert answer.status_code == 200 and "already called" in answer.content.decode()
    assert admin.post(f"{base}{parking.pk}/", {"name": "PARKERING", "examples": "p-plads"}).status_code == 302
    with tenant_context(small.organization):
        staff.refresh_from_db()
        assert staff.name != "Parkering"
        # a suggestion accepted under a name taken: told, no theme, the suggestion still open
        suggestion = ThemeSuggestion.objects.create(organization=small.organization, fingerprint="c" * 64,
                                                    key_phrases=["parkering"], examples=["Ingen p-pladser"], size=3)
    answer = admin.post(f"/o/{small.slug}/insights/suggestions/{suggestion.pk}/accept/", {"name": ""}, follow=True)
    assert answer.status_code == 200 and "already called" in answer.content.decode()
    with tenant_context(small.organization):
        suggestion.refresh_from_db()
        assert suggestion.status == "open" and Theme.objects.filter(name__iexact="parkering").count() == 1


def test_another_organizations_themes_are_out_of_reach(small, admin, make_org, member_client):
    from insights.models import Theme
    from insights.services import taxonomy_ensure

    other, other_owner = make_org("Andet Firma")
    with tenant_context(other):
        taxonomy_ensure(organization=other)
        theirs = Theme.objects.get(key="staff")
    with tenant_context(small.organization):
        mine = Theme.objects.get(key="staff")
    base = f"/o/{small.slug}/insights/themes/"
    assert admin.get(f"{base}{theirs.pk}/").status_code == 404
    assert admin.post(f"{base}{theirs.pk}/", {"action": "deactivate"}).status_code == 404
    assert admin.post(f"{base}{theirs.pk}/merge/", {"into": mine.pk}).status_code == 404
    answer = admin.post(f"{base}{mine.pk}/merge/", {"into": theirs.pk}, follow=True)
    assert answer.status_code == 200 and "Choose an active theme" in answer.content.decode()
    with tenant_context(other):
        theirs.refresh_from_db()
        assert theirs.active and theirs.merged_into_id is None
    with tenant_context(small.organization):
        mine.refresh_from_db()
        assert mine.active and mine.merged_into_id is None
    # and the other organization's admin sees none of this one's themes or names
    assert small.slug not in member_client(other_owner).get(f"/o/{other.slug}/insights/themes/").content.decode()


def test_explorer_by_theme_and_sentiment_with_a_department_and_a_segment(small, admin):
    from contacts.models import Contact, Segment
    from responses.models import Response

    url = f"/o/{small.slug}/dashboard/comments/?{PERIOD}&theme=delivery&sentiment=negative"
    # delivery, negative: 6 (Butik B), 5 (A), 3 (B), 0 (A)
    assert sorted(_comments(admin.get(url).content.decode())) == sorted(
        ["Leveringen var forsinket", "Pakken kom for sent", "Levering tog tre uger", "Aldrig leveret"])
    a = small.departments["a"]
    assert sorted(_comments(admin.get(f"{url}&department={a.pk}").content.decode())) == sorted(
        ["Pakken kom for sent", "Aldrig leveret"])
    with tenant_context(small.organization):
        karen = Contact.objects.create(organization=small.organization, email="karen@example.dk", region="Nord")
        Response.objects.filter(comment__in=["Aldrig leveret", "Levering tog tre uger", "Great staff"]).update(
            contact=karen)
        nord = Segment.objects.create(organization=small.organization, name="Nord", filters={"region": "Nord"})
    assert sorted(_comments(admin.get(f"{url}&segment={nord.pk}").content.decode())) == sorted(
        ["Levering tog tre uger", "Aldrig leveret"])
    assert _comments(admin.get(f"{url}&segment={nord.pk}&department={a.pk}").content.decode()) == ["Aldrig leveret"]
    assert _comments(admin.get(f"{url}&segment={nord.pk}&sentiment=positive&theme=").content.decode()) == [
        "Great staff"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is needed")
def test_the_dashboard_pdf_lists_the_top_themes_for_its_reader(small, admin, add_member, member_client):
    from insights.models import Theme
    from organizations.models import Membership
    from tests.dashboards.test_pdf import pdf_text

    with tenant_context(small.organization):
        delivery, staff = (Theme.objects.get(key=k).label("en") for k in ("delivery", "staff"))
    answer = admin.get(f"/o/{small.slug}/dashboard/export.pdf?{PERIOD}")
    pdf = pdf_text(answer.content)
    assert "Top themes" in pdf
    # delivery: 5 comments, NPS -80, +50 without its detractors; staff: 3, NPS 100
    assert re.search(rf"{re.escape(delivery)} 5 -80 \+50", pdf), pdf
    assert re.search(rf"{re.escape(staff)} 3 100", pdf)
    # a manager of Butik A: only A's comments (delivery in 5 and 0 → NPS -100)
    manager = add_member(small.organization, "manager")
    with tenant_context(small.organization):
        Membership.objects.get(user=manager).departments.add(small.departments["a"])
    pdf = pdf_text(member_client(manager).get(f"/o/{small.slug}/dashboard/export.pdf?{PERIOD}").content)
    assert re.search(rf"{re.escape(delivery)} 2 -100", pdf), pdf
