"""Records retention: a call-off's records (the call-off, its bids, evaluation, letters, contract
and audit events) are kept for RECORDS_RETENTION_YEARS (3: the Procurement Act's records rule)
after its contract ends, or after it closed without award (cancelled, or no suitable bid). Then
less is kept: the personal data in them are erased and the documents of unsuccessful bids are
deleted from storage. What is left (prices, scores, reasons, the winner's bid and documents,
the contract) stays as the record of the procurement.

Erased: the buyer's contact person on the call-off (and in the letters, rewritten without them),
who asked each clarification question, who evaluated, what suppliers wrote to each other on the
call-off's "find a partner" board and who wrote it (``lots.bids.partnering``: which organisations
offered and agreed stays), and in the audit log who acted, their IP address and any email address
(``app.audit.services.anonymise``: the chain still verifies).

``expire_records`` runs every day (and ``flask records expire``); ``due`` says what it would do
(``--dry-run``). Each call-off is done once, in one transaction with one audit event naming what
was done in counts (never the personal data), and recorded in ``records_expiries``: a second
run changes nothing.
"""

import html
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.models import AuditEvent
from app.audit.services import anonymise, count_anonymisable, record
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.documents.services import (
    expire_document,
    read_content,
    remove_object,
    replace_content,
)
from app.extensions import db
from app.pdf import html_to_pdf
from app.records import LEGAL_OBLIGATION, Kept
from app.storage import ObjectMissing, StorageUnavailable
from app.timeutil import to_local, utcnow
from app.unitofwork import commit
from lots.awards.models import (
    Award,
    AwardLetter,
    Contract,
    ExpiryReason,
    RecordsExpiry,
    SocialValueCommitment,
    SocialValueDelivery,
)
from lots.bids.models import Bid, PartnerContact, PartnerPost
from lots.bids.services import BID_SUBJECT
from lots.evaluation.models import ConsensusScore, EvaluatorAssignment, Score
from lots.opportunities.models import ClarificationQuestion, Opportunity, OpportunityStatus
from lots.opportunities.queries import OPPORTUNITY_SUBJECT

REDACTED = "[removed: records expired]"

# What expiry erases, deletes and keeps, as the privacy notice says it (``privacy_notice``):
# each names what ``expire`` below does.
ERASED = (
    "the buyer's contact person on the call-off (and in the letters, which are made again "
    "without them)",
    "who asked each clarification question",
    "who evaluated the bids",
    "what suppliers wrote on the call-off’s partner board (their offers and their messages to "
    "each other) and who wrote them",
    "in the audit log, who acted, from which IP address, and any email address",
)
DELETED = "the documents of unsuccessful bids are deleted"
KEPT_AFTER = (
    "prices, scores and reasons, the winning bid and its documents, and the contract, as the "
    "record of the procurement"
)


def privacy_notice(config):
    """What the privacy notice says about call-offs' records (registered by ``lots.init_app``
    with ``app.records``): the period and what expiry does, from this module's own rule."""
    years = config["RECORDS_RETENTION_YEARS"]
    return Kept(
        what="Call-offs and everything in them: bids and their documents, clarification "
        "questions, evaluators and their scores, award letters, the contract and the social "
        "value delivered, the partner board's offers and messages, and the audit log of each",
        basis=LEGAL_OBLIGATION,
        why="Section 98 of the Procurement Act 2023 requires the buyer to keep records that "
        "explain each material decision and every communication with suppliers before the "
        "contract is entered into. The contracts register is published as the Act's "
        "transparency rules require",
        how_long=f"{years} year{'' if years == 1 else 's'} after the contract ends, or after "
        "the call-off closes without an award (cancelled, or no suitable bid). Then these are "
        "erased: " + "; ".join(ERASED) + f"; and {DELETED}. What is left is kept: {KEPT_AFTER}.",
    )


def add_years(day, years):
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def kept_until(ended_on, years=None):
    """The last day a call-off's records are kept whole: the retention period runs from the day
    its contract ended (or it closed) to the same day ``years`` later; they expire the day after."""
    years = current_app.config["RECORDS_RETENTION_YEARS"] if years is None else years
    return add_years(ended_on, years)


def local_today():
    return to_local(utcnow()).date()


