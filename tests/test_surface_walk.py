"""The surface walk (issue 13): who sees what, on every surface.

One organization is seeded (tests/surface_seed.py) where each role has data it must not see,
each piece carrying a unique marker; a second organization carries MRK-OTHER-ORG everywhere.
Then, as owner, admin, manager (of Sales), viewer and employee (a viewer linked to an Employee in
Sales), the walk fetches every GET page under /o/<slug>/ (the dashboard pages with every filter
combination), every export, every API list and detail (with each role's session and with a read
key), and reads the webhook payloads, alert, digest and report emails. It fails on any marker the
role must not see, and on any 500, listing all of them per role.

New views are picked up without editing this file: the walk reads the URL resolver and fills
`<model>_id` kwargs with every seeded object of that model, as tests/test_tenancy.py does.

Rules (anything not listed may be seen):
- everyone: nothing of the other organization; no word of an eNPS group under the anonymity
  threshold (MRK-ENPS-TINY); no per-answer eNPS row: none in the responses list page, the
  exports, the API (by id too), webhooks or emails (MRK-ENPS-BIG may show on the dashboard's
  own pages and the comment explorer, the group being big enough);
- manager of Sales: nothing of Support's cases, comments and contacts, and no contact that is on
  none of their cases or answers; the case in Support assigned to them is theirs to see;
- viewer and employee: no contact (name or email) and no case note; comments and figures are fine;
- owner, admin and a read API key: the rules for everyone.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import tempfile
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings

from nps_platform.tenancy import TenantModel, tenant_context
from tests.surface_seed import ROLES, M, Receiver, seed
from tests.url_walk import url_patterns

pytestmark = pytest.mark.django_db

EVERYONE = ("OTHER", "ENPS_TINY")
CONTACTS = ("CONTACT_A_NAME", "CONTACT_A_MAIL", "CONTACT_B_NAME", "CONTACT_B_MAIL", "CONTACT_NORESP_NAME",
            "CONTACT_NORESP_MAIL")
CASES = ("CASE_A", "CASE_B", "CASE_B_ASSIGNED")
FORBIDDEN = {
    "owner": EVERYONE,
    "admin": EVERYONE,
    "api_key": EVERYONE,  # a read key reads as an admin does
    "manager": (*EVERYONE, "CASE_B", "COMMENT_B", "CONTACT_B_NAME", "CONTACT_B_MAIL", "CONTACT_NORESP_NAME",
                "CONTACT_NORESP_MAIL"),
    "viewer": (*EVERYONE, *CONTACTS, *CASES),
    "employee": (*EVERYONE, *CONTACTS, *CASES),
}
CATEGORIES = {"promoter", "passive", "detractor"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction that is rolled back at the end; each test
    runs in a savepoint inside it."""
    receiver = Receiver()
    with django_db_blocker.unblock(), override_settings(WEBHOOKS_ALLOW_PRIVATE=True):
        with transaction.atomic():
            data = seed(receiver)
            yield data
            transaction.set_rollback(True)
    receiver.stop()


# --- The URL resolver -------------------------------------------------------------------------

_KWARG = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _patterns(*, under: str) -> list[tuple[str, str]]:
    """(name, route) of every URL pattern whose route contains `under`."""
    return url_patterns(lambda route: under in route)


def _models_by_kwarg():
    return {f"{m._meta.model_name}_id": m for m in apps.get_models() if issubclass(m, TenantModel)}


def _objects(model, organizations) -> list:
    found = []
    for organization in organizations:
        with tenant_context(organization):
            found += list(model.objects.order_by("pk"))
    return found


def _related_pk(obj, model, depth: int = 2):
    """The pk of the `model` row `obj` points at (through up to `depth` foreign keys), or None."""
    relations = [f for f in obj._meta.concrete_fields if f.is_relation and f.many_to_one]
    for f in relations:
        if f.related_model is model:
            return getattr(obj, f.attname)
    if depth > 1:
        for f in relations:
            if issubclass(f.related_model, TenantModel) and getattr(obj, f.attname) is not None:
                with tenant_context(obj.organization):
                    found = _related_pk(getattr(obj, f.name), model, depth - 1)
                if found is not None:
                    return found
    return None


