"""REST API v1. Each endpoint is thin: validate with an input serializer, call a service or
selector of its app, answer with an output serializer. Tenancy comes from the key."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response as ApiResponse

from contacts.models import Contact
from contacts.selectors import contact_filter
from dashboards.selectors import DIMENSIONS, Dashboard, filters_from
from distribution.models import Campaign
from distribution.services import trigger_event
from followups.models import Case
from nps_platform.parsing import parse_datetime, parse_id
from organizations import access
from organizations.models import Department, Employee
from responses.models import Response
from responses.selectors import response_list
from surveys.models import Survey

from .base import AdminSession, KeyScope, Pagination, TenantAPIView, idempotent


def paginated(serializer_class, name: str):
    """The schema of a cursor-paginated list of `serializer_class`."""
    return inline_serializer(f"Paginated{name}List", {
        "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True)})


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "email", "name", "language", "department", "region", "product", "customer_since",
                  "revenue_12m", "currency", "attributes", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_email(self, value):
        return value.strip().lower()

    def validate_department(self, value):
        if value is not None and not Department.objects.filter(pk=value.pk).exists():
            raise serializers.ValidationError("No such department.")
        return value


class ContactListView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]  # the contacts directory is for admins
    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("language", str),
                               OpenApiParameter("department", int), OpenApiParameter("tag", int)],
                   responses=paginated(ContactSerializer, "Contact"), operation_id="contacts_list")
    def get(self, request):
        """Contacts, filtered like the contact list page; cursor-paginated."""
        filters = {k: request.query_params.get(k) for k in ("q", "language", "department", "tag", "region")
                   if request.query_params.get(k)}
        paginator = Pagination()
        page = paginator.paginate_queryset(contact_filter(filters).order_by("-id"), request, view=self)
        return paginator.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(request=ContactSerializer, responses={200: ContactSerializer, 201: ContactSerializer})
    def post(self, request):
        """Creates a contact (an existing email is updated: upsert)."""
        from contacts.services import contact_upsert

        def create():
            serializer = ContactSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            contact, created = contact_upsert(organization=self.organization, fields=serializer.validated_data,
                                              by=request.user or None)
            return ApiResponse(ContactSerializer(contact).data,
                               status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

        return idempotent(request, create)


class ContactBulkView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]
    class ContactBulkInput(serializers.Serializer):
        contacts = ContactSerializer(many=True, allow_empty=False)

        def validate_contacts(self, value):
            if len(value) > 1000:
                raise serializers.ValidationError("At most 1 000 contacts per call.")
            return value

    @extend_schema(request=ContactBulkInput, responses=inline_serializer(
        "BulkResult", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()}))
    def post(self, request):
        """Upserts up to 1 000 contacts by email, all or nothing."""
        from contacts.services import contacts_upsert

        def run():
            serializer = self.ContactBulkInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            return ApiResponse(contacts_upsert(organization=self.organization,
                                               items=serializer.validated_data["contacts"], by=request.user or None))

        return idempotent(request, run)


class ContactDetailView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]
    @extend_schema(responses=ContactSerializer)
    def get(self, request, contact_id: int):
        return ApiResponse(ContactSerializer(get_object_or_404(Contact, pk=contact_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, contact_id: int):
        from contacts.services import contact_delete

        contact_delete(contact=get_object_or_404(Contact, pk=contact_id), by=request.user or None)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class ContactPersonalDataView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(responses=inline_serializer("PersonalData", {
        "contact": serializers.DictField(), "invitations": serializers.ListField(),
        "responses": serializers.ListField()}))
    def get(self, request, contact_id: int):
        """Everything held about a contact (recorded in the audit log)."""
        from responses.privacy import contact_export

        contact = get_object_or_404(Contact, pk=contact_id)
        return ApiResponse(contact_export(contact=contact, by=request.user if request.user else None))

    @extend_schema(responses={200: inline_serializer("Erased", {"responses": serializers.IntegerField(),
                                                               "invitations": serializers.IntegerField()})})
    def delete(self, request, contact_id: int):
        """Erases the contact's personal data; their scores stay in the numbers."""
        from responses.privacy import contact_erase

        contact = get_object_or_404(Contact, pk=contact_id)
        return ApiResponse(contact_erase(contact=contact, by=request.user if request.user else None))


class SurveySerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="current_version.number", allow_null=True, default=None)
    languages = serializers.ListField(child=serializers.CharField(), source="all_languages")

    class Meta:
        model = Survey
        fields = ["id", "name", "kind", "status", "default_language", "languages", "version", "created_at"]


