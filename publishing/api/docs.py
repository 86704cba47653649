"""The API's documentation page (``/api``): rendered on the server from the OpenAPI document
itself, in the GOV.UK style, with no script and nothing from another site. What it says of each
route, parameter and field is what the document says, so the two never disagree."""

from flask import current_app, render_template
from markupsafe import Markup, escape

from publishing.api.blueprint import bp

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def _ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def type_words(schema):
    """A schema's type in words, as HTML linking each record it names to its table below:
    "list of <a href=#schema-Lot>Lot</a>"."""
    if not schema:
        return Markup("any")
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return Markup('<a class="govuk-link" href="#schema-{0}">{0}</a>').format(name)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return Markup(" or ").join(type_words(option) for option in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return Markup("list of ") + type_words(schema.get("items") or {})
    if isinstance(kind, list):
        main = [k for k in kind if k != "null"]
        words = " or ".join(_scalar(k, schema) for k in main) or "null"
        return escape(f"{words} or null" if "null" in kind else words)
    if "enum" in schema and kind is None:
        return Markup("text")
    return escape(_scalar(kind or "any", schema))


def _scalar(kind, schema):
    words = {
        "string": "text",
        "integer": "whole number",
        "boolean": "true or false",
    }.get(kind, kind)
    fmt = schema.get("format")
    if fmt:
        words += f" ({fmt})"
    return words


def _constraints(schema):
    notes = []
    values = schema.get("enum")
    if values:
        notes.append("One of: " + ", ".join(str(v) for v in values if v is not None))
    if "minimum" in schema or "maximum" in schema:
        notes.append(f"From {schema.get('minimum', '…')} to {schema.get('maximum', '…')}")
    if "maxLength" in schema:
        notes.append(f"At most {schema['maxLength']} characters")
    if "pattern" in schema:
        notes.append(f"Matches {schema['pattern']}")
    if "default" in schema:
        notes.append(f"Default: {schema['default']}")
    return notes


def fields_of(schema, spec):
    """[{name, type, links, required, notes}] for an object schema (resolving one $ref)."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][_ref_name(schema["$ref"])]
    required = set(schema.get("required", []))
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        notes = [prop["description"]] if prop.get("description") else []
        rows.append(
            {
                "name": name,
                "name_html": Markup("<code>{}</code>").format(name),
                "type": type_words(prop),
                "required": name in required,
                "notes": notes + _constraints(prop),
            }
        )
    return rows


def _body_schema(content):
    media = (content or {}).get("application/json") or {}
    return media.get("schema")


def operations(spec):
    """Every route, grouped by tag in the document's order: {tag: [operation]}."""
    groups = {}
    for path, item in spec["paths"].items():
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            parameters = [
                {
                    "name": p["name"],
                    "name_html": Markup("<code>{}</code>").format(p["name"]),
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": type_words(p.get("schema") or {}),
                    "notes": ([p["description"]] if p.get("description") else [])
                    + _constraints(p.get("schema") or {}),
                }
                for p in op.get("parameters", []) + item.get("parameters", [])
            ]
            request_schema = _body_schema((op.get("requestBody") or {}).get("content"))
            responses = []
            for code, response in op.get("responses", {}).items():
                if "$ref" in response:
                    response = spec["components"]["responses"][_ref_name(response["$ref"])]
                schema = _body_schema(response.get("content"))
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "type": type_words(schema) if schema else Markup("nothing"),
                    }
                )
            security = op.get("security", spec.get("security", []))
            tag = (op.get("tags") or ["Other"])[0]
            groups.setdefault(tag, []).append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or "",
                    "description": op.get("description") or "",
                    "parameters": parameters,
                    "request": fields_of(request_schema, spec) if request_schema else None,
                    "responses": sorted(
                        responses, key=lambda r: (r["code"] == "default", r["code"])
                    ),
                    "token": "needed" if security and {} not in security else "optional",
                }
            )
    return groups


@bp.route("/api")
def api_docs():
    spec = current_app.extensions["publishing_api"].spec.to_dict()
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "publishing/api_docs.html",
        spec=spec,
        groups=operations(spec),
        schemas={name: fields_of(schema, spec) for name, schema in sorted(schemas.items())},
        rate_limit=current_app.config["API_RATE_LIMIT"],
    )
