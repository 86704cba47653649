"""The development outbox: read every email the service has written, at /dev/outbox."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.rendering import render_email
from app.web import found

bp = Blueprint("notifications", __name__)


@bp.before_request
def _development_only():
    if not current_app.config.get("DEV_OUTBOX"):
        abort(404)


@bp.route("/dev/outbox")
def outbox():
    messages = (
        db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100))
        .scalars()
        .all()
    )
    return render_template("notifications/outbox.html", messages=messages)


@bp.route("/dev/outbox/<int:message_id>")
def outbox_message(message_id):
    message = found(db.session.get(OutboxMessage, message_id))
    subject, text, _ = render_email(message.template, message.personalisation or {})
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        subject=message.subject or subject,
        text=message.body_text or text,
    )
