"""Bidding: starting one bid per supplier, saving drafts, submitting (frozen and hashed),
changing and resubmitting, withdrawing.

Eligibility is decided here and nowhere else. The deadline is checked against the app's clock
for a clear early answer, and enforced again at the moment of commit by the database's clock
(PostgreSQL: a deferred trigger, migration 0008): a submission that commits late is refused and
the bid stays as it was, its working copy saved.
"""

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.documents.services import lock_document
from app.errors import DeadlinePassed, NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.outbox.services import queue_email
from app.permissions import membership
from app.timeutil import format_datetime, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.bids.models import Bid, BidPartner, BidStatus, BidSubmission, PartnerRole
from lots.opportunities.models import (
    Invitation,
    OpportunityQuestion,
    OpportunityStatus,
    QuestionKind,
)

DEADLINE_SQLSTATE = "VB001"
DEADLINE_PASSED = "The deadline for bids has passed"
MAX_PRICE_PENCE = 10_000_000_000  # £100 million: far above any call-off, far inside the column
WORD = re.compile(r"[\w\u00C0-\u024F]", re.UNICODE)


class BidIncomplete(ServiceError):
    """What must be put right before the bid can be submitted: {field: message}."""

    def __init__(self, problems):
        super().__init__(next(iter(problems.values())), next(iter(problems)))
        self.problems = problems


def count_words(text):
    """Words as a person counts them: runs of characters between spaces that hold at least one
    letter or digit ("well-being" is one word, a lone dash is none). The page's counter uses the
    same rule."""
    return sum(1 for token in (text or "").split() if WORD.search(token))


# --- Who may bid -------------------------------------------------------------------------------


def eligibility_problem(organisation_id, opportunity):
    """Why this supplier cannot bid now, or None. The one place this is decided."""
    from lots.opportunities.invitations import eligible_supplier_ids

    if opportunity.status != OpportunityStatus.PUBLISHED:
        return "This opportunity is not open for bids"
    if not opportunity.is_open:
        return DEADLINE_PASSED
    invited = db.session.execute(
        sa.select(Invitation.id).where(
            Invitation.opportunity_id == opportunity.id,
            Invitation.organisation_id == organisation_id,
        )
    ).first()
    if invited is None:
        return "Your organisation was not invited to bid for this opportunity"
    still = db.session.execute(
        eligible_supplier_ids(opportunity).where(Organisation.id == organisation_id)
    ).first()
    if still is None:
        return (
            "Your organisation can no longer bid: it is not admitted to this lot, is "
            "suspended, or no longer meets the reservation"
        )
    return None


def _refuse(problem):
    """Raise the refusal for an eligibility problem: DeadlinePassed for the deadline."""
    raise (DeadlinePassed if problem == DEADLINE_PASSED else NotAllowed)(problem)


def _require_member(user, organisation_id):
    if membership(user, organisation_id) is None:
        raise NotAllowed("You are not a member of this organisation")


