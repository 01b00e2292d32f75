"""OpenAPI additions: what ids may be, and the error answers every operation can give.

drf-spectacular lists only the success responses; clients (and the schemathesis run in the
test suite) need the 400/401/403/404/413/415/429 shapes too, and the range of an id: a whole
number from 1 to 2^63-1 (what every database's id column holds), in paths and in bodies.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from portal.core.validators import ID_MAX

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
PATH_IDS = ("id", "user_id")


class IdFieldExtension(OpenApiSerializerFieldExtension):
    """`portal.api.serializers.IdField` (and its lists) take ids in the range above."""

    target_class = "portal.api.serializers.IdField"

    def map_serializer_field(self, auto_schema, direction):
        return dict(ID_SCHEMA)


class IdListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "portal.api.serializers.IdListField"

    def map_serializer_field(self, auto_schema, direction):
        from portal.api.serializers import MAX_IDS

        return {"type": "array", "items": dict(ID_SCHEMA), "maxItems": MAX_IDS}


ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'Either {"detail": "message"} or {"field": ["message", ...]} with '
        '"non_field_errors" for errors about the whole request.'
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

ERRORS = {
    "400": "The request is invalid: messages per field.",
    "401": "No valid credentials: sign in and send `Authorization: Bearer <access>`.",
    "403": "You may see this but not do this.",
    "404": "Not found, or not in one of your teams.",
    "406": "The Accept header asks for a format the API does not give (it speaks JSON).",
    "429": "Too many requests or failed sign-ins: wait and try again.",
}
# Only for operations that take a body.
BODY_ERRORS = {
    "413": "The body is larger than the server takes.",
    "415": "The body's Content-Type is not one this operation accepts (JSON, unless it says).",
}


# PATCH bodies are partial in drf-spectacular's components; these views still need the field.
REQUIRED_IN_PATCH = {"PatchedMembershipRoleRequest": ["role"]}


def _required_in_patch(result: dict) -> None:
    schemas = result["components"]["schemas"]
    for name, required in REQUIRED_IN_PATCH.items():
        if name in schemas:
            schemas[name]["required"] = required
    for operations in result.get("paths", {}).values():
        body = operations.get("patch", {}).get("requestBody", {})
        refs = [c.get("schema", {}).get("$ref", "") for c in body.get("content", {}).values()]
        if any(ref.rsplit("/", 1)[-1] in REQUIRED_IN_PATCH for ref in refs):
            body["required"] = True


def _path_ids(operation: dict) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") in PATH_IDS:
            parameter["schema"] = dict(ID_SCHEMA)


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _path_ids(operation)
            responses = operation["responses"]
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    _required_in_patch(result)
    return result
