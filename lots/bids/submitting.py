"""Submitting a bid (frozen and hashed), changing and resubmitting it, and withdrawing it.

The deadline is checked against the app's clock for a clear early answer (``lots.bids.
permissions``), and enforced again at the moment of commit by the database's clock (PostgreSQL: a
deferred trigger, migration 0008): a submission that commits late is refused and the bid stays as
it was, its working copy saved.
"""

import hashlib
import json
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.documents.models import DocumentStatus
from app.documents.services import lock_document
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.timeutil import format_datetime, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.bids import permissions, pledges
from lots.bids.models import Bid, BidStatus, BidSubmission
from lots.bids.services import (
    MAX_PRICE_PENCE,
    attachments,
    commitment,
    count_words,
    quantity,
    questions_of,
    record_bid,
)
from lots.opportunities import conditions
from lots.opportunities.models import Opportunity, QuestionKind

DEADLINE_SQLSTATE = "VB001"


class BidIncomplete(ServiceError):
    """What must be put right before the bid can be submitted: {field: message}."""

    def __init__(self, problems):
        super().__init__(next(iter(problems.values())), next(iter(problems)))
        self.problems = problems


def problems(bid):
    """What stops the working copy being submitted, as {field: message}, in page order."""
    found = {}
    for question in questions_of(bid.opportunity_id):
        key = str(question.id)
        if question.kind == QuestionKind.PASS_FAIL:
            if bid.pass_fail.get(key) not in ("yes", "no"):
                found[f"pass-fail-{key}"] = f"Answer yes or no: {question.text}"
            continue
        text = (bid.answers.get(key) or "").strip()
        if not text:
            found[f"answer-{key}"] = f"Answer the question: {question.text}"
        elif question.word_limit and count_words(text) > question.word_limit:
            found[f"answer-{key}"] = (
                f"Your answer to \u2018{question.text}\u2019 has "
                f"{count_words(text)} words; the limit is "
                f"{question.word_limit}"
            )
    lines = bid.opportunity.price_schedule or []
    if lines:
        for i, line in enumerate(lines):
            if not bid.line_prices.get(str(i)):
                found[f"line-{i}"] = (
                    f"Enter a unit price for {line.get('description', 'each line')}"
                )
    elif not bid.total_price_pence:
        found["total_price"] = "Enter your total price"
    if (
        not found.get("total_price")
        and not any(k.startswith("line-") for k in found)
        and price_pence(bid) > MAX_PRICE_PENCE
    ):
        found["total_price"] = "The total price must be £100,000,000 or less"
    for measure_id in bid.opportunity.social_value_measures or []:
        value = bid.social_value.get(measure_id)
        if quantity(value) is None:
            found[f"social-value-{measure_id}"] = (
                "Enter what you commit to for each social value measure (0 if none)"
            )
            continue
        try:
            commitment(measure_id, value)
        except ServiceError as exc:
            found[exc.field] = str(exc)
    for field, message in pledges.problems(bid).items():
        found.setdefault(field, message)
    for document in attachments(bid):
        if document.status != DocumentStatus.ACTIVE:
            found["attachments"] = f"Remove {document.original_filename}: it cannot be submitted"
    return found


def price_pence(bid_or_snapshot):
    """The bid's total price in pence: the total, or the schedule's quantity × unit price."""
    if isinstance(bid_or_snapshot, dict):
        return bid_or_snapshot["price"]["total_pence"]
    bid = bid_or_snapshot
    lines = bid.opportunity.price_schedule or []
    if not lines:
        return bid.total_price_pence
    return sum(
        int(Decimal(str(line.get("quantity") or 1)) * bid.line_prices[str(i)])
        for i, line in enumerate(lines)
    )


