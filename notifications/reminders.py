"""Scheduled reminders. Each is a job that can run any number of times: every email has an
idempotency key naming what it reminds about, so a second run (or a second scheduler) sends
nothing new.

- Bid deadlines: members of suppliers with a draft bid, 3 days and 1 day before the deadline
  (BID_REMINDER_DAYS).
- Clarification deadlines: members of invited suppliers, in the day before questions close.
- Admission SLA: each administrator, once a day, about applications within 2 working days of
  their decision deadline and those overdue.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.fanout import fan_out
from app.outbox.services import queue_email
from app.timeutil import format_date, format_datetime, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.queries import admission_queue
from dps.services.clock import today
from lots.bids.models import Bid
from lots.opportunities.invitations import invited_people
from lots.opportunities.models import Opportunity, OpportunityStatus

SLA_WARNING_WORKING_DAYS = 2


def _open_between(column, start, end):
    return (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.submission_deadline > start,
                column > start,
                column <= end,
            )
            .order_by(Opportunity.id)
        )
        .scalars()
        .all()
    )


def _details(opportunity):
    return {
        "title": opportunity.title,
        "reference": opportunity.reference or "",
        "deadline": format_datetime(opportunity.submission_deadline),
        "question_deadline": format_datetime(opportunity.question_deadline),
        "url": absolute_url("lots.view_opportunity", opportunity_id=opportunity.id),
    }


def send_bid_deadline_reminders(now=None):
    """Job: remind suppliers with a draft bid, N days before the deadline (largest N first, and
    only the one that applies now, so a late run never sends the 3-day reminder a day before)."""
    now = now or utcnow()
    days = sorted(
        {int(d) for d in str(current_app.config["BID_REMINDER_DAYS"]).split(",") if d.strip()}
    )
    written = 0
    for index, n in enumerate(days):
        nearer = days[index - 1] if index else 0
        for opportunity in _open_between(
            Opportunity.submission_deadline, now + timedelta(days=nearer), now + timedelta(days=n)
        ):
            drafts = sa.select(Bid.organisation_id).where(
                Bid.opportunity_id == opportunity.id, Bid.status == "draft"
            )
            people = (
                sa.select(
                    User.id.label("user_id"), User.email.label("email"), User.name.label("name")
                )
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.organisation_id.in_(drafts), User.email_undeliverable_at.is_(None)
                )
                .distinct()
            )
            written += fan_out(
                people,
                "bid_deadline_reminder",
                {**_details(opportunity), "days": n},
                key_prefix=f"bid-deadline-reminder:{opportunity.id}:{n}",
            )
    return written


def send_question_deadline_reminders(now=None):
    """Job: tell invited suppliers that questions about an opportunity close within a day."""
    now = now or utcnow()
    written = 0
    for opportunity in _open_between(Opportunity.question_deadline, now, now + timedelta(days=1)):
        written += fan_out(
            invited_people(opportunity.id),
            "question_deadline_reminder",
            _details(opportunity),
            key_prefix=f"question-deadline-reminder:{opportunity.id}",
        )
    return written


def send_admission_sla_warnings(now=None):
    """Job: one email a day to each administrator listing applications near or past their
    decision deadline. Returns how many emails it wrote (none when nothing is near)."""
    rows = [
        row
        for row in admission_queue()
        if row.days_left is not None and row.days_left <= SLA_WARNING_WORKING_DAYS
    ]
    if not rows:
        return 0
    day = today().isoformat()
    lines = []
    for row in rows:
        application, left, overdue = row.application, row.days_left, row.overdue
        name = application.organisation.display_name
        due = format_date(application.decision_due_on) if application.decision_due_on else ""
        when = (
            f"overdue by {-left} working day{'s' if left != -1 else ''}"
            if overdue
            else "due today"
            if left == 0
            else f"{left} working day{'s' if left != 1 else ''} left"
        )
        lines.append(f"{name}, {application.dps.name}: decision due {due} ({when})")
    admins = (
        db.session.execute(
            sa.select(User).where(User.is_admin.is_(True), User.email_undeliverable_at.is_(None))
        )
        .scalars()
        .all()
    )
    for admin in admins:
        queue_email(
            admin.email,
            "admission_sla_warning",
            {
                "name": admin.name,
                "count": len(rows),
                "overdue": sum(1 for r in rows if r.overdue),
                "applications": lines,
                "url": absolute_url("dps.admin_queue"),
            },
            idempotency_key=f"admission-sla:{day}:{admin.id}",
        )
    commit()
    return len(admins)
