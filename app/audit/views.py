"""Administrators read and filter the audit log."""

import math

from flask import Blueprint, render_template, request, url_for

from app.audit import queries
from app.audit.events import AuditEventType
from app.forms import optional_id
from app.permissions import admin_required

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _int_arg(name):
    return optional_id(request.args.get(name))


@bp.route("")
@admin_required
def list_events():
    filters = {
        "event_type": request.args.get("event_type")
        if request.args.get("event_type") in {e.value for e in AuditEventType}
        else None,
        "actor_email": request.args.get("actor_email", "").strip()[:320] or None,
        "organisation_id": _int_arg("organisation_id"),
        "subject_type": request.args.get("subject_type", "").strip()[:60] or None,
        "subject_id": _int_arg("subject_id"),
    }
    page = max(_int_arg("page") or 1, 1)
    events, total = queries.filter_events(page=page, **filters)
    pages = max(math.ceil(total / queries.PAGE_SIZE), 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    pagination = {}
    if page > 1:
        pagination["previous"] = {"href": url_for("audit.list_events", page=page - 1, **args)}
    if page < pages:
        pagination["next"] = {"href": url_for("audit.list_events", page=page + 1, **args)}
    return render_template(
        "audit/list.html",
        events=events,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        pagination=pagination,
        event_items=[{"value": "", "text": "Any event"}]
        + [
            {
                "value": e.value,
                "text": e.value.replace("_", " ").capitalize(),
                "selected": e.value == filters["event_type"],
            }
            for e in AuditEventType
        ],
    )