def snapshot_of(bid):
    """The canonical content of a submission: what the hash covers. Pledges against community
    wishes are in it only when there are some, so that the hash of a bid without any is what it
    was before wishes existed."""
    lines = bid.opportunity.price_schedule or []
    snapshot = {
        "opportunity": {"id": bid.opportunity_id, "reference": bid.opportunity.reference},
        "supplier": {"id": bid.organisation_id, "name": bid.organisation.name},
        "answers": {
            k: bid.answers[k]
            for k in sorted(bid.answers, key=int)
            if (bid.answers[k] or "").strip()
        },
        "pass_fail": {k: bid.pass_fail[k] for k in sorted(bid.pass_fail, key=int)},
        "price": {
            "total_pence": price_pence(bid),
            "lines": [
                {
                    "description": line.get("description"),
                    "quantity": line.get("quantity"),
                    "unit_pence": bid.line_prices.get(str(i)),
                }
                for i, line in enumerate(lines)
            ],
        },
        "social_value": {
            m: str(quantity(bid.social_value.get(m)))
            for m in bid.opportunity.social_value_measures or []
        },
        "partners": [
            {
                "name": p.name,
                "role": p.role.value,
                "share_percent": p.share_percent,
                "organisation_id": p.partner_organisation_id,
            }
            for p in bid.partners
        ],
        "attachments": [
            {
                "document_id": d.id,
                "filename": d.original_filename,
                "sha256": d.sha256,
                "size": d.size_bytes,
            }
            for d in attachments(bid)
        ],
        # The declaration the supplier made by submitting: it accepts these conditions.
        "declarations": {"contract_conditions": conditions.frozen(bid.opportunity)},
    }
    if bid.wish_pledges:
        snapshot["wish_pledges"] = {
            k: str(quantity(v))
            for k, v in sorted(bid.wish_pledges.items(), key=lambda kv: int(kv[0]))
        }
    return snapshot


def canonical_hash(snapshot):
    data = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def has_unsubmitted_changes(bid):
    current = bid.current_submission
    return current is None or canonical_hash(snapshot_of(bid)) != current.sha256


CONFIRM_CONDITIONS = "Confirm that you accept the contract conditions: payment terms{rlw}"


def submit(user, bid, conditions_confirmed=False):
    """Freeze the working copy as a new submission. The supplier declares that it accepts the
    call-off's contract conditions (payment terms flowing down to subcontractors, and the Real
    Living Wage where it is a condition): without ``conditions_confirmed`` nothing is
    submitted. Raises BidIncomplete, ServiceError (no declaration), NotAllowed or
    DeadlinePassed (the commit came after the deadline by the database's clock)."""
    opportunity = bid.opportunity
    permissions.require_may_bid(user, bid.organisation_id, opportunity)
    found = problems(bid)
    if found:
        raise BidIncomplete(found)
    # The price schedule cannot change under a submission: an amendment to it waits for this
    # (and this for it), then reopens the bids submitted before it (``reopen_submitted``).
    db.session.execute(
        sa.select(Opportunity.id).where(Opportunity.id == opportunity.id).with_for_update(read=True)
    )
    db.session.refresh(opportunity, ["price_schedule"])
    if conditions_confirmed is not True:
        raise ServiceError(
            CONFIRM_CONDITIONS.format(
                rlw=" and the Real Living Wage" if opportunity.real_living_wage else ""
            ),
            "conditions_confirmed",
        )
    # One submission at a time per bid: a double click must not make two versions.
    db.session.execute(sa.select(Bid.id).where(Bid.id == bid.id).with_for_update())
    db.session.refresh(bid)
    if bid.status == BidStatus.SUBMITTED and not has_unsubmitted_changes(bid):
        db.session.rollback()
        return bid.current_submission  # the same answers are already in
    version = (
        db.session.execute(
            sa.select(sa.func.max(BidSubmission.version)).where(BidSubmission.bid_id == bid.id)
        ).scalar()
        or 0
    ) + 1
    snapshot = snapshot_of(bid)
    submission = BidSubmission(
        bid_id=bid.id,
        opportunity_id=opportunity.id,
        organisation_id=bid.organisation_id,
        version=version,
        snapshot=snapshot,
        sha256=canonical_hash(snapshot),
        submitted_by_id=user.id,
        submitted_at=utcnow(),
    )
    db.session.add(submission)
    db.session.flush()
    db.session.refresh(submission, ["submitted_at"])  # the database's own clock on PostgreSQL
    bid.current_submission_id = submission.id
    bid.status = BidStatus.SUBMITTED
    bid.withdrawn_at = None
    for document in attachments(bid):
        lock_document(document, "it is part of a submitted bid")
    record_bid(
        E.SUBMIT_BID,
        user,
        bid,
        {
            "submission_id": submission.id,
            "version": version,
            "sha256": submission.sha256,
            "submitted_at": submission.submitted_at.isoformat(),
            "conditions_confirmed": True,
        },
    )
    queue_email(
        user.email,
        "bid_receipt",
        {
            "name": user.name,
            "title": opportunity.title,
            "reference": opportunity.reference or "",
            "supplier": bid.organisation.name,
            "version": version,
            "sha256": submission.sha256,
            "submitted_at": format_datetime(submission.submitted_at),
            "submitted_at_utc": submission.submitted_at.isoformat(timespec="seconds"),
            "deadline": format_datetime(opportunity.submission_deadline),
            "url": absolute_url("lots.bid_overview", opportunity_id=opportunity.id),
        },
        idempotency_key=f"bid_receipt:{submission.id}",
    )
    _commit_before_deadline(opportunity)
    return submission


