"""The contacts' REST endpoints (`/api/v1/contacts/…`): the directory for admins and keys,
upserts by email (one, or up to 1 000 at once), read and delete. Each view validates its input,
calls one of `contacts.services` / `contacts.selectors` and answers; every write goes through
the services (audit log, rollup recounts)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from nps_platform.api.base import AdminSession, KeyScope, TenantAPIView, idempotent, paginated, paginated_response
from organizations.models import Department

from .models import Contact
from .selectors import contact_filter
from .services import contact_delete, contact_upsert, contacts_upsert

LIST_FILTERS = ("q", "language", "department", "tag", "region")


# A contact in and out: the schema's one `Contact` component, shared by every contact endpoint
# (its read-only fields are ignored on input). No docstrings on serializers or API classes here:
# drf-spectacular would publish them as the schema's descriptions.
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


class ContactListApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]  # the contacts directory is for admins

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("language", str),
                               OpenApiParameter("department", int), OpenApiParameter("tag", int)],
                   responses=paginated(ContactSerializer, "Contact"), operation_id="contacts_list")
    def get(self, request):
        """Contacts, filtered like the contact list page; cursor-paginated."""
        filters = {k: request.query_params.get(k) for k in LIST_FILTERS if request.query_params.get(k)}
        return paginated_response(queryset=contact_filter(filters).order_by("-id"), serializer_class=ContactSerializer,
                                  request=request, view=self)

    @extend_schema(request=ContactSerializer, responses={200: ContactSerializer, 201: ContactSerializer})
    def post(self, request):
        """Creates a contact (an existing email is updated: upsert)."""
        def create():
            serializer = ContactSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            contact, created = contact_upsert(organization=self.organization, fields=serializer.validated_data,
                                              by=request.user or None)
            return Response(ContactSerializer(contact).data,
                            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

        return idempotent(request, create)


class ContactBulkApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema_serializer(component_name="ContactBulkInput")
    class InputSerializer(serializers.Serializer):
        contacts = ContactSerializer(many=True, allow_empty=False)

        def validate_contacts(self, value):
            if len(value) > 1000:
                raise serializers.ValidationError("At most 1 000 contacts per call.")
            return value

    @extend_schema_serializer(component_name="BulkResult")
    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        """Upserts up to 1 000 contacts by email, all or nothing."""
        def run():
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            result = contacts_upsert(organization=self.organization, items=serializer.validated_data["contacts"],
                                     by=request.user or None)
            return Response(self.OutputSerializer(result).data)

        return idempotent(request, run)


class ContactDetailApi(TenantAPIView):
    permission_classes = [KeyScope, AdminSession]

    @extend_schema(responses=ContactSerializer)
    def get(self, request, contact_id: int):
        return Response(ContactSerializer(get_object_or_404(Contact, pk=contact_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, contact_id: int):
        contact_delete(contact=get_object_or_404(Contact, pk=contact_id), by=request.user or None)
        return Response(status=status.HTTP_204_NO_CONTENT)