def _fill(route: str, *, slug: str | None, organizations) -> list[tuple[str, object]]:
    """Every URL of `route` (with the objects it names): the last object kwarg takes each seeded
    object of its model in turn, the others the object it belongs to (else the first)."""
    models = _models_by_kwarg()
    names = [m.group("name") for m in _KWARG.finditer(route) if m.group("name") != "org_slug"]
    for name in names:
        assert name in models, f"URL kwarg <{name}> in {route} names no tenant model: call it <model>_id"
    if not names:
        return [(_KWARG.sub(lambda _m: slug, route), None)]
    last = models[names[-1]]
    urls = []
    for obj in _objects(last, organizations):
        values = {names[-1]: obj.pk}
        for name in names[:-1]:
            pk = _related_pk(obj, models[name])
            if pk is None:
                first = _objects(models[name], [obj.organization])
                pk = first[0].pk if first else None
            values[name] = pk
        if None in values.values():
            continue

        def replace(match, values=values):
            name = match.group("name")
            return slug if name == "org_slug" else str(values[name])

        urls.append((_KWARG.sub(replace, route), obj))
    return urls


# --- Reading an answer ----------------------------------------------------------------------------

def _body(response) -> tuple[str, list[list[str]] | None]:
    """(text, rows): everything a person could read in the answer; rows for spreadsheets."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        rows = [["" if v is None else str(v) for v in row] for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)]
        return "\n".join("\t".join(r) for r in rows), rows
    if "pdf" in ctype:
        if not shutil.which("pdftotext"):
            return "", None
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, check=False).stdout
        return text.decode("utf-8", "replace"), None
    if ctype.startswith("image/") and "svg" not in ctype:
        return "", None
    text = data.decode("utf-8", "replace")
    if "csv" in ctype:
        lines = text.lstrip("\ufeff").splitlines()
        delimiter = ";" if lines and lines[0].count(";") >= lines[0].count(",") else ","
        return text, list(csv.reader(lines, delimiter=delimiter))
    return text, None


def _is_export(response) -> bool:
    return "attachment" in response.get("Content-Disposition", "") or not response.get(
        "Content-Type", "").startswith("text/html")


def _markers_in(text: str, names) -> list[str]:
    low = text.lower()
    return [f"{name} ({M[name]})" for name in names if M[name].lower() in low]


class Walker:
    """Fetches URLs as one identity, each request in a savepoint rolled back after it, and keeps
    every finding: a leak is reported once per (path, finding) with the filters that showed it."""

    def __init__(self, world, identity: str, client: Client, headers: dict | None = None):
        self.world, self.identity, self.client, self.headers = world, identity, client, headers or {}
        self.found: dict[tuple[str, str], list[str]] = {}
        self.errors: list[str] = []
        self.seen = 0

    def get(self, url: str):
        """(status, response, text, rows); the body is read inside the request's savepoint."""
        self.seen += 1
        with transaction.atomic():
            try:
                response = self.client.get(url, headers=self.headers)
                text, rows = _body(response) if response.status_code == 200 else ("", None)
            except Exception as exc:
                self.errors.append(f"{self.identity}: GET {url} raised {exc.__class__.__name__}: {exc}"[:500])
                transaction.set_rollback(True)
                return 500, None, "", None
            transaction.set_rollback(True)
        if response.status_code >= 500:
            self.errors.append(f"{self.identity}: GET {url} answered {response.status_code}")
        return response.status_code, response, text, rows

    def leak(self, url: str, finding: str, *, route: str = "", obj=None) -> None:
        """Reported once per (path, finding) with the filters that showed it; an object page once
        per (route, finding) with the objects."""
        path, _, query = url.partition("?")
        if obj is not None and route:
            path = route.replace("<slug:org_slug>", self.world.organization.slug)
            query = f"{obj._meta.model_name} {obj.pk}"
        found = self.found.setdefault((path, finding), [])
        if (query or "no filter") not in found:
            found.append(query or "no filter")

    def check(self, url: str, text: str, names, **where) -> None:
        for found in _markers_in(text, names):
            self.leak(url, f"shows {found}", **where)

    @property
    def failed(self) -> bool:
        return bool(self.found or self.errors)

    def report(self) -> str:
        lines = [f"{len(self.found)} leak(s) and {len(self.errors)} server error(s) for {self.identity} "
                 f"in {self.seen} requests:"]
        for (path, finding), queries in self.found.items():
            shown = ", ".join(queries[:5]) + (f" and {len(queries) - 5} more" if len(queries) > 5 else "")
            lines.append(f"  {self.identity}: GET {path} {finding}  [{shown}]")
        return "\n".join(lines + [f"  {e}" for e in self.errors])


