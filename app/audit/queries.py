"""Reading the audit log (no commits)."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db

PAGE_SIZE = 50
_hidden = []


def hide_while(condition):
    """``condition() -> SQL``: events that match it are left out of the log's pages for now (a
    feature's secrets, such as who is bidding before a deadline). The chain still holds them."""
    if condition not in _hidden:  # every app built in one process registers it again
        _hidden.append(condition)


def filter_events(
    event_type=None,
    actor_email=None,
    organisation_id=None,
    subject_type=None,
    subject_id=None,
    page=1,
):
    stmt = sa.select(AuditEvent)
    if _hidden:
        stmt = stmt.where(~sa.or_(*[condition() for condition in _hidden]))
    if event_type:
        stmt = stmt.where(AuditEvent.event_type == event_type)
    if actor_email:
        stmt = stmt.where(AuditEvent.actor_label == actor_email.strip().lower())
    if organisation_id:
        stmt = stmt.where(AuditEvent.organisation_id == organisation_id)
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(
            stmt.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    return rows, total
