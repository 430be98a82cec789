"""Writes for contacts: edit, tag, suppress, and import from CSV or XLSX files.

Import policy (shown on the import page too): every good row is imported, matched to existing
contacts by email (upsert); a row with a problem is skipped and listed by its line number with
the reason. Within one file a later row with the same email updates the earlier one."""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from nps_platform.celery import task_enqueue_on_commit
from nps_platform.csvio import MAX_COLUMNS, CsvFormatError, csv_table
from organizations.models import Department, Employee, Organization, User
from organizations.selectors import department_path
from organizations.services import audit_record, department_by_path

from .models import Contact, ContactImport, Segment, Suppression, Tag
from .parsing import ValueProblem, parse_date, parse_decimal, parse_language

IMPORT_FIELDS = {
    "email": "Email",
    "name": "Name",
    "first_name": "First name (joined with the last name)",
    "last_name": "Last name (joined with the first name)",
    "language": "Language",
    "department": "Department",
    "employee": "Responsible employee (email)",
    "region": "Region",
    "product": "Product",
    "customer_since": "Customer since",
    "revenue_12m": "Revenue, last 12 months",
    "currency": "Currency",
    "tags": "Tags",
}
HEADER_GUESSES = {
    "email": {"email", "e-mail", "mail", "e-post", "epost", "sähköposti", "e-mail-adresse"},
    "name": {"name", "navn", "namn", "nimi", "ime", "full name", "kunde", "customer"},
    "first_name": {"first name", "firstname", "first_name", "given name", "fornavn", "förnamn", "fornamn",
                   "etunimi", "vorname"},
    "last_name": {"last name", "lastname", "last_name", "surname", "family name", "efternavn", "efternamn",
                  "etternavn", "sukunimi", "prezime", "nachname"},
    "language": {"language", "sprog", "språk", "kieli", "jezik", "sprache", "lang"},
    "department": {"department", "afdeling", "avdelning", "avdeling", "osasto", "odjel", "abteilung"},
    "employee": {"employee", "responsible", "ansvarlig", "account manager", "kam", "owner"},
    "region": {"region", "område", "alue", "regija"},
    "product": {"product", "produkt", "tuote", "proizvod"},
    "customer_since": {"customer since", "kunde siden", "kund sedan", "kunde siden dato", "since"},
    "revenue_12m": {"revenue", "omsætning", "omsättning", "omsetning", "liikevaihto", "umsatz", "revenue_12m"},
    "currency": {"currency", "valuta", "valuutta", "währung"},
    "tags": {"tags", "tag", "lists", "liste", "lista"},
}
IGNORE, ATTRIBUTE = "", "__attribute__"
TEXT_FIELDS = {"name": 200, "region": 100, "product": 100}  # plain text targets and their lengths
BATCH = 1000
MAX_ERRORS_KEPT = 1000

log = logging.getLogger(__name__)

# Later stages (distribution) cancel scheduled sends when an address is suppressed; they
# listen here, so this stage never imports them.
suppression_added = Signal()
# After commit, with the ids of contacts whose attributes changed: the dashboards recount the
# breakdowns (region, product) their answers count under.
contacts_changed = Signal()
# Sent inside the transaction, before it commits, whenever a saved segment's members may change:
# contacts edited, imported, deleted or (un)suppressed (`contact_ids`), or a segment saved
# (`segment_id`). The dashboards mark their segment rollups stale in the same transaction (their
# pages count the raw answers meanwhile) and rebuild them after commit. `deleting`: the contacts
# are about to be deleted (their answers still point to them).
segment_members_changed = Signal()


def _announce_members(organization_id: int, *, contact_ids: list[int] | None = None,
                      segment_id: int | None = None, deleting: bool = False) -> None:
    if contact_ids or segment_id:
        segment_members_changed.send(sender=Segment, organization_id=organization_id,
                                     contact_ids=list(contact_ids or ()), segment_id=segment_id, deleting=deleting)


def _announce_changed(organization_id: int, contact_ids: list[int]) -> None:
    if contact_ids:
        transaction.on_commit(lambda: contacts_changed.send(sender=Contact, organization_id=organization_id,
                                                           contact_ids=list(contact_ids)))


