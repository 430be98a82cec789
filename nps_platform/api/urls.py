"""/api/: each app's endpoints under v1/ (their `api_urls.py`, named here by module path so the
kit imports no app), then the OpenAPI schema and its documentation page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from .docs import SwaggerView

API_APPS = ["organizations", "contacts", "surveys", "distribution", "responses", "followups", "dashboards"]

urlpatterns = [
    *(path("v1/", include(f"{app}.api_urls")) for app in API_APPS),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
