"""The closed loop's REST endpoints: follow-up cases (`/api/v1/cases/…`: list, read, change)
and outgoing webhooks (`/api/v1/webhooks/…`: list, create, delete, test). Cases are read
through `organizations.access` (by way of `followups.selectors`); each write is one of
`followups.services`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from nps_platform.api.base import AdminSession, KeyScope, TenantAPIView, paginated, paginated_response
from organizations import access
from organizations.selectors import member_user_by_email

from .models import Case, Webhook
from .selectors import case_list, visible_case_list, webhook_list
from .services import case_update, webhook_create, webhook_delete, webhook_send_test, webhook_test_outcome
from .webhooks import TargetRefused

WEBHOOK_EVENTS = ["response.created", "response.detractor", "case.updated"]


# The schema's `Case` and `Webhook` components (no docstrings: drf-spectacular would publish them).
class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    response = serializers.IntegerField(source="response_id", read_only=True)
    category = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Case.Status.choices)
    reason = serializers.CharField(allow_blank=True, required=False)
    owner = serializers.EmailField(source="owner.email", allow_null=True, required=False)
    due_at = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WEBHOOK_EVENTS))
    is_active = serializers.BooleanField(read_only=True)


class CaseListApi(TenantAPIView):
    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("overdue", bool)],
                   responses=paginated(CaseSerializer, "Case"), operation_id="cases_list")
    def get(self, request):
        cases = case_list(actor=access.actor_of_api(request), status=request.query_params.get("status") or "",
                          overdue=request.query_params.get("overdue") in ("1", "true"))
        return paginated_response(queryset=cases, serializer_class=CaseSerializer, request=request, view=self)


class CaseDetailApi(TenantAPIView):
    @extend_schema_serializer(component_name="CaseUpdate")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Case.Status.choices,
                                         required=False)
        reason = serializers.ChoiceField(choices=[("", ""), *Case.Reason.choices], required=False, default="")
        owner = serializers.EmailField(required=False)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    @extend_schema(responses=CaseSerializer)
    def get(self, request, case_id: int):
        case = get_object_or_404(visible_case_list(actor=access.actor_of_api(request)), pk=case_id)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=InputSerializer, responses=CaseSerializer)
    def patch(self, request, case_id: int):
        """Changes status (a reason is needed to resolve or close), owner (a member's email) or adds a note."""
        actor = access.actor_of_api(request)
        if not access.may_work_cases(actor):
            raise PermissionDenied("Only admins and managers work cases.")
        case = get_object_or_404(visible_case_list(actor=actor), pk=case_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = None
        if data.get("owner") and (owner := member_user_by_email(email=data["owner"])) is None:
            raise serializers.ValidationError({"owner": "Not a member of this organization."})
        try:
            case = case_update(case=case, by=request.user or None, status=data.get("status"), owner=owner,
                               reason=data["reason"], note=data["note"])
        except ValidationError as exc:
            raise serializers.ValidationError({"reason": exc.messages}) from exc
        return Response(CaseSerializer(case).data)


class WebhookListApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema_serializer(component_name="WebhookCreated")
    class CreatedSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        url = serializers.URLField()
        events = serializers.ListField()
        secret = serializers.CharField()

    @extend_schema(responses=WebhookSerializer(many=True))
    def get(self, request):
        return Response(WebhookSerializer(webhook_list(), many=True).data)

    @extend_schema(request=WebhookSerializer, responses={201: CreatedSerializer})
    def post(self, request):
        """Creates a webhook; its signing secret is in this answer only."""
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hook = webhook_create(organization=self.organization, url=serializer.validated_data["url"],
                                  events=serializer.validated_data["events"], by=request.user or None)
        except TargetRefused as exc:
            raise serializers.ValidationError({"url": str(exc)}) from exc
        return Response(self.CreatedSerializer(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(responses={204: None})
    def delete(self, request, webhook_id: int):
        webhook_delete(webhook=get_object_or_404(Webhook, pk=webhook_id), by=request.user or None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookTestApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema_serializer(component_name="WebhookTest")
    class OutputSerializer(serializers.Serializer):
        delivered = serializers.BooleanField()
        status_code = serializers.IntegerField(allow_null=True)
        error = serializers.CharField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, webhook_id: int):
        delivery = webhook_send_test(webhook=get_object_or_404(Webhook, pk=webhook_id))
        delivered = delivery.status == delivery.Status.DELIVERED
        return Response(self.OutputSerializer({"delivered": delivered, "status_code": delivery.response_code,
                                               "error": "" if delivered else webhook_test_outcome(delivery)}).data)
