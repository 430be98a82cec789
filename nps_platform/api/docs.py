"""The API's documentation page: drf-spectacular's Swagger UI, started by a static script so
the strict Content-Security-Policy (no inline scripts or styles) holds on it too."""

from __future__ import annotations

import json

from django.middleware.csrf import get_token
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView


class SwaggerView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        settings = spectacular_settings.SWAGGER_UI_SETTINGS
        response.data["swagger_config"] = {
            "schemaUrl": self._get_schema_url(request),
            "settings": json.loads(settings) if isinstance(settings, str) else settings,
            "csrfHeaderName": self._get_csrf_header_name(),
            "csrfToken": get_token(request),
        }
        return response
