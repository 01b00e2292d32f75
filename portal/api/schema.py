"""OpenAPI post-processing: document the error answers every operation can give.

drf-spectacular lists only the success responses; clients (and the schemathesis run in the
test suite) need the 400/401/403/404/429 shapes too.
"""

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
BODY_ERRORS = {"415": "The body's Content-Type is not one this operation accepts."}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for code, description in errors.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