def _enps_rows(world, rows) -> bool:
    """A spreadsheet row of one eNPS answer: the survey's name beside a category."""
    name = world.surveys["enps"].name
    return any(name in row and CATEGORIES & set(row) for row in rows or ())


# --- Filters ---------------------------------------------------------------------------------------

def _id_filters() -> dict[str, type]:
    """Query parameter → tenant model of every id filter the dashboards read (each `<model>_id`
    field of `dashboards.selectors.Filters`, named in the query string as `Filters.query` names
    it): a filter added there is walked without editing this file."""
    import dataclasses
    import datetime as dt
    from urllib.parse import parse_qs

    from dashboards.selectors import Filters

    models, day, out = _models_by_kwarg(), dt.date(2025, 1, 1), {}
    for f in dataclasses.fields(Filters):
        if f.name in models:
            query = parse_qs(Filters(start=day, end=day, **{f.name: 987654321}).query())
            [param] = [k for k, v in query.items() if v == ["987654321"]]
            out[param] = models[f.name]
    assert {"department", "survey"} <= set(out), "the walk no longer finds the dashboard's id filters"
    return out


def _dashboard_queries(world, *, comments: bool) -> list[str]:
    """department ∈ {none, each} × (kind ∈ {cnps, enps} or survey ∈ {each}); every other id filter
    (a segment, …) with each seeded object of either organization under each kind, and another
    organization's department and survey too; for the comment explorer also its own filters (q,
    category, language, employee) under each kind."""
    from organizations.models import Department, Employee

    with tenant_context(world.organization):
        departments = [None, *Department.objects.order_by("pk").values_list("pk", flat=True)]
        employees = list(Employee.objects.order_by("pk").values_list("pk", flat=True))
    pickers = [{"kind": "cnps"}, {"kind": "enps"}, *({"survey": s.pk} for s in world.surveys.values())]
    queries = [{**({"department": d} if d else {}), **picker} for d in departments for picker in pickers]
    for param, model in _id_filters().items():
        organizations = [world.other] if param in ("department", "survey") else [world.organization, world.other]
        queries += [{param: obj.pk, "kind": kind} for obj in _objects(model, organizations)
                    for kind in ("cnps", "enps")]
    if comments:
        extras = [{"q": "MRK"}, *({"category": c} for c in sorted(CATEGORIES)), {"language": "en"},
                  *({"employee": e} for e in employees)]
        queries += [{"kind": kind, **extra} for kind in ("cnps", "enps") for extra in extras]
    return [urlencode(q) for q in queries]


def _list_queries(world) -> list[str]:
    """Filters that open what a list hides by default (every case, not just mine) or take another
    path (one survey, employee answers, a department outside the role's scope, a tiny team)."""
    queries = [{"view": "all"}, {"kind": "enps"}]
    queries += [{"survey": s.pk} for s in world.surveys.values()]
    queries += [{"department": world.departments[d].pk} for d in ("B", "TINY")]
    return [urlencode(q) for q in queries]


def _forbidden_object(world, identity: str, obj) -> bool:
    if obj is None:
        return False
    role = "admin" if identity == "api_key" else identity
    return obj.pk in world.forbidden_ids[role].get(obj._meta.label_lower, set())


# --- Pages -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_page_and_export_shows_the_role_only_what_it_may_see(world, role):
    client = Client()
    client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
    walker = Walker(world, role, client)
    slug = world.organization.slug
    list_queries = _list_queries(world)
    dashboard_queries = {flag: _dashboard_queries(world, comments=flag) for flag in (False, True)}
    patterns = _patterns(under="<slug:org_slug>")
    assert len(patterns) >= 50, "the walk found too few organization URLs"
    for name, route in patterns:
        for url, obj in _fill(route, slug=slug, organizations=[world.organization]):
            status, response, text, rows = walker.get(url)
            if status == 405:
                break  # decided by the method alone: no other object will answer a GET either
            if status != 200:
                continue
            if _forbidden_object(world, role, obj):
                walker.leak(url, f"({name}) answers 200 for an object {role} must not see", route=route, obj=obj)
            queries = [""]
            if obj is None:
                queries += dashboard_queries["comment" in route] if "/dashboard/" in route else list_queries
            for query in queries:
                full = f"{url}?{query}" if query else url
                if query:
                    status, response, text, rows = walker.get(full)
                    if status != 200:
                        continue
                export = _is_export(response)
                names = list(FORBIDDEN[role])
                if export or "/dashboard/" not in route:
                    names.append("ENPS_BIG")  # eNPS answers one by one: on no list and in no export
                walker.check(full, text, names, route=route, obj=obj)
                if export and _enps_rows(world, rows):
                    walker.leak(full, "exports eNPS answers row by row", route=route, obj=obj)
    if walker.failed:
        pytest.fail(walker.report(), pytrace=False)


