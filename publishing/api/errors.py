"""Every error on the API is JSON: ``{"errors": [{"field": ..., "message": ...}]}`` with the right
4xx (or 5xx) status. A service's refusal names its field (``app.errors.ServiceError``); a request
that does not fit the schema names each field that is wrong (422)."""

from flask import jsonify

from app.errors import Conflict, NotAllowed, NotFound, ServiceError
from app.extensions import db

TITLES = {404: "Not found", 405: "This method is not allowed here"}


def body(errors):
    return {"errors": [{"field": field, "message": message} for field, message in errors]}


def respond(status, errors, headers=None):
    response = jsonify(body(errors))
    response.status_code = status
    for name, value in headers or []:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def shape(status, title, message):
    """The body of an error the app's own handlers answer (unknown address, failure)."""
    return body([(None, TITLES.get(status, title))])


def _flatten(messages, prefix=""):
    """webargs' {"json": {"questions": {0: {"text": ["..."]}}}} as [("questions.0.text", "...")]."""
    if isinstance(messages, (list, tuple)):
        out = []
        for item in messages:
            if isinstance(item, (dict, list, tuple)):
                out.extend(_flatten(item, prefix))
            else:
                out.append((prefix or None, str(item)))
        return out
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, "" if key == "_schema" else name))
        return out
    return [(prefix or None, str(messages))]


def http_error(exc):
    """An HTTP error raised in an API view (webargs' 422 carries its field messages)."""
    data = getattr(exc, "data", None) or {}
    errors = []
    for _location, messages in (data.get("messages") or {}).items():
        errors.extend(_flatten(messages))
    if not errors:
        errors = [(None, exc.description or TITLES.get(exc.code, exc.name))]
    return respond(exc.code or 500, errors, exc.get_headers())


def status_of(exc):
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return 422


def service_error(exc):
    """A service's refusal: what it changed is rolled back, and the field it names is given."""
    db.session.rollback()
    return respond(status_of(exc), [(exc.field, str(exc))])


def register(bp):
    from werkzeug.exceptions import HTTPException

    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(ServiceError, service_error)
