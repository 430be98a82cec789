"""Contact pages: the filtered list and its export, one contact, imports with column mapping
and a progress bar, segments and the suppression list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nps_platform.pagination import page_of
from nps_platform.parsing import parse_id
from nps_platform.tenancy import tenant_context
from organizations import access
from organizations.models import Department

from . import services
from .forms import ContactForm, ImportUploadForm, SegmentForm, SuppressionForm, mapping_choices
from .models import Contact, ContactImport, Segment, Suppression, Tag
from .selectors import FILTER_KEYS, contact_export_rows, contact_filter


def _filters(request) -> dict:
    """The list's filters from the query string, or a saved segment's (`?segment=<id>`)."""
    if (segment_id := parse_id(request.GET.get("segment"))) is not None:
        return get_object_or_404(Segment, pk=segment_id).filters
    return {k: request.GET.get(k, "") for k in FILTER_KEYS if request.GET.get(k)}


@access.admin_required
def contact_list(request, org_slug):
    filters = _filters(request)
    contacts = page_of(request, contact_filter(filters))
    context = {
        "contacts": contacts, "page_obj": contacts, "total": contacts.paginator.count, "filters": filters,
        "departments": Department.objects.order_by("name"), "tags": Tag.objects.all(),
        "segments": Segment.objects.all(), "segment_form": SegmentForm(),
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "contacts/_rows.html", context)
    return render(request, "contacts/list.html", context)


@access.admin_required
def contact_export(request, org_slug):
    organization, filters = request.organization, _filters(request)

    def rows():
        # A streaming body runs after the view returns, outside the request's tenant context.
        with tenant_context(organization):
            yield from contact_export_rows(contact_filter(filters))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contacts-{timezone.now():%Y-%m-%d}.csv"'
    return response


@access.admin_required
def contact_edit(request, org_slug, contact_id=None):
    contact = get_object_or_404(Contact, pk=contact_id) if contact_id else Contact()
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.organization = request.organization
        services.contact_save(contact=contact, tags=form.tags(request.organization), by=request.user)
        messages.success(request, _("Saved %(email)s.") % {"email": contact.email})
        return redirect("contact_list", org_slug=org_slug)
    return render(request, "contacts/edit.html", {"form": form, "contact": contact})


@require_POST
@access.admin_required
def contact_delete(request, org_slug, contact_id):
    contact = get_object_or_404(Contact, pk=contact_id)
    services.contact_delete(contact=contact, by=request.user)
    messages.success(request, _("Deleted %(email)s.") % {"email": contact.email})
    return redirect("contact_list", org_slug=org_slug)


@require_POST
@access.admin_required
def segment_create(request, org_slug):
    form = SegmentForm(request.POST)
    filters = {k: request.POST.get(k) for k in FILTER_KEYS if request.POST.get(k)}
    if form.is_valid():
        segment = services.segment_save(organization=request.organization, name=form.cleaned_data["name"],
                                        filters=filters, by=request.user)
        messages.success(request, _("Saved the segment “%(name)s”.") % {"name": segment.name})
    return redirect("contact_list", org_slug=org_slug)


@require_POST
@access.admin_required
def segment_delete(request, org_slug, segment_id):
    segment = get_object_or_404(Segment, pk=segment_id)
    try:
        segment.delete()
    except ProtectedError:
        messages.error(request, _("A campaign sends to this segment; change the campaign first."))
    return redirect("contact_list", org_slug=org_slug)


@access.admin_required
def contact_import(request, org_slug):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record, _info = services.import_start(organization=request.organization, name=upload.name,
                                                  data=upload.read(), by=request.user)
        except services.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("contact_import_detail", org_slug=org_slug, contactimport_id=record.pk)
    return render(request, "contacts/import.html", {
        "form": form, "imports": ContactImport.objects.all()[:10],
    })


@access.admin_required
def contact_import_detail(request, org_slug, contactimport_id):
    record = get_object_or_404(ContactImport, pk=contactimport_id)
    if record.status != ContactImport.Status.MAPPING:
        template = "contacts/_import_progress.html" if request.htmx else "contacts/import_progress.html"
        return render(request, template, {"record": record})
    with record.file.open("rb") as fh:
        header, rows = services.import_rows(name=record.original_name, data=fh.read())
    preview = [values for _i, (_line, values) in zip(range(5), rows, strict=False)]
    error = None
    if request.method == "POST":
        mapping = {column: request.POST.get(f"map-{i}", services.IGNORE) for i, column in enumerate(header)}
        try:
            services.import_confirm(record=record, mapping=mapping, by=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
            record.mapping = mapping
        else:
            return redirect("contact_import_detail", org_slug=org_slug, contactimport_id=record.pk)
    columns = [{"index": i, "name": column, "selected": record.mapping.get(column, services.ATTRIBUTE),
                "samples": [str(row.get(column, "") or "") for row in preview]} for i, column in enumerate(header)]
    return render(request, "contacts/import_mapping.html", {
        "record": record, "columns": columns, "choices": mapping_choices(), "error": error,
    })


@access.admin_required
def suppression_list(request, org_slug):
    form = SuppressionForm(request.POST or None) if access.may_administer(access.actor_of(request)) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only admins change the suppression list.")
        if form.is_valid():
            services.suppression_add(organization=request.organization, by=request.user, **form.cleaned_data)
            messages.success(request, _("%(email)s will not be emailed again.")
                             % {"email": form.cleaned_data["email"].lower()})
            return redirect("suppression_list", org_slug=org_slug)
    return render(request, "contacts/suppressions.html", {
        "suppressions": Suppression.objects.all()[:500], "form": form,
    })


@require_POST
@access.admin_required
def suppression_delete(request, org_slug, suppression_id):
    suppression = get_object_or_404(Suppression, pk=suppression_id)
    services.suppression_remove(suppression=suppression, by=request.user)
    messages.success(request, _("%(email)s may be emailed again.") % {"email": suppression.email})
    return redirect("suppression_list", org_slug=org_slug)