class ImportFileError(ValueError):
    pass


def _xlsx_rows(data: bytes):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(f"The spreadsheet could not be read: {exc}")
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip() for h in next(rows)]
    except StopIteration:
        raise ImportFileError("The spreadsheet is empty.")

    def body():
        for line, values in enumerate(rows, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield line, {header[i]: v for i, v in enumerate(values) if i < len(header) and header[i]}

    return header, body()


def import_rows(*, name: str, data: bytes):
    """(header, iterator of (line, {column: value})) for a CSV or XLSX file. The encoding and
    line endings of a CSV are detected (nps_platform.csvio); a bad line comes as
    {"__error__": reason} and the lines after it are read."""
    if PurePath(name).suffix.lower() in (".xlsx", ".xlsm"):
        header, rows = _xlsx_rows(data)
    else:
        try:
            header, csv_body = csv_table(data)
        except CsvFormatError as exc:
            raise ImportFileError(str(exc))
        rows = ((row.line, row.values) for row in csv_body)
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(gettext("Line 1: the file has %(count)s columns; at most %(max)s can be imported. "
                                      "Save a copy with only the columns you need and upload that.")
                              % {"count": f"{len(header):,}".replace(",", " "), "max": MAX_COLUMNS})
    return header, rows


def mapping_guess(header: list[str]) -> dict[str, str]:
    """The file's column → our field ('' ignores it, '__attribute__' keeps it as custom)."""
    guess = {}
    taken = set()
    for column in header:
        key = column.strip().lower()
        field = next((f for f, names in HEADER_GUESSES.items() if key in names and f not in taken), None)
        if field:
            taken.add(field)
        guess[column] = field or ATTRIBUTE
    return guess


@transaction.atomic
def import_start(*, organization: Organization, name: str, data: bytes, by: User) -> tuple[ContactImport, dict]:
    """Stores the file and reads its header and first rows for the mapping page."""
    header, rows = import_rows(name=name, data=data)
    if not any(header):
        raise ImportFileError("The first line must name the columns.")
    preview = []
    for _line, values in rows:
        preview.append(values)
        if len(preview) == 5:
            break
    record = ContactImport(organization=organization, original_name=name[:255], created_by=by,
                           mapping=mapping_guess(header))
    record.file.save(f"{organization.pk}-{timezone.now():%Y%m%d%H%M%S}-{PurePath(name).name}", ContentFile(data),
                     save=False)
    record.save()
    return record, {"header": header, "preview": preview}


def import_confirm(*, record: ContactImport, mapping: dict[str, str], by: User) -> ContactImport:
    allowed = {IGNORE, ATTRIBUTE, *IMPORT_FIELDS}
    if any(target not in allowed for target in mapping.values()):
        raise ValidationError("Choose what each column is from the list.")
    if "email" not in mapping.values():
        raise ValidationError("Choose which column holds the email address.")
    record.mapping = mapping
    record.status = ContactImport.Status.QUEUED
    record.save(update_fields=["mapping", "status"])
    task_enqueue_on_commit("contacts.import_run", import_id=record.pk, organization_id=record.organization_id)
    return record


@dataclass
class ParsedRow:
    line: int
    email: str
    fields: dict
    tags: list[str]
    attributes: dict


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_row(line: int, values: dict, mapping: dict, lookups: dict) -> ParsedRow:
    if "__error__" in values:
        raise ValueProblem(values["__error__"])
    fields: dict = {}
    tags: list[str] = []
    attributes: dict = {}
    names: dict[str, list[str]] = {}
    problems = []
    email = ""
    for column, target in mapping.items():
        raw = values.get(column)
        text = _text(raw)
        if target == IGNORE:
            continue
        if "\x00" in text:  # PostgreSQL holds no NUL in text (a spreadsheet cell may have one)
            raise ValueProblem(gettext("the line holds a NUL character (a damaged or binary file?); "
                                       "the line is skipped"))
        if target == ATTRIBUTE:
            if text:
                attributes[column] = text
            continue
        if not text:
            continue
        try:
            if target == "email":
                email = text.lower()
                validate_email(email)
            elif target == "language":
                fields["language"] = parse_language(text)
            elif target == "customer_since":
                fields["customer_since"] = parse_date(raw)
            elif target == "revenue_12m":
                revenue = parse_decimal(raw).quantize(Decimal("0.01"))
                if abs(revenue) >= Decimal(10) ** 12:
                    raise ValueProblem(f"the revenue {text} is too large")
                fields["revenue_12m"] = revenue
            elif target == "currency":
                if len(text) != 3 or not text.isalpha():
                    raise ValueProblem(f"“{text}” is not a currency code such as DKK or EUR")
                fields["currency"] = text.upper()
            elif target == "department":
                department = lookups["departments"].get(text.lower())
                if department is None:
                    department = department_by_path(path=text, create=False)
                if department is None:
                    raise ValueProblem(f"no department “{text}”")
                fields["department"] = department
            elif target == "employee":
                employee = lookups["employees"].get(text.lower())
                if employee is None:
                    raise ValueProblem(f"no employee with the email {text}")
                fields["employee"] = employee
            elif target == "tags":
                tags = [t.strip()[:60] for t in text.replace(";", ",").split(",") if t.strip()]
            elif target in ("name", "first_name", "last_name"):  # parts of the name, in column order
                names.setdefault(target, []).append(text)
            elif target in TEXT_FIELDS:
                fields[target] = text[:TEXT_FIELDS[target]]
        except ValidationError:
            problems.append(f"“{text}” is not an email address")
        except ValueProblem as exc:
            problems.append(str(exc))
    # A full-name column wins; else first and last name make the name (no part is dropped).
    name = " ".join(names.get("name") or [*names.get("first_name", []), *names.get("last_name", [])])
    if name:
        fields["name"] = name[:TEXT_FIELDS["name"]]
    if not email and not any("email" in p for p in problems):
        problems.append("the email is empty")
    if problems:
        raise ValueProblem("; ".join(problems))
    return ParsedRow(line, email, fields, tags, attributes)


def _write_batch(organization: Organization, batch: list[ParsedRow], record: ContactImport,
                 first_lines: dict[str, int]) -> None:
    """Upserts a batch. `first_lines` (email → the line it first came on, kept across batches)
    tells a repeated line, which is merged into that contact and counted as repeated."""
    by_email: dict[str, ParsedRow] = {}
    repeated_earlier = set()  # emails a previous batch of this file already wrote
    for row in batch:
        first = first_lines.setdefault(row.email, row.line)
        if first != row.line:
            record.duplicate_count += 1
            if len(record.duplicates) < MAX_ERRORS_KEPT:
                record.duplicates.append(f"Line {row.line}: {row.email} again (first on line {first}); "
                                         "merged into that contact, this line's values win.")
            if row.email not in by_email:
                repeated_earlier.add(row.email)
        earlier = by_email.get(row.email)
        if earlier is not None:  # the same person twice: a later line's values win, nothing is lost
            row = ParsedRow(row.line, row.email, {**earlier.fields, **row.fields},
                            list(dict.fromkeys(earlier.tags + row.tags)), {**earlier.attributes, **row.attributes})
        by_email[row.email] = row
    existing = {c.email.lower(): c for c in Contact.objects.annotate(e=Lower("email")).filter(e__in=list(by_email))}
    to_create, to_update, fields_touched = [], [], set()
    for email, row in by_email.items():
        contact = existing.get(email)
        if contact is None:
            contact = Contact(organization=organization, email=email)
            to_create.append(contact)
        else:
            to_update.append(contact)
        for name, value in row.fields.items():
            setattr(contact, name, value)
            fields_touched.add(name)
        if row.attributes:
            contact.attributes = {**contact.attributes, **row.attributes}
            fields_touched.add("attributes")
    Contact.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update and (fields_touched or any(row.tags for row in by_email.values())):
        _announce_members(organization.pk, contact_ids=[c.pk for c in to_update])
    if to_update and fields_touched:
        Contact.objects.bulk_update(to_update, [*fields_touched, "updated_at"], batch_size=BATCH)
        if fields_touched & {"region", "product"}:
            _announce_changed(organization.pk, [c.pk for c in to_update])
    tag_names = list(dict.fromkeys(t for row in by_email.values() for t in row.tags))  # first spelling wins
    if tag_names:
        tags = {t.name.lower(): t for t in Tag.objects.all()}
        for name in tag_names:
            if name.lower() not in tags:
                tags[name.lower()] = Tag.objects.create(organization=organization, name=name[:60])
        through = Contact.tags.through
        links = [through(contact_id=(existing.get(email) or next(c for c in to_create if c.email == email)).pk,
                         tag_id=tags[t.lower()].pk)
                 for email, row in by_email.items() for t in row.tags]
        through.objects.bulk_create(links, ignore_conflicts=True)
    record.created_count += len(to_create)
    record.updated_count += sum(1 for c in to_update if c.email.lower() not in repeated_earlier)


def contacts_import_run(*, record: ContactImport) -> ContactImport:
    """Runs in a worker. Safe to run twice: a finished import is left alone, and rows are
    upserts, so a restarted run writes the same contacts."""
    if record.status in (ContactImport.Status.DONE, ContactImport.Status.FAILED):
        return record
    organization = record.organization
    record.status = ContactImport.Status.RUNNING
    record.processed_rows = record.created_count = record.updated_count = record.error_count = 0
    record.duplicate_count = 0
    record.errors, record.duplicates = [], []
    first_lines: dict[str, int] = {}
    record.save()
    try:
        with record.file.open("rb") as fh:
            data = fh.read()
        record.total_rows = sum(1 for _ in import_rows(name=record.original_name, data=data)[1])
        _header, rows = import_rows(name=record.original_name, data=data)
        record.save(update_fields=["total_rows"])
        lookups = {
            "departments": {},
            "employees": {e.email.lower(): e for e in Employee.objects.exclude(email="")},
        }
        for department in organization_departments():
            lookups["departments"][department.name.lower()] = department
            lookups["departments"][department_path(department).lower()] = department
        batch: list[ParsedRow] = []
        for line, values in rows:
            try:
                batch.append(_parse_row(line, values, record.mapping, lookups))
            except ValueProblem as exc:
                record.error_count += 1
                if len(record.errors) < MAX_ERRORS_KEPT:
                    record.errors.append(f"Line {line}: {exc}.")
            record.processed_rows += 1
            if len(batch) >= BATCH:
                with transaction.atomic():
                    _write_batch(organization, batch, record, first_lines)
                    record.save(update_fields=["processed_rows", "created_count", "updated_count", "error_count",
                                               "errors", "duplicate_count", "duplicates"])
                batch = []
        with transaction.atomic():
            if batch:
                _write_batch(organization, batch, record, first_lines)
            record.status = ContactImport.Status.DONE
            record.finished_at = timezone.now()
            record.save()
            audit_record(organization=organization, actor=record.created_by, action="contact.imported",
                         target=record, summary=f"{record.original_name}: {record.created_count} new, "
                         f"{record.updated_count} updated, {record.duplicate_count} repeated, "
                         f"{record.error_count} lines skipped")
    except (ImportFileError, CsvFormatError) as exc:
        _import_failed(record, str(exc))
    except Exception:  # never leave an import "running" for ever: say it failed, and log why
        log.exception("contact import %s failed", record.pk)
        _import_failed(record, f"The import stopped unexpectedly after {record.processed_rows} rows; "
                               "the rows before that are imported. Please check the file and try again.")
    return record


def _import_failed(record: ContactImport, reason: str) -> None:
    ContactImport.objects.filter(pk=record.pk).update(status=ContactImport.Status.FAILED, failure=reason,
                                                      finished_at=timezone.now())
    record.refresh_from_db()


def organization_departments():
    return Department.objects.select_related("parent", "parent__parent")


# --- Single contacts, tags, segments, suppression --------------------------------------------

def contact_save(*, contact: Contact, tags: list[Tag] | None = None, by: User) -> Contact:
    created = contact.pk is None
    with transaction.atomic():
        contact.email = contact.email.strip().lower()
        contact.save()
        if not created:
            _announce_changed(contact.organization_id, [contact.pk])
            _announce_members(contact.organization_id, contact_ids=[contact.pk])
        if tags is not None:
            contact.tags.set(tags)
        audit_record(organization=contact.organization, actor=by,
                     action="contact.created" if created else "contact.updated", target=contact,
                     summary=contact.email)
    return contact


def _contacts_claim(organization: Organization, emails: list[str]) -> set[str]:
    """Makes sure a row exists for each (lower-case) email and returns the emails whose row this
    call created. PostgreSQL: one INSERT … ON CONFLICT DO NOTHING on the (organization,
    lower(email)) constraint, so concurrent calls for the same address wait for each other and
    never fail; every row is then updated under its row lock. The embedded mode's SQLite (one
    writer at a time) takes the same steps through the ORM."""
    emails = sorted(set(emails))  # one order for every caller: two bulk calls cannot deadlock
    if not emails:
        return set()
    if connection.vendor != "postgresql":
        created = set()
        for email in emails:
            if not Contact.objects.filter(email__iexact=email).exists():
                Contact.objects.create(organization=organization, email=email)
                created.add(email)
        return created
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Contact._meta.db_table} "  # noqa: S608 - our own table name
            "(organization_id, email, name, language, region, product, currency, attributes, created_at, updated_at) "
            "SELECT %s, e, '', '', '', '', '', '{}'::jsonb, now(), now() FROM unnest(%s::text[]) AS e "
            "ON CONFLICT (organization_id, lower(email)) DO NOTHING RETURNING email",
            [organization.pk, emails])
        return {row[0] for row in cursor.fetchall()}


