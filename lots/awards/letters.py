"""Letters: when the award is confirmed, every bidder gets one (the award letter for the winner,
an assessment summary for the rest), stored as a document the bidder owns, and emailed."""

import sqlalchemy as sa
from flask import render_template

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import DocumentPurpose
from app.documents.services import store_generated
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.services import queue_email
from app.pdf import html_to_pdf
from app.queue import enqueue
from app.timeutil import format_datetime, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.awards.hooks import run_after_letters
from lots.awards.models import Award, AwardLetter, AwardStatus
from lots.awards.queries import award_of
from lots.bids.models import Bid
from lots.evaluation.sealing import evaluation_of, submitted_bids
from lots.opportunities.models import Opportunity


def bidder_people(opportunity_id, bid_id=None):
    stmt = (
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(Bid, Bid.organisation_id == Membership.organisation_id)
        .where(
            Bid.opportunity_id == opportunity_id,
            Bid.current_submission_id.is_not(None),
            User.email_undeliverable_at.is_(None),
        )
    )
    if bid_id is not None:
        stmt = stmt.where(Bid.id == bid_id)
    return db.session.execute(stmt.order_by(User.id)).scalars().all()


def issue_letters(opportunity_id):
    """Job: one letter per bidder (the award letter for the winner, an assessment summary for
    the rest), stored as documents the bidder owns, and emailed. Safe to run again."""
    opportunity = db.session.get(Opportunity, opportunity_id)
    award = award_of(opportunity_id)
    if award is None or award.status == AwardStatus.PROPOSED:
        return 0
    done = set(
        db.session.execute(
            sa.select(AwardLetter.bid_id).where(AwardLetter.opportunity_id == opportunity_id)
        ).scalars()
    )
    by_bid = {row["bid_id"]: row for row in award.result}
    winner = by_bid[award.winner_bid_id]
    issued = 0
    for bid in submitted_bids(opportunity_id):
        if bid.id in done or bid.id not in by_bid:
            continue
        successful = bid.id == award.winner_bid_id
        html = render_template(
            "lots/letters/letter.html",
            opportunity=opportunity,
            award=award,
            own=by_bid[bid.id],
            winner=winner,
            successful=successful,
            supplier=bid.organisation,
            scale_max=evaluation_of(opportunity_id).scale_max,
            buyer=opportunity.buyer,
            issued=format_datetime(award.confirmed_at),
            standstill_ends=format_datetime(award.standstill_ends_at)
            if opportunity.voluntary_standstill
            else None,
        )
        kind = "Award letter" if successful else "Assessment summary"
        document = store_generated(
            bid.organisation_id,
            DocumentPurpose.AWARD_LETTER,
            f"{kind} - {opportunity.reference}.html",
            html,
            "text/html",
            award.confirmed_by_id,
            subject_type="bid",
            subject_id=bid.id,
        )
        pdf = store_generated(
            bid.organisation_id,
            DocumentPurpose.AWARD_LETTER,
            f"{kind} - {opportunity.reference}.pdf",
            html_to_pdf(html),
            "application/pdf",
            award.confirmed_by_id,
            subject_type="bid",
            subject_id=bid.id,
        )
        letter = AwardLetter(
            opportunity_id=opportunity_id,
            bid_id=bid.id,
            document_id=document.id,
            pdf_document_id=pdf.id,
            successful=successful,
            created_at=utcnow(),
        )
        db.session.add(letter)
        db.session.flush()
        record(
            E.ISSUE_AWARD_LETTER,
            subject=letter,
            organisation_id=bid.organisation_id,
            detail={
                "successful": successful,
                "sha256": document.sha256,
                "pdf_sha256": pdf.sha256,
            },
        )
        for person in bidder_people(opportunity_id, bid.id):
            queue_email(
                person.email,
                "award_letter" if successful else "assessment_summary",
                {
                    "name": person.name,
                    "title": opportunity.title,
                    "reference": opportunity.reference or "",
                    "buyer": opportunity.buyer.name,
                    "winner": winner["supplier"],
                    "total": by_bid[bid.id]["total"] or "",
                    "url": absolute_url("lots.bid_overview", opportunity_id=opportunity_id),
                },
                idempotency_key=f"award_letter:{letter.id}:{person.id}",
            )
        commit()  # one letter at a time: a retry carries on from the next
        issued += 1
    run_after_letters(opportunity)  # the contract award notice, once every letter is out
    commit()
    return issued


def enqueue_letters(opportunity_id):
    return enqueue(issue_letters, opportunity_id, job_id=f"issue_letters-{opportunity_id}")


def recover_letters(now, idle):
    """Recoverer (``app.recovery``): queue again the letters of each confirmed award that has
    fewer letters than bidders in its result (Redis was down at confirmation, or the worker
    died part way). ``issue_letters`` carries on from the next letter. Returns how many queued."""
    letters = (
        sa.select(sa.func.count())
        .where(AwardLetter.opportunity_id == Award.opportunity_id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Award.opportunity_id, Award.result, letters).where(
            Award.status != AwardStatus.PROPOSED, Award.confirmed_at < now - idle
        )
    ).all()
    db.session.rollback()
    pending = [
        opportunity_id for opportunity_id, result, issued in rows if issued < len(result or [])
    ]
    queued = 0
    for opportunity_id in pending:
        if not enqueue_letters(opportunity_id):
            break
        queued += 1
    return queued
