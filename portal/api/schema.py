"""OpenAPI additions: what ids may be, and the error answers every operation can give.

drf-spectacular lists only the success responses; clients (and the schemathesis run in the
test suite) need the 400/401/403/404/413/415/429 shapes too, and the range of an id: a whole
number from 1 to 2^63-1 (what every database's id column holds), in paths and in bodies.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from portal.core.validators import ID_MAX

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
PATH_IDS = ("id", "user_id", "invitation_id")


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


# Refusals of a well-formed request by a rule about data the schema cannot know.
REFUSALS = {
    ("post", "/api/auth/login/"): "The username or email and password match no account.",
    ("post", "/api/auth/logout/"): "The refresh token is not valid.",
    (
        "post",
        "/api/auth/password/change/",
    ): "The old password is wrong, or the new one breaks a rule.",
    ("post", "/api/auth/password/reset/confirm/"): "The uid or token is not valid, or the new "
    "password breaks a rule.",
    ("post", "/api/auth/registration/"): "The username or email is taken, or the password "
    "breaks a rule.",
    ("post", "/api/tags/"): "A tag with this name already exists (names are unique ignoring case).",
    ("post", "/api/teams/"): "A team with this name, slug or key already exists.",
    ("patch", "/api/teams/{id}/"): "A team with this name, slug or key already exists.",
    ("post", "/api/teams/{id}/members/"): "This person is already a member of the team.",
    ("patch", "/api/teams/{id}/members/{user_id}/"): "A team keeps at least one lead.",
    ("delete", "/api/teams/{id}/members/{user_id}/"): "A team keeps at least one lead.",
    ("post", "/api/teams/{id}/invitations/"): "The address belongs to a member of the team, "
    "or is one the portal does not take as an address.",
    ("post", "/api/tasks/"): "An id names no row you can use here (team, parent, people, tags), "
    "or a custom field's value does not fit it.",
    ("put", "/api/tasks/{id}/"): "An id names no row you can use here, a parent cycle, or a "
    "custom field's value does not fit it.",
    ("patch", "/api/tasks/{id}/"): "An id names no row you can use here, a parent cycle, or a "
    "custom field's value does not fit it.",
    ("post", "/api/teams/{id}/fields/"): "The team has a field with this key, or the choices, "
    "decimals or default do not fit the type.",
    ("patch", "/api/teams/{id}/fields/{field_id}/"): "The key cannot change, the type cannot "
    "change once tasks hold values, or the choices, decimals or default do not fit the type.",
    ("delete", "/api/teams/{id}/fields/{field_id}/"): "Tasks hold values of the field: confirm "
    "with ?confirm=1.",
    ("post", "/api/tasks/{id}/attachments/"): "The file is empty, too large, would take the "
    "task over its total, or is of a refused kind; or the comment is not one of the task's.",
    ("post", "/api/tasks/{id}/assign/"): "Someone named is not a lead or member of the team.",
    ("post", "/api/tasks/import/"): "The file is not a task sheet, or a row has an error.",
    ("post", "/api/views/"): "You have a view of this name on this page, a filter's value is "
    "one the task filters refuse, the team is not one you can see, or a view of My work is "
    "shared or a board.",
    ("patch", "/api/views/{id}/"): "You have a view of this name on this page, a filter's value "
    "is one the task filters refuse, or a view of My work is shared.",
    ("post", "/api/webhooks/"): "The team is not one you can see, or the URL's host does not "
    "resolve or resolves to an address webhooks may not reach (docs/events.md).",
    ("patch", "/api/webhooks/{id}/"): "The URL's host does not resolve or resolves to an "
    "address webhooks may not reach (docs/events.md).",
    ("post", "/api/webhooks/{id}/test/"): "The endpoint is switched off.",
    (
        "post",
        "/api/webhooks/{id}/deliveries/{delivery_id}/redeliver/",
    ): "The endpoint is switched off.",
}


def _refusals(path: str, method: str, responses: dict) -> None:
    note = REFUSALS.get((method, path))
    if note:
        bad = responses["400"]
        bad["description"] = f"{bad['description']} Also when the request is well formed: {note}"


# Text never holds NUL (every door refuses it: portal.core.validators); the schema says so for
# text in request bodies and query strings that has no stricter pattern or format.
# Text that may not be blank is trimmed first, so it needs a character other than a space.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"
# The portal's own text (portal.core.validators.text_problem): names and titles are one line
# without control characters; descriptions and comments may hold tabs and line breaks.
_ONE_LINE = "\\u0000-\\u001f"
_LINES = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f"
TEXT_PATTERNS = {
    "title": (f"^[^{_ONE_LINE}]*$", f"^[^{_ONE_LINE}]*[^\\s{_ONE_LINE}][^{_ONE_LINE}]*$"),
    "description": (f"^[^{_LINES}]*$", f"^[^{_LINES}]*[^\\s{_LINES}][^{_LINES}]*$"),
}
ONE_LINE_FIELDS = {"title", "name", "first_name", "last_name"}
LINES_FIELDS = {"description", "body"}


def _no_nul(schema: dict, name: str = "", *, body: bool = False) -> None:
    if schema.get("type") == "string" and not {"pattern", "format", "enum"} & schema.keys():
        kind = "title" if name in ONE_LINE_FIELDS else "description" if name in LINES_FIELDS else ""
        if body and kind:
            anything, not_blank = TEXT_PATTERNS[kind]
        else:
            anything, not_blank = NO_NUL, NOT_BLANK
        schema["pattern"] = not_blank if schema.get("minLength", 0) > 0 else anything
    for child_name, child in schema.get("properties", {}).items():
        _no_nul(child, child_name, body=body)
    if isinstance(schema.get("items"), dict):
        _no_nul(schema["items"], body=body)


def _text_without_nul(result: dict) -> None:
    for name, schema in result["components"]["schemas"].items():
        if name.endswith("Request"):
            _no_nul(schema, body=True)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query":
                    _no_nul(parameter["schema"])


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
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
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
            _refusals(path, method, responses)
    _required_in_patch(result)
    _text_without_nul(result)
    return result
