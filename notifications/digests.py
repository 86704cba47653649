"""Daily and weekly digests: each person's matching opportunities of the day or week in one
email, at DIGEST_TIME in the DPS's timezone (Europe/London).

A digest run is known by its batch, ``daily:<date>`` or ``weekly:<date of the Monday>``, so it can
run again (a retried job, two schedulers) and write nothing twice:

1. For each opportunity published in the look-back window and still open, the matching query
   (``notifications.matching``) records (opportunity, address) pairs for people at this frequency
   in ``opportunity_alerts``. That table is unique on (opportunity, address), so an opportunity
   already sent at once, or in an earlier digest, is never added again, and an invitation counts
   as already sent (the matching query leaves invited people out).
2. One outbox row per address listing what step 1 recorded for it in this batch and no digest
   has listed yet; the rows listed are marked with the email's key in the same transaction. So a
   rerun writes nothing, and one after a change of settings sends only what is new.

The look-back is twice the period, so a run the scheduler missed is caught up by the next one
without repeating anything.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.extensions import db
from app.timeutil import to_local, utcnow
from lots.opportunities.models import Opportunity, OpportunityStatus
from notifications.alerts import enqueue_sends, opportunity_details, write_alerts, write_outbox
from notifications.models import AlertFrequency, OpportunityAlert
from notifications.pipeline_alerts import send_pipeline_digests
from notifications.unsubscribe import alert_links, person_key

PERIODS = {AlertFrequency.DAILY: timedelta(days=1), AlertFrequency.WEEKLY: timedelta(days=7)}
PERIOD_WORDS = {AlertFrequency.DAILY: "daily", AlertFrequency.WEEKLY: "weekly"}


def batch_name(frequency, now=None):
    """The digest a run at ``now`` belongs to: the local date, or the Monday of the week."""
    day = to_local(now or utcnow()).date()
    if frequency == AlertFrequency.WEEKLY:
        day -= timedelta(days=day.weekday())
    return f"{frequency.value}:{day.isoformat()}"


def send_digests(frequency, now=None):
    """Job: write this period's digests. Returns how many emails it wrote."""
    frequency = AlertFrequency(frequency)
    now = now or utcnow()
    batch = batch_name(frequency, now)
    since = now - 2 * PERIODS[frequency]
    candidates = (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.published_at > since,
                Opportunity.published_at <= now,
                Opportunity.submission_deadline > now,
            )
            .order_by(Opportunity.published_at)
        )
        .scalars()
        .all()
    )
    details = {}
    for opportunity in candidates:
        details[opportunity.id] = opportunity_details(opportunity)
        write_alerts(opportunity, frequency, batch, details[opportunity.id])
    written = _write_digest_emails(frequency, batch, details)
    # Planned work (the pipeline) in an email of its own, by the same matching and batch.
    return written + send_pipeline_digests(frequency, batch, since, now, PERIOD_WORDS[frequency])


def _write_digest_emails(frequency, batch, details):
    chunk = current_app.config["FANOUT_CHUNK"]
    last_email = ""
    written = 0
    while True:
        emails = (
            db.session.execute(
                sa.select(OpportunityAlert.email)
                .where(
                    OpportunityAlert.batch == batch,
                    OpportunityAlert.emailed_key.is_(None),
                    OpportunityAlert.email > last_email,
                )
                .group_by(OpportunityAlert.email)
                .order_by(OpportunityAlert.email)
                .limit(chunk)
            )
            .scalars()
            .all()
        )
        if not emails:
            break
        last_email = emails[-1]
        pairs = db.session.execute(
            sa.select(OpportunityAlert.email, OpportunityAlert.opportunity_id, OpportunityAlert.id)
            .where(
                OpportunityAlert.batch == batch,
                OpportunityAlert.emailed_key.is_(None),
                OpportunityAlert.email.in_(emails),
            )
            .order_by(OpportunityAlert.email, OpportunityAlert.opportunity_id)
        ).all()
        names = dict(
            db.session.execute(sa.select(User.email, User.name).where(User.email.in_(emails))).all()
        )
        listed, rows = {}, {}
        for email, opportunity_id, alert_id in pairs:
            if opportunity_id not in details:
                details[opportunity_id] = opportunity_details(
                    db.session.get(Opportunity, opportunity_id)
                )
            listed.setdefault(email, []).append(details[opportunity_id])
            rows.setdefault(email, []).append(alert_id)
        # The first run's key is digest:<batch>:<person>; a later one in the same batch (new
        # matches after a change of settings) adds the first alert it lists.
        keys = {
            email: f"digest:{batch}:{person_key(email)}"
            + ("" if _first_of_batch(batch, email) else f":{min(rows[email])}")
            for email in emails
        }
        ids = write_outbox(
            [
                (
                    keys[email],
                    email,
                    {
                        "name": names.get(email, ""),
                        "period": PERIOD_WORDS[frequency],
                        "opportunities": listed[email],
                        **alert_links(email),
                    },
                )
                for email in emails
            ],
            "opportunity_digest",
        )
        for email in emails:
            db.session.execute(
                sa.update(OpportunityAlert)
                .where(OpportunityAlert.id.in_(rows[email]))
                .values(emailed_key=keys[email])
            )
        db.session.commit()
        enqueue_sends(ids)
        written += len(ids)
    return written


def _first_of_batch(batch, email):
    """Whether no digest of this batch has gone to this address yet."""
    return (
        db.session.execute(
            sa.select(OpportunityAlert.id)
            .where(
                OpportunityAlert.batch == batch,
                OpportunityAlert.email == email,
                OpportunityAlert.emailed_key.is_not(None),
            )
            .limit(1)
        ).first()
        is None
    )


def send_daily_digests():
    """Scheduled: this day's digests."""
    return send_digests("daily")


def send_weekly_digests():
    """Scheduled: this week's digests."""
    return send_digests("weekly")
