"""OpenAPI descriptions of our authentication, for drf-spectacular."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "nps_platform.api.base.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An organization-bound API key, created by an admin in the browser."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "nps_platform.api.base.OrganizationSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The browser's session; name the organization in the X-Organization header."}
