"""The organization's REST endpoints (`/api/v1/departments/`, `/api/v1/employees/`): its
department tree as a flat list and its people. Reads through `organizations.selectors`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from nps_platform.api.base import TenantAPIView

from .selectors import department_list, employee_list


class DepartmentListApi(TenantAPIView):
    @extend_schema_serializer(component_name="Department")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        kind = serializers.CharField()
        parent = serializers.IntegerField(source="parent_id", allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return Response(self.OutputSerializer(department_list(), many=True).data)


class EmployeeListApi(TenantAPIView):
    @extend_schema_serializer(component_name="Employee")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        email = serializers.CharField()
        department = serializers.IntegerField(source="department_id", allow_null=True)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return Response(self.OutputSerializer(employee_list(), many=True).data)