def _contacts_write(organization: Organization, items: list[dict]) -> tuple[list[Contact], set[int], set[int]]:
    """(contacts in the items' order, ids created, ids whose region or product changed)."""
    by_email: dict[str, dict] = {}
    for item in items:
        email = item["email"].strip().lower()
        by_email[email] = {**by_email.get(email, {}), **item, "email": email}  # a later item wins
    created_emails = _contacts_claim(organization, list(by_email))
    contacts = {c.email.lower(): c for c in Contact.objects.select_for_update().annotate(e=Lower("email"))
                .filter(e__in=list(by_email)).order_by("e")}
    changed_breakdown: set[int] = set()
    for email, fields in by_email.items():
        contact = contacts[email]
        for name, value in fields.items():
            if name in ("region", "product") and getattr(contact, name) != value and email not in created_emails:
                changed_breakdown.add(contact.pk)
            setattr(contact, name, value)
        contact.save()
    created = {contacts[e].pk for e in created_emails}
    _announce_members(organization.pk, contact_ids=[c.pk for e, c in contacts.items() if e not in created_emails])
    return [contacts[e] for e in by_email], created, changed_breakdown


def contact_upsert(*, organization: Organization, fields: dict, by: User | None) -> tuple[Contact, bool]:
    """Creates the contact with this email, or updates the one that has it (the fields given
    win); safe under any number of concurrent calls for the same address. Recorded in the audit
    log; a changed region or product recounts the rollups its answers are in."""
    with transaction.atomic():
        [contact], created, changed = _contacts_write(organization, [fields])
        audit_record(organization=organization, actor=by, action="contact.created" if created else "contact.updated",
                     target=contact, summary=contact.email)
        _announce_changed(organization.pk, list(changed))
    return contact, bool(created)