@dataclass
class Expiry:
    """What expiring one call-off's records does (or would do)."""

    opportunity: Opportunity
    reason: ExpiryReason
    ended_on: date
    kept_until: date
    winner_bid_id: int | None = None
    contact: bool = False
    clarifications: list = field(default_factory=list)  # asked_by to erase
    evaluators: list = field(default_factory=list)  # assignments whose user to erase
    partner_posts: list = field(default_factory=list)  # board posts: text and who posted
    partner_messages: list = field(default_factory=list)  # messages: text, sender, answerer
    letters: list = field(default_factory=list)  # letters naming the contact, to rewrite
    documents: list = field(default_factory=list)  # unsuccessful bids' documents to delete
    audit_events: int = 0  # events whose personal data are erased
    audit_events_kept_whole: int = 0  # written before personal data were hashed apart
    audit_condition: object = field(default=None, repr=False)  # SQL: the call-off's events

    def summary(self):
        return {
            "reason": self.reason.value,
            "ended_on": self.ended_on.isoformat(),
            "kept_until": self.kept_until.isoformat(),
            "contact_erased": self.contact,
            "clarification_askers_erased": len(self.clarifications),
            "evaluators_erased": len(self.evaluators),
            "partner_posts_erased": len(self.partner_posts),
            "partner_messages_erased": len(self.partner_messages),
            "letters_rewritten": len(self.letters),
            "documents_deleted": len(self.documents),
            "document_ids_deleted": [d.id for d in self.documents],
            "audit_events_anonymised": self.audit_events,
            "audit_events_kept_whole": self.audit_events_kept_whole,
        }

    def describe(self):
        """One line for a person: what is (or would be) done, in counts."""
        o = self.opportunity
        why = {
            ExpiryReason.CONTRACT_ENDED: "contract ended",
            ExpiryReason.CANCELLED: "cancelled",
            ExpiryReason.NO_SUITABLE_BID: "closed with no suitable bid",
        }[self.reason]
        parts = [
            "the contact person" if self.contact else None,
            _count(len(self.clarifications), "clarification asker"),
            _count(len(self.evaluators), "evaluator"),
            _count(len(self.partner_posts), "partner board post"),
            _count(len(self.partner_messages), "partner board message"),
            _count(self.audit_events, "audit event") + " (personal data)",
        ]
        erased = ", ".join(p for p in parts if p)
        line = (
            f"{o.reference or f'opportunity {o.id}'} ({o.title}): {why} {self.ended_on}, "
            f"kept until {self.kept_until}. Personal data of {erased}; "
            f"{_count(len(self.letters), 'letter')} rewritten without the contact; "
            f"{_count(len(self.documents), 'document')} of unsuccessful bids deleted."
        )
        if self.audit_events_kept_whole:
            line += (
                f" {_count(self.audit_events_kept_whole, 'older audit event')} kept whole "
                "(written before personal data were hashed apart)."
            )
        return line


