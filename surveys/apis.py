"""The surveys' REST endpoints (`/api/v1/surveys/…`): the organization's surveys, one with its
published definition. Reads through `surveys.selectors`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from nps_platform.api.base import TenantAPIView, paginated, paginated_response

from .models import Survey
from .selectors import survey_list


# The schema's `Survey` component (no docstring: drf-spectacular would publish it).
class SurveySerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="current_version.number", allow_null=True, default=None)
    languages = serializers.ListField(child=serializers.CharField(), source="all_languages")

    class Meta:
        model = Survey
        fields = ["id", "name", "kind", "status", "default_language", "languages", "version", "created_at"]


class SurveyListApi(TenantAPIView):
    @extend_schema(responses=paginated(SurveySerializer, "Survey"), operation_id="surveys_list")
    def get(self, request):
        return paginated_response(queryset=survey_list(), serializer_class=SurveySerializer, request=request,
                                  view=self)


class SurveyDetailApi(TenantAPIView):
    @extend_schema(responses=SurveySerializer)
    def get(self, request, survey_id: int):
        survey = get_object_or_404(Survey.objects.select_related("current_version"), pk=survey_id)
        data = SurveySerializer(survey).data
        data["definition"] = survey.current_version.definition if survey.current_version else None
        return Response(data)