def contact_ensure(*, organization: Organization, email: str, name: str = "", language: str = "",
                   by: User | None = None) -> tuple[Contact, bool]:
    """The contact with this email, created with the name and language given if there is none (an
    existing contact is left as it is): (contact, created). Safe under concurrent calls for the
    same address; a creation is recorded in the audit log."""
    email = email.strip().lower()
    with transaction.atomic():
        created = bool(_contacts_claim(organization, [email]))
        contact = Contact.objects.filter(email__iexact=email).first()
        if created:
            contact.name, contact.language = name, language
            contact.save(update_fields=["name", "language", "updated_at"])
            audit_record(organization=organization, actor=by, action="contact.created", target=contact,
                         summary=contact.email)
    return contact, created


def contacts_upsert(*, organization: Organization, items: list[dict], by: User | None) -> dict:
    """Many contacts by email, all or nothing (see contact_upsert): {"created": n, "updated": m}."""
    with transaction.atomic():
        contacts, created, changed = _contacts_write(organization, items)
        result = {"created": len(created), "updated": len(contacts) - len(created)}
        audit_record(organization=organization, actor=by, action="contact.upserted",
                     summary=f"{result['created']} created, {result['updated']} updated",
                     data={"created": sorted(created),
                           "updated": sorted(c.pk for c in contacts if c.pk not in created)})
        _announce_changed(organization.pk, list(changed))
    return result


