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


PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["status"],
}


def add_problem_responses(result, generator, request, public):
    """Every operation may answer an RFC 9457 problem document (400, 401, 403, 404, 429)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", {
                    "description": "A problem (RFC 9457): invalid input, no or a wrong key, not found, too many calls.",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                })
    return result
