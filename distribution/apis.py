"""Distribution's REST endpoints: campaigns (`/api/v1/campaigns/`: list, create and start) and
events that send a triggered campaign's survey (`/api/v1/triggers/`). Each view validates its
input and calls one of `distribution.services`; a trigger's new contact is written by
`contacts.services`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from nps_platform.api.base import TenantAPIView, idempotent, paginated, paginated_response
from surveys.models import Survey

from .models import Campaign
from .services import CampaignError, campaign_create, trigger_event


# The schema's `Campaign` component, in and out (no docstring: drf-spectacular would publish it).
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


class CampaignListApi(TenantAPIView):
    @extend_schema(responses=paginated(CampaignSerializer, "Campaign"), operation_id="campaigns_list")
    def get(self, request):
        return paginated_response(queryset=Campaign.objects.all(), serializer_class=CampaignSerializer,
                                  request=request, view=self)

    @extend_schema(request=CampaignSerializer, responses={201: CampaignSerializer})
    def post(self, request):
        """Creates a campaign and, with "start": true, starts it (the survey must be published)."""
        def create():
            serializer = CampaignSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                campaign = campaign_create(organization=self.organization, fields=serializer.validated_data,
                                           start=request.data.get("start") in (True, "true", "1"),
                                           by=request.user or None)
            except CampaignError as exc:
                raise serializers.ValidationError({"start": str(exc)}) from exc
            return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

        return idempotent(request, create)


class TriggerApi(TenantAPIView):
    @extend_schema_serializer(component_name="TriggerInput")
    class InputSerializer(serializers.Serializer):
        campaign = serializers.IntegerField()
        email = serializers.EmailField()
        name = serializers.CharField(required=False, allow_blank=True, default="")
        language = serializers.CharField(required=False, allow_blank=True, default="")
        event_at = serializers.DateTimeField(required=False)
        external_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    @extend_schema_serializer(component_name="Triggered")
    class OutputSerializer(serializers.Serializer):
        scheduled = serializers.BooleanField()
        reason = serializers.CharField()
        invitation = serializers.IntegerField(allow_null=True)
        scheduled_for = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        """Sends the survey of a triggered campaign to a person, its delay after the event
        (creating the contact if new)."""
        def run():
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            campaign = get_object_or_404(Campaign.objects.select_related("survey__current_version"),
                                         pk=data["campaign"])
            result = trigger_event(campaign=campaign, email=data["email"], name=data["name"],
                                   language=data["language"], external_id=data["external_id"],
                                   event_at=data.get("event_at") or timezone.now())
            invitation = result.invitation
            # The output serializer describes this answer; the answer itself is rendered as it
            # always was: `scheduled_for` keeps the offset it was computed in (DateTimeField
            # would move it to the server's time zone).
            return Response({"scheduled": invitation is not None, "reason": result.reason,
                             "invitation": invitation.pk if invitation else None,
                             "scheduled_for": invitation.scheduled_for if invitation else None},
                            status=status.HTTP_201_CREATED if invitation else status.HTTP_200_OK)

        return idempotent(request, run)