def contact_delete(*, contact: Contact, by: User | None) -> None:
    with transaction.atomic():
        audit_record(organization=contact.organization, actor=by, action="contact.deleted", target=contact,
                     summary=contact.email)
        _announce_members(contact.organization_id, contact_ids=[contact.pk], deleting=True)
        contact.delete()


def segment_save(*, organization: Organization, name: str, filters: dict, by: User,
                 segment: Segment | None = None) -> Segment:
    segment = segment or Segment(organization=organization)
    with transaction.atomic():
        segment.name, segment.filters = name, filters
        segment.save()
        _announce_members(organization.pk, segment_id=segment.pk)
    return segment


def suppression_add(*, organization: Organization, email: str, reason: str, by: User | None = None) -> Suppression:
    """Takes effect at once: the address is never emailed again by this organization, and
    anything already scheduled for it is cancelled."""
    email = email.strip().lower()
    with transaction.atomic():
        suppression = Suppression.objects.filter(email__iexact=email).first()
        if suppression is None:
            suppression = Suppression.objects.create(organization=organization, email=email, reason=reason)
            audit_record(organization=organization, actor=by, action="contact.suppressed", target=suppression,
                         summary=f"{email}: {reason}")
            _announce_members(organization.pk, contact_ids=_contacts_of(email))
        suppression_added.send(sender=Suppression, organization=organization, email=email)
    return suppression