class SurveyListView(TenantAPIView):
    @extend_schema(responses=paginated(SurveySerializer, "Survey"), operation_id="surveys_list")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(Survey.objects.filter(archived_at=None).select_related("current_version")
                                           .order_by("-id"), request, view=self)
        return paginator.get_paginated_response(SurveySerializer(page, many=True).data)


class SurveyDetailView(TenantAPIView):
    @extend_schema(responses=SurveySerializer)
    def get(self, request, survey_id: int):
        survey = get_object_or_404(Survey.objects.select_related("current_version"), pk=survey_id)
        data = SurveySerializer(survey).data
        data["definition"] = survey.current_version.definition if survey.current_version else None
        return ApiResponse(data)


class ResponseSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = ["id", "survey", "score", "category", "comment", "answers", "language", "channel", "department",
                  "contact", "created_at", "updated_at"]

    def get_contact(self, response) -> dict | None:
        if response.contact is None or not self.context.get("show_people"):
            return None  # as on the responses page: the person only for who may see people
        return {"id": response.contact_id, "email": response.contact.email}


def _actor(request) -> access.Actor:
    """The reader: a browser session's member, or a key (which reads as an admin does)."""
    membership = getattr(request, "api_membership", None)
    if membership is None:
        return access.actor_for_key(request.api_organization)
    return access.actor_for(membership)


def _response_context(request) -> dict:
    return {"show_people": access.may_see_people(_actor(request))}


class ResponseListView(TenantAPIView):
    @extend_schema(parameters=[OpenApiParameter("since", str),
                               OpenApiParameter("survey", int), OpenApiParameter("category", str),
                               OpenApiParameter("department", int)],
                   responses=paginated(ResponseSerializer, "Response"), operation_id="responses_list")
    def get(self, request):
        # The same reading as the responses page: a manager's session sees their departments.
        qs = response_list(actor=_actor(request), filters={}).order_by("-id")
        params = request.query_params
        if params.get("since"):
            if (since := parse_datetime(params["since"])) is None:
                raise serializers.ValidationError({"since": "Use an ISO 8601 date or time."})
            qs = qs.filter(created_at__gte=since)
        if (survey := parse_id(params.get("survey"))) is not None:
            qs = qs.filter(survey_id=survey)
        if params.get("category") in ("promoter", "passive", "detractor"):
            qs = qs.filter(category=params["category"])
        if (department := parse_id(params.get("department"))) is not None:
            qs = qs.filter(department_id=department)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            ResponseSerializer(page, many=True, context=_response_context(request)).data)


class ResponseDetailView(TenantAPIView):
    @extend_schema(responses=ResponseSerializer)
    def get(self, request, response_id: int):
        visible = response_list(actor=_actor(request), filters={})
        return ApiResponse(ResponseSerializer(get_object_or_404(visible, pk=response_id),
                                              context=_response_context(request)).data)


SCORE_FIELDS = {
    "nps": serializers.IntegerField(allow_null=True), "n": serializers.IntegerField(),
    "promoters": serializers.IntegerField(), "passives": serializers.IntegerField(),
    "detractors": serializers.IntegerField(), "margin": serializers.FloatField(allow_null=True),
    "low_sample": serializers.BooleanField(),
}


def _score(score) -> dict:
    return {"nps": score.nps, "n": score.n, "promoters": score.promoters, "passives": score.passives,
            "detractors": score.detractors, "margin": score.margin, "low_sample": score.low_sample}


def _board(request) -> Dashboard:
    organization = request.api_organization
    params = QueryDict(request.META.get("QUERY_STRING", ""))
    return Dashboard(organization=organization, filters=filters_from(params, organization=organization),
                     actor=_actor(request))


STATS_PARAMS = [OpenApiParameter("from", str), OpenApiParameter("to", str), OpenApiParameter("survey", int),
                OpenApiParameter("kind", str), OpenApiParameter("department", int)]


class StatsSummaryView(TenantAPIView):
    @extend_schema(parameters=STATS_PARAMS, responses=inline_serializer("Summary", {
        **SCORE_FIELDS, "previous": inline_serializer("PreviousPeriod", SCORE_FIELDS),
        "change": serializers.IntegerField(allow_null=True), "significant": serializers.BooleanField(allow_null=True)}))
    def get(self, request):
        """The dashboard's headline: the same numbers, from the same code."""
        headline = _board(request).headline()
        return ApiResponse({**_score(headline["score"]), "previous": _score(headline["previous"]),
                            "change": headline["change"], "significant": headline["significant"]})


