"""Bidding: starting one bid per supplier, and its working copy (answers, pass/fail, price, social
value, partners, attachments), saved as the supplier goes; answers from earlier bids to copy in.

Who may bid is decided in ``lots.bids.permissions``; submitting, withdrawing and the deadline at
the moment of commit are in ``lots.bids.submitting``.
"""

import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentPurpose
from app.documents.services import delete_document, upload_document
from app.errors import ServiceError
from app.extensions import db
from app.numbers import optional_id
from app.organisations.models import Organisation
from app.reference import social_value as sv_measures
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.models import Bid, BidPartner, BidStatus, BidSubmission, PartnerRole
from lots.bids.permissions import require_eligible, require_may_bid, require_member
from lots.opportunities.models import Opportunity, OpportunityQuestion, QuestionKind

MAX_PRICE_PENCE = 10_000_000_000  # £100 million: far above any call-off, far inside the column
WORD = re.compile(r"[\w\u00C0-\u024F]", re.UNICODE)
# What joins two words without a space but still leaves two words: commas, semicolons and
# colons (except between digits: 1,000 and 10:30 are one), a full stop before a word of two
# letters or more ("end.Start", not "e.g." or 2.5), slashes, dashes other than a single hyphen
# (en and em dashes, a double hyphen), and the like.
JOINER = re.compile(
    r"(?<![0-9])[,;:](?=[^\W\d_])|(?<=[^\W\d_])[,;:](?=[0-9])|\.(?=[^\W\d_]{2})|[/\\|+&=…]"
    r"|[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]|-{2,}|[()\[\]{}<>]"
)
PARTNER_NAME_MAX = 300  # the column's length: refused beyond it, never cut
LONG_WORD = 30  # no word a person writes is longer ("antidisestablishmentarianism" is 28)
CHARACTERS_PER_WORD = 6  # an average English word and the space after it
BID_SUBJECT = "bid"