def suppression_remove(*, suppression: Suppression, by: User) -> None:
    with transaction.atomic():
        audit_record(organization=suppression.organization, actor=by, action="contact.unsuppressed",
                     target=suppression, summary=suppression.email)
        suppression.delete()
        _announce_members(suppression.organization_id, contact_ids=_contacts_of(suppression.email))


def _contacts_of(email: str) -> list[int]:
    """The contacts with this address (a segment may filter on whether it is suppressed)."""
    return list(Contact.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True))


def is_suppressed(*, email: str) -> bool:
    return Suppression.objects.filter(email__iexact=email.strip()).exists()



def import_traces_erase(*, email: str) -> int:
    """Erasing a person: every uploaded import file that holds their address is deleted (its
    import keeps its counts and status), and the lines it could not take that quote them go.
    XLSX files are zip archives, so they are opened and read as text for the check."""
    needle = email.strip().lower()
    if not needle:
        return 0
    erased = 0
    for record in ContactImport.objects.exclude(file=""):
        try:
            with record.file.open("rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if needle.encode() not in _import_text(data).lower():
            continue
        record.file.delete(save=False)
        record.file = ""
        record.errors = [e for e in record.errors if needle not in str(e).lower()]
        if record.status in (ContactImport.Status.MAPPING, ContactImport.Status.QUEUED):
            record.status, record.failure = ContactImport.Status.FAILED, gettext(
                "The file was deleted: it held the personal data of a person who was erased.")
        record.save(update_fields=["file", "errors", "status", "failure"])
        erased += 1
    return erased


def _import_text(data: bytes) -> bytes:
    """A file's text for a search: CSV as it is (and as UTF-16 when it has a BOM), XLSX's sheets."""
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return b"\n".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
        except zipfile.BadZipFile:
            return data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="ignore").encode()
    return data