def bid_of(organisation_id, opportunity_id):
    return db.session.execute(
        sa.select(Bid).where(
            Bid.opportunity_id == opportunity_id, Bid.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def start_bid(user, organisation, opportunity):
    """The organisation's bid for the opportunity, started now if it has none."""
    _require_member(user, organisation.id)
    existing = bid_of(organisation.id, opportunity.id)
    if existing is not None:
        return existing
    problem = eligibility_problem(organisation.id, opportunity)
    if problem:
        _refuse(problem)
    bid = Bid(
        opportunity_id=opportunity.id,
        organisation_id=organisation.id,
        started_by_id=user.id,
        status=BidStatus.DRAFT,
        answers={},
        pass_fail={},
        line_prices={},
        social_value={},
        attachment_ids=[],
    )
    db.session.add(bid)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # A colleague started it at the same moment: the database keeps one per supplier.
        db.session.rollback()
        return bid_of(organisation.id, opportunity.id)
    record(
        E.START_BID,
        subject=bid,
        actor=user,
        organisation=organisation,
        detail={"opportunity_id": opportunity.id},
    )
    commit()
    return bid


def _require_changeable(user, bid):
    _require_member(user, bid.organisation_id)
    problem = eligibility_problem(bid.organisation_id, bid.opportunity)
    if problem:
        _refuse(problem)


# --- The working copy ---------------------------------------------------------------------------


def _questions(opportunity_id):
    return (
        db.session.execute(
            sa.select(OpportunityQuestion)
            .where(OpportunityQuestion.opportunity_id == opportunity_id)
            .order_by(OpportunityQuestion.position)
        )
        .scalars()
        .all()
    )


def save_draft(
    user,
    bid,
    answers=None,
    pass_fail=None,
    total_price_pence=None,
    line_prices=None,
    social_value=None,
):
    """Save what the supplier has entered so far. Nothing typed is refused here (a long answer
    is kept and flagged at submission); only answers to questions the opportunity does not ask
    are. A submitted bid keeps its submission until it is resubmitted."""
    _require_changeable(user, bid)
    questions = {str(q.id): q for q in _questions(bid.opportunity_id)}
    if answers is not None:
        _known(answers, questions, (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE))
        bid.answers = {**bid.answers, **{k: (v or "") for k, v in answers.items()}}
    if pass_fail is not None:
        _known(pass_fail, questions, (QuestionKind.PASS_FAIL,))
        if any(v not in ("yes", "no", "") for v in pass_fail.values()):
            raise ServiceError("Answer yes or no")
        bid.pass_fail = {**bid.pass_fail, **pass_fail}
    if total_price_pence is not None:
        if not 0 < total_price_pence <= MAX_PRICE_PENCE:
            raise ServiceError("Enter a price more than £0 and up to £100,000,000", "total_price")
        bid.total_price_pence = total_price_pence
    if line_prices is not None:
        lines = bid.opportunity.price_schedule or []
        if any(not k.isdigit() or int(k) >= len(lines) for k in line_prices):
            raise ServiceError("That price line is not in the schedule")
        if any(v is not None and not 0 < v <= MAX_PRICE_PENCE for v in line_prices.values()):
            raise ServiceError("Each unit price must be more than £0", "line_prices")
        bid.line_prices = {**bid.line_prices, **line_prices}
    if social_value is not None:
        asked = set(bid.opportunity.social_value_measures or [])
        if set(social_value) - asked:
            raise ServiceError("That social value measure was not asked for")
        for measure_id, value in social_value.items():
            if (value or "").strip() and _quantity(value) is None:
                raise ServiceError(
                    "Enter a number from 0 to 999,999,999,999 with at most 2 decimal places",
                    f"social-value-{measure_id}",
                )
        bid.social_value = {**bid.social_value, **social_value}
    bid.updated_at = utcnow()
    record(
        E.SAVE_BID,
        subject=bid,
        actor=user,
        organisation_id=bid.organisation_id,
        detail={
            "fields": sorted(
                k
                for k, v in dict(
                    answers=answers,
                    pass_fail=pass_fail,
                    total_price=total_price_pence,
                    line_prices=line_prices,
                    social_value=social_value,
                ).items()
                if v is not None
            )
        },
    )
    commit()
    return bid


def _known(values, questions, kinds):
    for key in values:
        question = questions.get(str(key))
        if question is None or question.kind not in kinds:
            raise ServiceError("That question is not part of this opportunity")


def set_partners(user, bid, partners):
    """Replace the consortium members and subcontractors: [{"role", "name",
    "organisation_id" (optional, from the directory), "share_percent"}]."""
    _require_changeable(user, bid)
    rows = []
    for i, partner in enumerate(partners):
        name = (partner.get("name") or "").strip()
        org_id = partner.get("organisation_id")
        if org_id:
            org = db.session.get(Organisation, int(org_id))
            if org is None or not org.is_supplier:
                raise ServiceError("Choose an organisation from the directory", f"partners-{i}")
            if org.id == bid.organisation_id:
                raise ServiceError(
                    "Your own organisation is the bidder, not a partner", f"partners-{i}"
                )
            name = org.name
        if not name:
            raise ServiceError("Enter the partner's name", f"partners-{i}")
        try:
            role = PartnerRole(partner.get("role"))
        except ValueError:
            raise ServiceError(
                "Choose whether this is a consortium member or a subcontractor", f"partners-{i}"
            ) from None
        share = partner.get("share_percent")
        if not isinstance(share, int) or not 1 <= share <= 99:
            raise ServiceError(
                "Enter the share of the work as a whole number from 1 to 99", f"partners-{i}"
            )
        rows.append(
            BidPartner(
                role=role,
                name=name[:300],
                share_percent=share,
                partner_organisation_id=int(org_id) if org_id else None,
            )
        )
    if sum(r.share_percent for r in rows) > 99:
        raise ServiceError(
            "Partners' shares add up to more than 99%: your organisation must "
            "keep some of the work",
            "partners",
        )
    bid.partners = rows
    bid.updated_at = utcnow()
    record(
        E.SAVE_BID,
        subject=bid,
        actor=user,
        organisation_id=bid.organisation_id,
        detail={"partners": [(r.name, r.role.value, r.share_percent) for r in rows]},
    )
    commit()
    return bid


def attach(user, bid, file_storage):
    """Upload an attachment into the working copy. Upload errors (UploadRefused, UploadFailed)
    reach the caller with nothing else lost: the rest of the bid was saved before."""
    from app.documents.services import upload_document

    _require_changeable(user, bid)
    document = upload_document(
        user,
        bid.organisation,
        file_storage,
        DocumentPurpose.BID_ATTACHMENT,
        subject_type=BID_SUBJECT,
        subject_id=bid.id,
    )
    bid.attachment_ids = [*bid.attachment_ids, document.id]
    bid.updated_at = utcnow()
    commit()
    return document


def detach(user, bid, document_id):
    """Take an attachment out of the working copy. One that a submission holds stays stored
    (and locked); one that none does is deleted."""
    from app.documents.services import delete_document

    _require_changeable(user, bid)
    if document_id not in bid.attachment_ids:
        raise ServiceError("That file is not attached to this bid")
    bid.attachment_ids = [i for i in bid.attachment_ids if i != document_id]
    bid.updated_at = utcnow()
    commit()
    document = db.session.get(Document, document_id)
    if document is not None and document.locked_at is None:
        delete_document(user, document)


BID_SUBJECT = "bid"


def attachments(bid):
    if not bid.attachment_ids:
        return []
    rows = (
        db.session.execute(sa.select(Document).where(Document.id.in_(bid.attachment_ids)))
        .scalars()
        .all()
    )
    by_id = {d.id: d for d in rows}
    return [by_id[i] for i in bid.attachment_ids if i in by_id]


# --- Submitting -------------------------------------------------------------------------------


def problems(bid):
    """What stops the working copy being submitted, as {field: message}, in page order."""
    found = {}
    for question in _questions(bid.opportunity_id):
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
        if _quantity(bid.social_value.get(measure_id)) is None:
            found[f"social-value-{measure_id}"] = (
                "Enter what you commit to for each social value measure (0 if none)"
            )
    for document in attachments(bid):
        if document.status != DocumentStatus.ACTIVE:
            found["attachments"] = f"Remove {document.original_filename}: it cannot be submitted"
    return found


def _quantity(value):
    """A social value quantity: 0 or more, below 10^12, at most 2 decimal places; else None."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
        fits = (
            number.is_finite()
            and 0 <= number < Decimal(10) ** 12
            and number == number.quantize(Decimal("0.01"))
        )
    except (InvalidOperation, AttributeError, TypeError):
        return None
    return number if fits else None


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
    """The canonical content of a submission: what the hash covers."""
    lines = bid.opportunity.price_schedule or []
    return {
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
            m: str(_quantity(bid.social_value.get(m)))
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
    }


def canonical_hash(snapshot):
    data = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def has_unsubmitted_changes(bid):
    current = bid.current_submission
    return current is None or canonical_hash(snapshot_of(bid)) != current.sha256


def submit(user, bid):
    """Freeze the working copy as a new submission. Raises BidIncomplete, NotAllowed or
    DeadlinePassed (the commit came after the deadline by the database's clock)."""
    _require_member(user, bid.organisation_id)
    opportunity = bid.opportunity
    problem = eligibility_problem(bid.organisation_id, opportunity)
    if problem:
        _refuse(problem)
    found = problems(bid)
    if found:
        raise BidIncomplete(found)
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
    record(
        E.SUBMIT_BID,
        subject=bid,
        actor=user,
        organisation_id=bid.organisation_id,
        detail={
            "submission_id": submission.id,
            "version": version,
            "sha256": submission.sha256,
            "submitted_at": submission.submitted_at.isoformat(),
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
    _require_member(user, bid.organisation_id)
    if bid.status != BidStatus.SUBMITTED:
        raise ServiceError("Only a submitted bid can be withdrawn")
    problem = eligibility_problem(bid.organisation_id, bid.opportunity)
    if problem == DEADLINE_PASSED:
        _refuse(problem)
    _require_database_before_deadline(bid.opportunity)
    bid.status = BidStatus.WITHDRAWN
    bid.current_submission_id = None
    bid.withdrawn_at = utcnow()
    record(
        E.WITHDRAW_BID,
        subject=bid,
        actor=user,
        organisation_id=bid.organisation_id,
        detail={"opportunity_id": bid.opportunity_id},
    )
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


def _require_database_before_deadline(opportunity):
    if db.session.get_bind().dialect.name != "postgresql":
        return
    late = db.session.execute(
        sa.text(
            "SELECT clock_timestamp() >= submission_deadline FROM opportunities WHERE id = :id"
        ),
        {"id": opportunity.id},
    ).scalar()
    if late:
        raise DeadlinePassed(DEADLINE_PASSED)


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


def earlier_answers(organisation_id, exclude_opportunity_id):
    """Answers from the organisation's earlier submitted bids, to copy in:
    [(opportunity title, question text, answer)] newest first."""
    from lots.opportunities.models import Opportunity

    rows = db.session.execute(
        sa.select(BidSubmission.snapshot, Opportunity.title, BidSubmission.opportunity_id)
        .join(Opportunity, Opportunity.id == BidSubmission.opportunity_id)
        .where(
            BidSubmission.organisation_id == organisation_id,
            BidSubmission.opportunity_id != exclude_opportunity_id,
        )
        .order_by(BidSubmission.id.desc())
        .limit(20)
    ).all()
    latest = {}
    for snapshot, title, opportunity_id in rows:
        latest.setdefault(opportunity_id, (snapshot, title))  # each bid's latest version only
    texts = (
        dict(
            db.session.execute(
                sa.select(OpportunityQuestion.id, OpportunityQuestion.text).where(
                    OpportunityQuestion.opportunity_id.in_(list(latest))
                )
            ).all()
        )
        if latest
        else {}
    )
    out = []
    for opportunity_id, (snapshot, title) in latest.items():
        for qid, answer in snapshot.get("answers", {}).items():
            out.append(
                {
                    "opportunity": title,
                    "question": texts.get(int(qid), ""),
                    "answer": answer,
                    "key": f"{opportunity_id}:{qid}",
                }
            )
    return out
