"""The organization's REST endpoints, under /api/v1/ (included by nps_platform/api/urls.py)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("departments/", apis.DepartmentListApi.as_view(), name="api_departments"),
    path("employees/", apis.EmployeeListApi.as_view(), name="api_employees"),
]