class StatsBreakdownView(TenantAPIView):
    @extend_schema(parameters=[*STATS_PARAMS, OpenApiParameter("dimension", str, enum=list(DIMENSIONS))],
                   responses=inline_serializer("BreakdownRow", {"value": serializers.CharField(),
                                                                "label": serializers.CharField(), **SCORE_FIELDS},
                                               many=True))
    def get(self, request):
        dimension = request.query_params.get("dimension", "department")
        if dimension not in DIMENSIONS:
            raise serializers.ValidationError({"dimension": f"One of: {', '.join(DIMENSIONS)}."})
        rows = _board(request).breakdown(dimension)
        return ApiResponse([{"value": r["value"], "label": r["label"], **_score(r["score"])} for r in rows])


class StatsTrendView(TenantAPIView):
    @extend_schema(parameters=[*STATS_PARAMS, OpenApiParameter("every", str, enum=["week", "month"])],
                   responses=inline_serializer("TrendPoint", {"period": serializers.DateField(), **SCORE_FIELDS},
                                               many=True))
    def get(self, request):
        return ApiResponse([{"period": row["bucket"].isoformat(), **_score(row["score"])}
                            for row in _board(request).trend()])


class TriggerView(TenantAPIView):
    class TriggerInput(serializers.Serializer):
        campaign = serializers.IntegerField()
        email = serializers.EmailField()
        name = serializers.CharField(required=False, allow_blank=True, default="")
        language = serializers.CharField(required=False, allow_blank=True, default="")
        event_at = serializers.DateTimeField(required=False)
        external_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    @extend_schema(request=TriggerInput, responses=inline_serializer("Triggered", {
        "scheduled": serializers.BooleanField(), "reason": serializers.CharField(),
        "invitation": serializers.IntegerField(allow_null=True), "scheduled_for": serializers.DateTimeField()}))
    def post(self, request):
        """Sends the survey of a triggered campaign to a person, its delay after the event
        (creating the contact if new)."""
        def run():
            serializer = self.TriggerInput(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            campaign = get_object_or_404(Campaign.objects.select_related("survey__current_version"),
                                         pk=data["campaign"])
            result = trigger_event(campaign=campaign, email=data["email"], name=data["name"],
                                   language=data["language"], external_id=data["external_id"],
                                   event_at=data.get("event_at") or timezone.now())
            invitation = result.invitation
            return ApiResponse({"scheduled": invitation is not None, "reason": result.reason,
                                "invitation": invitation.pk if invitation else None,
                                "scheduled_for": invitation.scheduled_for if invitation else None},
                               status=status.HTTP_201_CREATED if invitation else status.HTTP_200_OK)

        return idempotent(request, run)


class DepartmentListView(TenantAPIView):
    @extend_schema(responses=inline_serializer("Department", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "kind": serializers.CharField(),
        "parent": serializers.IntegerField(allow_null=True)}, many=True))
    def get(self, request):
        return ApiResponse([{"id": d.pk, "name": d.name, "kind": d.kind, "parent": d.parent_id}
                            for d in Department.objects.order_by("name")])


class EmployeeListView(TenantAPIView):
    @extend_schema(responses=inline_serializer("Employee", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "email": serializers.CharField(),
        "department": serializers.IntegerField(allow_null=True)}, many=True))
    def get(self, request):
        return ApiResponse([{"id": e.pk, "name": e.name, "email": e.email, "department": e.department_id}
                            for e in Employee.objects.order_by("name")])


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "survey", "audience", "segment", "tag", "schedule", "send_at", "every",
                  "sample_size", "sample_percent", "trigger_delay_days", "quiet_period_days", "reminder_after_days",
                  "link_valid_days", "status", "created_at"]
        read_only_fields = ["id", "status", "created_at"]

    def validate_survey(self, value):
        if not Survey.objects.filter(pk=value.pk).exists():
            raise serializers.ValidationError("No such survey.")
        return value


