"""Closed-loop pages: rules, the case inbox, a case with its timeline, and webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nps_platform.pagination import page_of
from nps_platform.parsing import parse_int
from organizations import access
from organizations.models import Department
from responses.answers import answer_items

from . import selectors, services, webhooks
from .forms import CaseForm, ReplyForm, RuleForm, WebhookForm
from .models import Rule, Webhook


def rule_list(request, org_slug):
    if access.may_administer(access.actor_of(request)):
        services.rules_ensure_defaults(organization=request.organization)
    return render(request, "followups/rules.html", {"rules": Rule.objects.select_related("survey", "department")})


@access.admin_required
def rule_edit(request, org_slug, rule_id=None):
    rule = get_object_or_404(Rule, pk=rule_id) if rule_id else Rule()
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.organization = request.organization
        rule.save()
        messages.success(request, _("Saved the rule “%(name)s”.") % {"name": rule.name})
        return redirect("rule_list", org_slug=org_slug)
    return render(request, "followups/rule_edit.html", {"form": form, "rule": rule})


@require_POST
@access.admin_required
def rule_delete(request, org_slug, rule_id):
    get_object_or_404(Rule, pk=rule_id).delete()
    return redirect("rule_list", org_slug=org_slug)


@access.case_workers_only
def case_list(request, org_slug):
    actor = access.actor_of(request)
    view = request.GET.get("view", "mine")
    view = view if view in selectors.VIEWS else "mine"
    department, category = request.GET.get("department", ""), request.GET.get("category", "")
    departments = Department.objects.order_by("name")
    if actor.department_ids is not None:
        departments = departments.filter(pk__in=actor.department_ids)
    cases = page_of(request, selectors.case_inbox(actor=actor, view=view, department=department, category=category))
    return render(request, "followups/cases.html", {
        "cases": cases, "page_obj": cases,
        "counts": selectors.case_counts(actor=actor), "view": view, "now": timezone.now(),
        "departments": departments, "department": department, "category": category,
        "kpis": selectors.closed_loop_kpis(actor=actor),
    })


def _case(request, case_id, *related):
    """A case the member may see; any other is simply not found."""
    cases = selectors.visible_case_list(actor=access.actor_of(request))
    return get_object_or_404(cases.select_related("response__survey", "response__contact", *related), pk=case_id)


@access.case_workers_only
def case_detail(request, org_slug, case_id):
    case = _case(request, case_id, "owner", "department", "rule", "response__version")
    form = CaseForm(request.POST or None, initial={"status": case.status, "reason": case.reason,
                                                   "owner": case.owner_id})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_update(case=case, by=request.user, status=form.cleaned_data["status"],
                                     owner=form.cleaned_data["owner"], reason=form.cleaned_data["reason"],
                                     note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error("reason", exc.messages[0])
            else:
                return redirect("case_detail", org_slug=org_slug, case_id=case.pk)
    anonymous = case.response.survey.is_anonymous
    return render(request, "followups/case.html", {
        "case": case, "form": form, "reply_form": ReplyForm(), "events": case.events.select_related("actor"),
        "history": selectors.contact_history(actor=access.actor_of(request), case=case), "can_work": True,
        "anonymous": anonymous,
        # every answer beside the comment; an employee answer is shown no further than its comment
        "answer_items": [] if anonymous else answer_items(
            definition=case.response.version.definition, answers=case.response.answers,
            language=request.organization.default_language),
        "now": timezone.now(),
    })


@require_POST
@access.case_workers_only
def case_reply(request, org_slug, case_id):
    case = _case(request, case_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.case_reply(case=case, by=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("Your reply is sent and kept in the timeline."))
        except (ValidationError, OSError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    return redirect("case_detail", org_slug=org_slug, case_id=case.pk)


@require_POST
@access.case_workers_only
def case_resurvey(request, org_slug, case_id):
    case = _case(request, case_id)
    try:
        invitation = services.case_resurvey(case=case, by=request.user,
                                            days=parse_int(request.POST.get("days"), 1, 365, default=14))
        messages.success(request, _("The customer will be asked again on %(day)s.")
                         % {"day": f"{invitation.scheduled_for:%Y-%m-%d}"})
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("case_detail", org_slug=org_slug, case_id=case.pk)


@access.admin_required
def webhook_list(request, org_slug):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = services.webhook_create(organization=request.organization, url=form.cleaned_data["url"],
                                           events=form.cleaned_data["events"], by=request.user)
        except webhooks.TargetRefused as exc:
            form.add_error("url", str(exc))
        else:
            messages.success(request, _("Webhook added. Its signing secret is shown below."))
            return redirect("webhook_detail", org_slug=org_slug, webhook_id=hook.pk)
    return render(request, "followups/webhooks.html", {"form": form, "hooks": Webhook.objects.all()})


@access.admin_required
def webhook_detail(request, org_slug, webhook_id):
    hook = get_object_or_404(Webhook, pk=webhook_id)
    return render(request, "followups/webhook.html", {"hook": hook, "deliveries": hook.deliveries.all()[:100]})


@require_POST
@access.admin_required
def webhook_test(request, org_slug, webhook_id):
    hook = get_object_or_404(Webhook, pk=webhook_id)
    delivery = services.webhook_send_test(webhook=hook)
    if delivery.status == delivery.Status.DELIVERED:
        messages.success(request, _("The test event was delivered (HTTP %(code)s).") % {"code": delivery.response_code})
    else:
        messages.error(request, _("The test event was not delivered: %(error)s")
                       % {"error": services.webhook_test_outcome(delivery)})
    return redirect("webhook_detail", org_slug=org_slug, webhook_id=hook.pk)


@require_POST
@access.admin_required
def webhook_delete(request, org_slug, webhook_id):
    services.webhook_delete(webhook=get_object_or_404(Webhook, pk=webhook_id), by=request.user)
    messages.success(request, _("Webhook removed."))
    return redirect("webhook_list", org_slug=org_slug)