# --- The API ------------------------------------------------------------------------------------------

def _api_items(data):
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    return data if isinstance(data, list) else []


@pytest.mark.parametrize("identity", [*ROLES, "api_key"])
def test_every_api_answer_shows_the_identity_only_what_it_may_see(world, identity):
    client = Client()
    if identity == "api_key":
        headers = {"Authorization": f"Bearer {world.api_key}"}
    else:
        client.force_login(world.users[identity], backend="django.contrib.auth.backends.ModelBackend")
        headers = {"X-Organization": world.organization.slug}
    walker = Walker(world, identity, client, headers)
    patterns = [(n, r) for n, r in _patterns(under="/api/") if "/v1/" in r]
    assert len(patterns) >= 10, "the walk found too few API URLs"
    models = _models_by_kwarg()
    # A list's items are of the model its detail route names: /v1/cases/ ↔ /v1/cases/<case_id>/.
    item_model = {}
    for _, route in patterns:
        match = re.fullmatch(r"(.*/)<int:(\w+_id)>/", route)
        if match and match.group(2) in models:
            item_model[match.group(1)] = models[match.group(2)]
    names = [*FORBIDDEN[identity], "ENPS_BIG"]  # the API has no comment explorer: no eNPS words at all
    queries = ["page_size=500", *(f"page_size=500&{q}" for q in _list_queries(world)),
               *(f"page_size=500&department={d.pk}" for d in world.departments.values())]
    queries = list(dict.fromkeys(queries))
    for name, route in patterns:
        for url, obj in _fill(route, slug=None, organizations=[world.organization, world.other]):
            status, response, text, _ = walker.get(url)
            if status == 405:
                break
            if status != 200:
                continue
            if _forbidden_object(world, identity, obj):
                walker.leak(url, f"({name}) answers 200 for an object {identity} must not see", route=route, obj=obj)
            for query in [""] + (queries if obj is None else []):
                full = f"{url}?{query}" if query else url
                if query:
                    status, response, text, _ = walker.get(full)
                    if status != 200:
                        continue
                walker.check(full, text, names, route=route, obj=obj)
                model = item_model.get(route)
                if model is None or "json" not in response.get("Content-Type", ""):
                    continue
                shown = {item.get("id") for item in _api_items(json.loads(text)) if isinstance(item, dict)}
                role = "admin" if identity == "api_key" else identity
                hidden = world.forbidden_ids[role].get(model._meta.label_lower, set()) & shown
                if hidden:
                    walker.leak(full, f"lists {model._meta.verbose_name_plural} {identity} must not see "
                                      f"(ids {', '.join(map(str, sorted(hidden)))})")
    if walker.failed:
        pytest.fail(walker.report(), pytrace=False)


# --- Webhooks ---------------------------------------------------------------------------------------