def _commit_before_deadline(opportunity):
    try:
        commit()
    except DBAPIError as exc:
        db.session.rollback()
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == DEADLINE_SQLSTATE:
            raise DeadlinePassed(
                f"The deadline ({format_datetime(opportunity.submission_deadline)}) passed "
                "before your submission reached us, so it was not accepted. Your answers are "
                "saved."
            ) from None
        raise


def withdraw(user, bid):
    """Take a submitted bid back before the deadline. Its submissions stay on record."""
    permissions.require_member(user, bid.organisation_id)
    if bid.status != BidStatus.SUBMITTED:
        raise ServiceError("Only a submitted bid can be withdrawn")
    permissions.require_before_deadline(bid.organisation_id, bid.opportunity)
    _require_database_before_deadline(bid.opportunity)
    bid.status = BidStatus.WITHDRAWN
    bid.current_submission_id = None
    bid.withdrawn_at = utcnow()
    record_bid(E.WITHDRAW_BID, user, bid, {"opportunity_id": bid.opportunity_id})
    queue_email(
        user.email,
        "bid_withdrawn",
        {
            "name": user.name,
            "title": bid.opportunity.title,
            "supplier": bid.organisation.name,
            "deadline": format_datetime(bid.opportunity.submission_deadline),
            "url": absolute_url("lots.bid_overview", opportunity_id=bid.opportunity_id),
        },
        idempotency_key=f"bid_withdrawn:{bid.id}:{bid.withdrawn_at.isoformat()}",
    )
    commit()


def reopen_submitted(opportunity, old_schedule, amendment, user):
    """An amendment changed the price schedule (``lots.opportunities.hooks``): every submitted
    bid goes back to draft, because it was priced on other lines or quantities. Its submissions
    stay on record but none stands until the supplier submits again; the person who submitted
    it is told. Unit prices are kept for lines that still describe the same thing, for the
    supplier to check. Part of the amendment's transaction."""
    reopened = (
        db.session.execute(
            sa.select(Bid)
            .where(Bid.opportunity_id == opportunity.id, Bid.status == BidStatus.SUBMITTED)
            .order_by(Bid.id)
            .with_for_update()
        )
        .scalars()
        .all()
    )
    new_schedule = opportunity.price_schedule or []
    for bid in reopened:
        submission = bid.current_submission
        bid.status = BidStatus.DRAFT
        bid.current_submission_id = None
        bid.line_prices = _kept_line_prices(old_schedule, new_schedule, bid.line_prices or {})
        bid.updated_at = utcnow()
        record_bid(
            E.REOPEN_BID,
            user,
            bid,
            {
                "amendment_id": amendment.id,
                "submission_id": submission.id,
                "version": submission.version,
            },
        )
        submitter = db.session.get(User, submission.submitted_by_id)
        queue_email(
            submitter.email,
            "bid_reopened",
            {
                "name": submitter.name,
                "title": opportunity.title,
                "reference": opportunity.reference or "",
                "supplier": bid.organisation.name,
                "change": amendment.summary,
                "version": submission.version,
                "deadline": format_datetime(opportunity.submission_deadline),
                "url": absolute_url("lots.bid_overview", opportunity_id=opportunity.id),
            },
            idempotency_key=f"bid_reopened:{bid.id}:{amendment.id}",
        )
    return len(reopened)


def _kept_line_prices(old_schedule, new_schedule, line_prices):
    def same(i):
        old, new = old_schedule[i], new_schedule[i]
        return (old.get("description"), old.get("unit")) == (
            new.get("description"),
            new.get("unit"),
        )

    return {
        key: value
        for key, value in line_prices.items()
        if key.isdigit() and int(key) < min(len(old_schedule), len(new_schedule)) and same(int(key))
    }


def _require_database_before_deadline(opportunity):
    """The database's clock, as at the commit of a submission: a withdrawal reaching us after
    the deadline is refused even if the app's clock is behind."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    late = db.session.execute(
        sa.text(
            "SELECT clock_timestamp() >= submission_deadline FROM opportunities WHERE id = :id"
        ),
        {"id": opportunity.id},
    ).scalar()
    if late:
        raise DeadlinePassed(permissions.DEADLINE_PASSED)


def submissions_of(bid):
    return (
        db.session.execute(
            sa.select(BidSubmission)
            .where(BidSubmission.bid_id == bid.id)
            .order_by(BidSubmission.version)
        )
        .scalars()
        .all()
    )