def _count(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- Finding what is due ---------------------------------------------------------------------------


def _closed_without_award():
    """(opportunity, reason, the local day it closed) for each call-off that closed without
    award: cancelled (its cancelled_at), or no suitable bid (the audit event that recorded it,
    the one record of when)."""
    cancelled = db.session.execute(
        sa.select(Opportunity, Opportunity.cancelled_at).where(
            Opportunity.status == OpportunityStatus.CANCELLED,
            Opportunity.cancelled_at.is_not(None),
        )
    ).all()
    recorded = (
        sa.select(
            AuditEvent.subject_id.label("opportunity_id"),
            sa.func.max(AuditEvent.occurred_at).label("at"),
        )
        .where(
            AuditEvent.event_type == E.RECORD_NO_SUITABLE_BID.value,
            AuditEvent.subject_type == Opportunity.__tablename__,
        )
        .group_by(AuditEvent.subject_id)
        .subquery()
    )
    unsuitable = db.session.execute(
        sa.select(Opportunity, sa.func.coalesce(recorded.c.at, Opportunity.submission_deadline))
        .outerjoin(recorded, recorded.c.opportunity_id == Opportunity.id)
        .where(Opportunity.status == OpportunityStatus.NO_SUITABLE_BID)
    ).all()
    for opportunity, at in cancelled:
        yield opportunity, ExpiryReason.CANCELLED, to_local(at).date()
    for opportunity, at in unsuitable:
        if at is not None:
            yield opportunity, ExpiryReason.NO_SUITABLE_BID, to_local(at).date()


def due(today=None):
    """The call-offs whose records have passed their retention period and are not expired yet,
    with what expiring each would do. Reads only."""
    today = today or local_today()
    years = current_app.config["RECORDS_RETENTION_YEARS"]
    done = sa.select(RecordsExpiry.opportunity_id)
    found = []
    contracts = db.session.execute(
        sa.select(Opportunity, Contract)
        .join(Contract, Contract.opportunity_id == Opportunity.id)
        .where(Opportunity.id.not_in(done))
        .order_by(Contract.end_date, Opportunity.id)
    ).all()
    for opportunity, contract in contracts:
        if kept_until(contract.end_date, years) < today:
            found.append((opportunity, ExpiryReason.CONTRACT_ENDED, contract.end_date))
    expired_ids = set(db.session.execute(done).scalars())
    for opportunity, reason, ended_on in _closed_without_award():
        if opportunity.id not in expired_ids and kept_until(ended_on, years) < today:
            found.append((opportunity, reason, ended_on))
    found.sort(key=lambda item: (item[2], item[0].id))
    return [plan(o, reason, ended_on, years) for o, reason, ended_on in found]


def _audit_condition(opportunity, bid_ids, documents, contract, posts=(), messages=()):
    """SQL: the audit events about this call-off's records."""
    oid = opportunity.id

    def ids(stmt):
        return list(db.session.execute(stmt).scalars())

    assignment_ids = ids(
        sa.select(EvaluatorAssignment.id).where(EvaluatorAssignment.opportunity_id == oid)
    )
    subjects = {
        Opportunity.__tablename__: [oid],
        Bid.__tablename__: bid_ids,
        EvaluatorAssignment.__tablename__: assignment_ids,
        Score.__tablename__: ids(sa.select(Score.id).where(Score.bid_id.in_(bid_ids))),
        ConsensusScore.__tablename__: ids(
            sa.select(ConsensusScore.id).where(ConsensusScore.bid_id.in_(bid_ids))
        ),
        ClarificationQuestion.__tablename__: ids(
            sa.select(ClarificationQuestion.id).where(ClarificationQuestion.opportunity_id == oid)
        ),
        AwardLetter.__tablename__: ids(
            sa.select(AwardLetter.id).where(AwardLetter.opportunity_id == oid)
        ),
        Document.__tablename__: [d.id for d in documents],
        PartnerPost.__tablename__: [p.id for p in posts],
        PartnerContact.__tablename__: [m.id for m in messages],
    }
    if contract is not None:
        subjects[Contract.__tablename__] = [contract.id]
        subjects[SocialValueDelivery.__tablename__] = ids(
            sa.select(SocialValueDelivery.id)
            .join(SocialValueCommitment)
            .where(SocialValueCommitment.contract_id == contract.id)
        )
    return sa.or_(
        *(
            sa.and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(values))
            for kind, values in subjects.items()
            if values
        )
    )


def _documents_of(opportunity, bid_ids):
    """Every document of the call-off: its tender documents and its bids' documents."""
    subject = sa.or_(
        sa.and_(
            Document.subject_type == OPPORTUNITY_SUBJECT, Document.subject_id == opportunity.id
        ),
        sa.and_(Document.subject_type == BID_SUBJECT, Document.subject_id.in_(bid_ids)),
    )
    return db.session.execute(sa.select(Document).where(subject).order_by(Document.id)).scalars()


def plan(opportunity, reason, ended_on, years=None):
    """What expiring ``opportunity``'s records does. Reads only."""
    oid = opportunity.id
    award = db.session.get(Award, oid) if reason == ExpiryReason.CONTRACT_ENDED else None
    winner = award.winner_bid_id if award is not None else None
    contract = db.session.execute(
        sa.select(Contract).where(Contract.opportunity_id == oid)
    ).scalar_one_or_none()
    bid_ids = list(db.session.execute(sa.select(Bid.id).where(Bid.opportunity_id == oid)).scalars())
    documents = list(_documents_of(opportunity, bid_ids))
    expiry = Expiry(
        opportunity=opportunity,
        reason=reason,
        ended_on=ended_on,
        kept_until=kept_until(ended_on, years),
        winner_bid_id=winner,
        contact=bool(opportunity.contact_name or opportunity.contact_email),
    )
    expiry.clarifications = list(
        db.session.execute(
            sa.select(ClarificationQuestion).where(
                ClarificationQuestion.opportunity_id == oid,
                ClarificationQuestion.asked_by_id.is_not(None),
            )
        ).scalars()
    )
    expiry.evaluators = list(
        db.session.execute(
            sa.select(EvaluatorAssignment).where(
                EvaluatorAssignment.opportunity_id == oid,
                EvaluatorAssignment.user_id.is_not(None),
            )
        ).scalars()
    )
    expiry.partner_posts = list(
        db.session.execute(
            sa.select(PartnerPost).where(PartnerPost.opportunity_id == oid).order_by(PartnerPost.id)
        ).scalars()
    )
    expiry.partner_messages = list(
        db.session.execute(
            sa.select(PartnerContact)
            .join(PartnerPost, PartnerPost.id == PartnerContact.post_id)
            .where(PartnerPost.opportunity_id == oid)
            .order_by(PartnerContact.id)
        ).scalars()
    )
    active = [d for d in documents if d.status == DocumentStatus.ACTIVE]
    if expiry.contact:
        expiry.letters = [
            d
            for d in active
            if d.purpose == DocumentPurpose.AWARD_LETTER
            and d.content_type == "text/html"
            and _names_contact(d, opportunity)
        ]
    expiry.documents = [
        d
        for d in active
        if d.purpose == DocumentPurpose.BID_ATTACHMENT
        and d.subject_type == BID_SUBJECT
        and d.subject_id != winner
    ]
    expiry.audit_condition = _audit_condition(
        opportunity, bid_ids, documents, contract, expiry.partner_posts, expiry.partner_messages
    )
    expiry.audit_events, expiry.audit_events_kept_whole = count_anonymisable(expiry.audit_condition)
    return expiry