class CampaignListView(TenantAPIView):
    @extend_schema(responses=paginated(CampaignSerializer, "Campaign"), operation_id="campaigns_list")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(Campaign.objects.order_by("-id"), request, view=self)
        return paginator.get_paginated_response(CampaignSerializer(page, many=True).data)

    @extend_schema(request=CampaignSerializer, responses={201: CampaignSerializer})
    def post(self, request):
        """Creates a campaign and, with "start": true, starts it (the survey must be published)."""
        from distribution.services import CampaignError, campaign_start

        def create():
            serializer = CampaignSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():
                campaign = serializer.save(organization=self.organization)
                if request.data.get("start") in (True, "true", "1"):
                    try:
                        campaign_start(campaign=campaign, by=request.user)
                    except CampaignError as exc:
                        transaction.set_rollback(True)
                        raise serializers.ValidationError({"start": str(exc)})
            return ApiResponse(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create)


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    response = serializers.IntegerField(source="response_id", read_only=True)
    category = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Case.Status.choices)
    reason = serializers.CharField(allow_blank=True, required=False)
    owner = serializers.EmailField(source="owner.email", allow_null=True, required=False)
    due_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CaseListView(TenantAPIView):
    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("overdue", bool)],
                   responses=paginated(CaseSerializer, "Case"), operation_id="cases_list")
    def get(self, request):
        qs = access.visible_cases(_actor(request), Case.objects.select_related("owner")).order_by("-id")
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        if request.query_params.get("overdue") in ("1", "true"):
            qs = qs.filter(status__in=Case.OPEN, due_at__lt=timezone.now())
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)


class CaseDetailView(TenantAPIView):
    class CaseUpdate(serializers.Serializer):
        status = serializers.ChoiceField(choices=Case.Status.choices,
                                         required=False)
        reason = serializers.ChoiceField(choices=[("", ""), *Case.Reason.choices], required=False, default="")
        owner = serializers.EmailField(required=False)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    @extend_schema(responses=CaseSerializer)
    def get(self, request, case_id: int):
        return ApiResponse(CaseSerializer(get_object_or_404(access.visible_cases(_actor(request), Case.objects.all()),
                                                            pk=case_id)).data)

    @extend_schema(request=CaseUpdate, responses=CaseSerializer)
    def patch(self, request, case_id: int):
        """Changes status (a reason is needed to resolve or close), owner (a member's email) or adds a note."""
        from django.core.exceptions import ValidationError

        from followups.services import case_update
        from organizations.models import Membership

        actor = _actor(request)
        if not access.may_work_cases(actor):
            raise PermissionDenied("Only admins and managers work cases.")
        case = get_object_or_404(access.visible_cases(actor, Case.objects.all()), pk=case_id)
        serializer = self.CaseUpdate(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = None
        if data.get("owner"):
            membership = Membership.objects.filter(user__email__iexact=data["owner"]).select_related("user").first()
            if membership is None:
                raise serializers.ValidationError({"owner": "Not a member of this organization."})
            owner = membership.user
        by = request.user if request.user else None
        try:
            case = case_update(case=case, by=by, status=data.get("status"), owner=owner, reason=data["reason"],
                               note=data["note"])
        except ValidationError as exc:
            raise serializers.ValidationError({"reason": exc.messages})
        return ApiResponse(CaseSerializer(case).data)


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(
        choices=["response.created", "response.detractor", "case.updated"]))
    is_active = serializers.BooleanField(read_only=True)


class WebhookListView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request):
        from followups.models import Webhook

        return ApiResponse(WebhookSerializer(Webhook.objects.order_by("id"), many=True).data)

    @extend_schema(request=WebhookSerializer, responses={201: inline_serializer("WebhookCreated", {
        "id": serializers.IntegerField(), "url": serializers.URLField(), "events": serializers.ListField(),
        "secret": serializers.CharField()})})
    def post(self, request):
        """Creates a webhook; its signing secret is in this answer only."""
        from followups.services import webhook_create
        from followups.webhooks import TargetRefused

        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hook = webhook_create(organization=self.organization, url=serializer.validated_data["url"],
                                  events=serializer.validated_data["events"], by=request.user or None)
        except TargetRefused as exc:
            raise serializers.ValidationError({"url": str(exc)})
        return ApiResponse({"id": hook.pk, "url": hook.url, "events": hook.events, "secret": hook.secret},
                           status=status.HTTP_201_CREATED)


class WebhookDetailView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(responses={204: None})
    def delete(self, request, webhook_id: int):
        from followups.models import Webhook

        get_object_or_404(Webhook, pk=webhook_id).delete()
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class WebhookTestView(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(request=None, responses=inline_serializer("WebhookTest", {
        "delivered": serializers.BooleanField(), "status_code": serializers.IntegerField(allow_null=True),
        "error": serializers.CharField()}))
    def post(self, request, webhook_id: int):
        from followups.models import Webhook
        from followups.services import webhook_send_test, webhook_test_outcome

        delivery = webhook_send_test(webhook=get_object_or_404(Webhook, pk=webhook_id))
        delivered = delivery.status == delivery.Status.DELIVERED
        return ApiResponse({"delivered": delivered, "status_code": delivery.response_code,
                            "error": "" if delivered else webhook_test_outcome(delivery)})
