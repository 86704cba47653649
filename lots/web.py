"""Small helpers the lots views share."""

from flask import abort
from flask_login import current_user

from app.errors import NotAllowed
from app.extensions import db
from app.forms import add_error


def me():
    return current_user._get_current_object()


def found(value):
    if value is None:
        abort(404)
    return value


def refused(form, exc, default, fields=None):
    """Show a service's refusal in the error summary, against the field it names (or
    ``default``); a NotAllowed is a 403. What the service may have changed before refusing is
    rolled back, so the page shows what is stored plus what was typed."""
    db.session.rollback()
    if isinstance(exc, NotAllowed):
        abort(403)
    field = (fields or {}).get(exc.field, exc.field)
    add_error(form, field if field and hasattr(form, field) else default, str(exc))
