"""Small helpers every package's views share, and the one place a service's refusal (an
``app.errors.ServiceError``) becomes what a person sees: a GOV.UK error summary on a page, or a
JSON error body."""

from flask import abort, jsonify
from flask_login import current_user

from app.errors import NotAllowed, NotFound
from app.extensions import db
from app.forms import add_error


def me():
    return current_user._get_current_object()


def found(value):
    if value is None:
        abort(404)
    return value


def refused(form, exc, default, fields=None):
    """Show a service's refusal in the error summary, against the field it names (``fields`` maps
    a service's field name to the form's, when they differ), or ``default``; a NotAllowed is a
    403 and a NotFound a 404. What the service may have changed before refusing is rolled back,
    so the page shows what is stored plus what was typed."""
    db.session.rollback()
    if isinstance(exc, NotAllowed):
        abort(403)
    if isinstance(exc, NotFound):
        abort(404)
    field = (fields or {}).get(exc.field, exc.field)
    add_error(form, field if field and hasattr(form, field) else default, str(exc))


def refused_json(exc):
    """A service's refusal as a JSON error body: 403 for NotAllowed, 404 for NotFound, else 400
    (422 would be as right; 400 is what the error pages use)."""
    db.session.rollback()
    status = 403 if isinstance(exc, NotAllowed) else 404 if isinstance(exc, NotFound) else 400
    body = {"error": {"status": status, "message": str(exc), "field": exc.field}}
    return jsonify(body), status