def _dicts(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def test_webhooks_carry_no_employee_answer_and_nothing_of_another_organization(world):
    enps = world.surveys["enps"].pk
    leaks = []
    assert world.webhooks, "the webhook received nothing: the walk would see no payload"
    for delivery in world.webhooks:
        findings = [f"carries {found}" for found in _markers_in(delivery["body"], ("OTHER", "ENPS_TINY", "ENPS_BIG"))]
        try:
            payload = json.loads(delivery["body"])
        except ValueError:
            payload = None
        for d in _dicts(payload):
            survey = d.get("survey")
            survey_id = survey.get("id") if isinstance(survey, dict) else survey
            if ("score" in d or "comment" in d) and (survey_id == enps or (
                    d.get("id") in world.enps_response_ids and delivery["event"].startswith("response."))):
                findings.insert(0, "reports one eNPS answer")
                break
        if findings:
            leaks.append(f"webhook {delivery['event']}: {'; '.join(findings)} — {delivery['body'][:220]}")
    assert not leaks, f"{len(leaks)} webhook leak(s):\n" + "\n".join(leaks)


# --- Emails -------------------------------------------------------------------------------------------

def _mail_text(message) -> str:
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", ())]
    return "\n".join(str(p) for p in parts)


def _recipients(message) -> set[str]:
    return {a.lower() for a in (*message.to, *message.cc, *message.bcc)}


@pytest.mark.parametrize("role", ROLES)
def test_alert_and_report_emails_show_the_member_only_what_it_may_see(world, role):
    email = world.users[role].email
    leaks = []
    mine = [m for m in world.emails if email in _recipients(m)]
    for message in mine:
        for found in _markers_in(_mail_text(message), [*FORBIDDEN[role], "ENPS_BIG"]):
            leaks.append(f"{role}: the email “{message.subject}” shows {found}")
    assert mine, f"{role} got no email at all (not even the weekly report): the walk would see nothing"
    assert not leaks, f"{len(leaks)} email leak(s) for {role}:\n" + "\n".join(leaks)


def test_digests_show_each_department_only_its_own_feedback(world):
    """Customer-facing employees get their department's week (and the teams inside it): no other
    department's comments, no case notes, no customer, no employee answer."""
    from organizations.models import Department

    with tenant_context(world.organization):
        parents = dict(Department.objects.values_list("pk", "parent_id"))

    def inside(department_id, top):
        while department_id is not None:
            if department_id == top:
                return True
            department_id = parents.get(department_id)
        return False

    leaks, digests = [], 0
    for message in world.emails:
        for address in _recipients(message):
            if address not in world.employee_departments:
                continue
            digests += 1
            department = world.employee_departments[address]
            names = [*EVERYONE, "ENPS_BIG", *CASES, *CONTACTS]
            names += [n for n, marker in M.items() if marker in world.comment_departments
                      and not inside(world.comment_departments[marker], department)]
            for found in _markers_in(_mail_text(message), names):
                leaks.append(f"the email “{message.subject}” to {address} shows {found}")
    assert digests, "no employee got a digest: the walk would see nothing"
    assert not leaks, f"{len(leaks)} digest leak(s):\n" + "\n".join(leaks)


# --- The walk sees what is allowed ---------------------------------------------------------------

def test_the_walk_sees_a_marker_where_the_role_may_see_it(world):
    """The twin of the leak tests: the markers are where the walk looks, so their absence above
    means 'hidden', not 'never there'."""
    from followups.models import Case

    slug = world.organization.slug
    with tenant_context(world.organization):
        assigned = Case.objects.get(owner=world.users["manager"], department=world.departments["B"])
        cases = {"Sales": Case.objects.get(department=world.departments["A"]),
                 "Support": Case.objects.exclude(pk=assigned.pk).get(department=world.departments["B"])}

    def page(role, url):
        client = Client()
        client.force_login(world.users[role], backend="django.contrib.auth.backends.ModelBackend")
        with transaction.atomic():
            response = client.get(url)
            text = _body(response)[0] if response.status_code == 200 else ""
            transaction.set_rollback(True)
        return response.status_code, text

    expectations = [
        ("owner", f"/o/{slug}/followup/cases/{cases['Support'].pk}/", "CASE_B"),
        ("owner", f"/o/{slug}/responses/", "COMMENT_B"),
        ("owner", f"/o/{slug}/contacts/", "CONTACT_NORESP_MAIL"),
        ("manager", f"/o/{slug}/followup/cases/{assigned.pk}/", "CASE_B_ASSIGNED"),
        ("manager", f"/o/{slug}/followup/cases/{cases['Sales'].pk}/", "CASE_A"),
        ("manager", f"/o/{slug}/responses/", "COMMENT_A"),
        ("viewer", f"/o/{slug}/dashboard/comments/?kind=cnps", "COMMENT_B"),
        ("owner", f"/o/{slug}/dashboard/comments/?kind=enps", "ENPS_BIG"),
    ]
    # a segment's pages are walked (the dashboard's id filters, `_id_filters`), on its rollups
    from contacts.models import Segment
    from dashboards.models import SegmentRollupState

    assert "segment" in _id_filters()
    with tenant_context(world.organization):
        support = Segment.objects.get(name="Support's customers")
        assert SegmentRollupState.objects.select_related("segment").get(segment=support).current
    expectations.append(("owner", f"/o/{slug}/dashboard/comments/?kind=cnps&segment={support.pk}", "COMMENT_B"))
    missing = []
    for role, url, marker in expectations:
        status, text = page(role, url)
        if status != 200 or M[marker].lower() not in text.lower():
            missing.append(f"{role}: GET {url} answered {status} without {marker}")
    assert not missing, "\n".join(missing)
    subjects = [m.subject for m in world.emails if world.users["manager"].email in _recipients(m)]
    assert any("Detractors" in s for s in subjects), f"the manager got no alert: {subjects}"