# --- Doing it --------------------------------------------------------------------------------------


def _without_contact(data, opportunity):
    """A letter's bytes with the contact person's name and email address taken out."""
    text = data.decode("utf-8")
    for value in (opportunity.contact_email, opportunity.contact_name):
        if value:
            text = text.replace(html.escape(value), REDACTED).replace(value, REDACTED)
    return text.encode("utf-8")


def _names_contact(letter, opportunity):
    try:
        data = read_content(letter)
    except ObjectMissing:
        current_app.logger.warning("letter %s has no stored object", letter.id)
        return False
    return _without_contact(data, opportunity) != data


def expire(expiry):
    """Expire one call-off's records, as ``expiry`` (from ``plan``) says: one transaction, one
    audit event; then the stored objects of the deleted documents and the old letters go."""
    opportunity = expiry.opportunity
    # The rewritten letters are stored first: a failure here changes nothing.
    old_keys = []
    for letter in expiry.letters:
        data = read_content(letter)
        rewritten = _without_contact(data, opportunity)
        if rewritten != data:
            old_keys.append(replace_content(letter, rewritten))
            # The PDF of the letter is made again from the rewritten HTML.
            pdf = db.session.scalar(
                sa.select(Document)
                .join(AwardLetter, AwardLetter.pdf_document_id == Document.id)
                .where(AwardLetter.document_id == letter.id)
            )
            if pdf is not None:
                old_keys.append(replace_content(pdf, html_to_pdf(rewritten.decode("utf-8"))))
    opportunity.contact_name = None
    opportunity.contact_email = None
    for question in expiry.clarifications:
        question.asked_by_id = None
    for assignment in expiry.evaluators:
        assignment.user_id = None
    for post in expiry.partner_posts:
        post.could_bring = REDACTED
        post.posted_by_id = None
    for message in expiry.partner_messages:
        message.message = REDACTED
        message.from_user_id = None
        message.answered_by_id = None
    for document in expiry.documents:
        expire_document(document)
    anonymised = anonymise(expiry.audit_condition)
    expiry.audit_events = anonymised
    summary = expiry.summary()
    db.session.add(
        RecordsExpiry(
            opportunity_id=opportunity.id,
            reason=expiry.reason,
            ended_on=expiry.ended_on,
            expired_at=utcnow(),
            summary=summary,
        )
    )
    record(
        E.EXPIRE_RECORDS,
        subject=opportunity,
        organisation_id=opportunity.buyer_id,
        detail=summary,
    )
    commit()
    for key in old_keys:
        remove_object(key)
    for document in expiry.documents:
        remove_object(document.storage_key, document)
    commit()
    return summary


def expire_records(today=None):
    """Scheduled, every day: expire the records of every call-off whose retention period is
    over. Idempotent: each call-off is done once. Returns the expiries done."""
    done = []
    for expiry in due(today):
        try:
            expire(expiry)
            done.append(expiry)
        except (StorageUnavailable, sa.exc.SQLAlchemyError):
            db.session.rollback()  # one call-off's failure must not hold up the others
            current_app.logger.exception(
                "could not expire the records of opportunity %s", expiry.opportunity.id
            )
    return done