def count_words(text):
    """Words as a person counts them, so a limit cannot be dodged by leaving the spaces out.

    - Words are split at spaces, and where punctuation joins two words without one: commas,
      semicolons, colons, slashes, a full stop before a word ("care,support/advice" is three;
      "e.g." and "2.5" are one), and dashes
      other than a single hyphen ("care—support" and "care--support" are two). A single hyphen
      makes one word of a compound, as people (and word processors) count it: "well-being".
    - A piece counts if it holds a letter or a digit (a lone dash is not a word).
    - A piece longer than any real word (over 30 characters, with no space or joining
      punctuation) counts as one word per 6 characters, the length of an average English word
      and its space: a 2 MB answer with no spaces is about 350,000 words, not one.

    The page's counter (app/static/bid-answer.js) uses the same rule."""
    count = 0
    for token in (text or "").split():
        for piece in JOINER.split(token):
            if WORD.search(piece):
                count += -(-len(piece) // CHARACTERS_PER_WORD) if len(piece) > LONG_WORD else 1
    return count


def quantity(value):
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


def commitment(measure_id, value):
    """A social value commitment as the measure's value type allows (a whole count, pounds and
    pence, a decimal quantity, a percentage from 0 to 100), or a ServiceError naming its box."""
    measure = sv_measures.get(measure_id)
    field = f"social-value-{measure_id}"
    if measure is None:
        raise ServiceError("That social value measure was not asked for", field)
    return sv_measures.check_value(
        measure,
        value,
        field,
        f"Enter what you commit to for ‘{measure.name}’ as a number, like 2 (or 0 if none)",
    )


def record_bid(event, user, bid, detail):
    """Audit a change the supplier made to its bid."""
    record(event, subject=bid, actor=user, organisation_id=bid.organisation_id, detail=detail)


def bid_of(organisation_id, opportunity_id):
    return db.session.execute(
        sa.select(Bid).where(
            Bid.opportunity_id == opportunity_id, Bid.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def start_bid(user, organisation, opportunity):
    """The organisation's bid for the opportunity, started now if it has none."""
    require_member(user, organisation.id)
    existing = bid_of(organisation.id, opportunity.id)
    if existing is not None:
        return existing
    require_eligible(organisation.id, opportunity)
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
    require_may_bid(user, bid.organisation_id, bid.opportunity)


# --- The working copy ---------------------------------------------------------------------------


def questions_of(opportunity_id):
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
    """Save what the supplier has entered so far. Little typed is refused here (an answer over
    its word limit is kept and flagged at submission): answers to questions the opportunity
    does not ask, and an answer longer than ``BID_ANSWER_MAX_CHARACTERS`` (far above any word
    limit: it keeps a pasted file or a script out of the database). A submitted bid keeps its
    submission until it is resubmitted. A refusal names the field as ``problems`` does
    (``answer-12``, ``pass-fail-12``, ``social-value-SV-EMP-01``), or the argument
    (``answers``, ``line_prices``) when it is about no one box."""
    _require_changeable(user, bid)
    questions = {str(q.id): q for q in questions_of(bid.opportunity_id)}
    if answers is not None:
        _known(answers, questions, (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE), "answers")
        longest = current_app.config["BID_ANSWER_MAX_CHARACTERS"]
        for key, value in answers.items():
            if len(value or "") > longest:
                raise ServiceError(
                    f"Your answer must be {longest:,} characters or fewer "
                    f"(it is {len(value):,}): shorten it, then save it again",
                    f"answer-{key}",
                )
        bid.answers = {**bid.answers, **{k: (v or "") for k, v in answers.items()}}
    if pass_fail is not None:
        _known(pass_fail, questions, (QuestionKind.PASS_FAIL,), "pass_fail")
        for key, value in pass_fail.items():
            if value not in ("yes", "no", ""):
                raise ServiceError("Answer yes or no", f"pass-fail-{key}")
        bid.pass_fail = {**bid.pass_fail, **pass_fail}
    if total_price_pence is not None:
        if not 0 < total_price_pence <= MAX_PRICE_PENCE:
            raise ServiceError("Enter a price more than £0 and up to £100,000,000", "total_price")
        bid.total_price_pence = total_price_pence
    if line_prices is not None:
        lines = bid.opportunity.price_schedule or []
        if any(not k.isdigit() or int(k) >= len(lines) for k in line_prices):
            raise ServiceError("That price line is not in the schedule", "line_prices")
        if any(v is not None and not 0 < v <= MAX_PRICE_PENCE for v in line_prices.values()):
            raise ServiceError("Each unit price must be more than £0", "line_prices")
        bid.line_prices = {**bid.line_prices, **line_prices}
    if social_value is not None:
        asked = set(bid.opportunity.social_value_measures or [])
        if set(social_value) - asked:
            raise ServiceError("That social value measure was not asked for", "social_value")
        for measure_id, value in social_value.items():
            if (value or "").strip():
                commitment(measure_id, value)
        bid.social_value = {**bid.social_value, **social_value}
    bid.updated_at = utcnow()
    given = dict(
        answers=answers,
        pass_fail=pass_fail,
        total_price=total_price_pence,
        line_prices=line_prices,
        social_value=social_value,
    )
    record_bid(
        E.SAVE_BID, user, bid, {"fields": sorted(k for k, v in given.items() if v is not None)}
    )
    commit()
    return bid


def _known(values, questions, kinds, field):
    for key in values:
        question = questions.get(str(key))
        if question is None or question.kind not in kinds:
            raise ServiceError("That question is not part of this opportunity", field)


def set_partners(user, bid, partners):
    """Replace the consortium members and subcontractors: [{"role", "name",
    "organisation_id" (optional, from the directory), "share_percent"}]. A refusal names the
    partner and the part of it (``partners-1-share_percent``), or ``partners`` for their shares
    together."""
    _require_changeable(user, bid)
    rows = []
    for i, partner in enumerate(partners):
        name = (partner.get("name") or "").strip()
        org_id = partner.get("organisation_id")
        if org_id:
            org = db.session.get(Organisation, optional_id(org_id)) if optional_id(org_id) else None
            if org is None or not org.is_supplier:
                raise ServiceError(
                    "Choose an organisation from the directory", f"partners-{i}-organisation_id"
                )
            if org.id == bid.organisation_id:
                raise ServiceError(
                    "Your own organisation is the bidder, not a partner",
                    f"partners-{i}-organisation_id",
                )
            name = org.name
        if not name:
            raise ServiceError("Enter the partner's name", f"partners-{i}-name")
        if len(name) > PARTNER_NAME_MAX:
            raise ServiceError(
                f"The partner's name must be {PARTNER_NAME_MAX} characters or fewer",
                f"partners-{i}-name",
            )
        try:
            role = PartnerRole(partner.get("role"))
        except ValueError:
            raise ServiceError(
                "Choose whether this is a consortium member or a subcontractor",
                f"partners-{i}-role",
            ) from None
        share = partner.get("share_percent")
        if not isinstance(share, int) or not 1 <= share <= 99:
            raise ServiceError(
                "Enter the share of the work as a whole number from 1 to 99",
                f"partners-{i}-share_percent",
            )
        rows.append(
            BidPartner(
                role=role,
                name=name,
                share_percent=share,
                partner_organisation_id=org.id if org_id else None,
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
    record_bid(
        E.SAVE_BID,
        user,
        bid,
        {"partners": [(r.name, r.role.value, r.share_percent) for r in rows]},
    )
    commit()
    return bid


def attach(user, bid, file_storage):
    """Upload an attachment into the working copy. Upload errors (UploadRefused, UploadFailed)
    reach the caller with nothing else lost: the rest of the bid was saved before."""
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
    _require_changeable(user, bid)
    if document_id not in bid.attachment_ids:
        raise ServiceError("That file is not attached to this bid", "attachments")
    bid.attachment_ids = [i for i in bid.attachment_ids if i != document_id]
    bid.updated_at = utcnow()
    commit()
    document = db.session.get(Document, document_id)
    if document is not None and document.locked_at is None:
        delete_document(user, document)


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


# --- Copying in earlier answers -----------------------------------------------------------------


def earlier_answers(organisation_id, exclude_opportunity_id):
    """Answers from the organisation's earlier submitted bids, to copy in:
    [(opportunity title, question text, answer)] newest first."""
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
