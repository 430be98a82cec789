"""The responses' REST endpoints (`/api/v1/responses/…`) and a contact's personal data
(`/api/v1/contacts/<id>/personal-data/`, here because the export and the erasure reach the
answers). Every read goes through `organizations.access` (by way of `responses.selectors`):
the reader is `access.actor_of_api(request)`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response as ApiResponse

from contacts.models import Contact
from nps_platform.api.base import AdminSession, KeyScope, TenantAPIView, paginated, paginated_response
from nps_platform.parsing import parse_datetime, parse_id
from organizations import access

from .models import Response
from .privacy import contact_erase, contact_export
from .selectors import response_api_list, response_list


# The schema's `Response` component (no docstring: drf-spectacular would publish it).
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


def _people_context(actor: access.Actor) -> dict:
    return {"show_people": access.may_see_people(actor)}


class ResponseListApi(TenantAPIView):
    @extend_schema(parameters=[OpenApiParameter("since", str),
                               OpenApiParameter("survey", int), OpenApiParameter("category", str),
                               OpenApiParameter("department", int)],
                   responses=paginated(ResponseSerializer, "Response"), operation_id="responses_list")
    def get(self, request):
        # The same reading as the responses page: a manager's session sees their departments.
        params = request.query_params
        since = None
        if params.get("since") and (since := parse_datetime(params["since"])) is None:
            raise serializers.ValidationError({"since": "Use an ISO 8601 date or time."})
        actor = access.actor_of_api(request)
        responses = response_api_list(actor=actor, since=since, survey_id=parse_id(params.get("survey")),
                                      category=params.get("category") or "",
                                      department_id=parse_id(params.get("department")))
        return paginated_response(queryset=responses, serializer_class=ResponseSerializer, request=request,
                                  view=self, context=_people_context(actor))


class ResponseDetailApi(TenantAPIView):
    @extend_schema(responses=ResponseSerializer)
    def get(self, request, response_id: int):
        actor = access.actor_of_api(request)
        response = get_object_or_404(response_list(actor=actor, filters={}), pk=response_id)
        return ApiResponse(ResponseSerializer(response, context=_people_context(actor)).data)


class ContactPersonalDataApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema_serializer(component_name="PersonalData")
    class OutputSerializer(serializers.Serializer):
        contact = serializers.DictField()
        invitations = serializers.ListField()
        responses = serializers.ListField()

    @extend_schema_serializer(component_name="Erased")
    class ErasedSerializer(serializers.Serializer):
        responses = serializers.IntegerField()
        invitations = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, contact_id: int):
        """Everything held about a contact (recorded in the audit log)."""
        data = contact_export(contact=get_object_or_404(Contact, pk=contact_id), by=request.user or None)
        return ApiResponse(self.OutputSerializer(data).data)

    @extend_schema(responses={200: ErasedSerializer})
    def delete(self, request, contact_id: int):
        """Erases the contact's personal data; their scores stay in the numbers."""
        counts = contact_erase(contact=get_object_or_404(Contact, pk=contact_id), by=request.user or None)
        return ApiResponse(self.ErasedSerializer(counts).data)
