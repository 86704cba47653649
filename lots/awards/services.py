"""Awarding: the buyer proposes the winner from the ranked result, the approver confirms it (or
returns it, or records that no bid was suitable), every bidder gets a letter, a voluntary
standstill runs, then the contract is entered and published in the contracts register. After
that the buyer records the social value delivered against what was promised."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app, render_template

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import DocumentPurpose
from app.documents.services import store_generated
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Membership, Organisation
from app.outbox.services import queue_email
from app.queue import enqueue
from app.timeutil import format_datetime, local_tz, to_local, utcnow
from app.unitofwork import after_commit, commit
from app.urls import absolute_url
from dps.queries import vcse_among
from dps.working_days import add_working_days
from lots.awards.models import (
    Award,
    AwardLetter,
    AwardStatus,
    Contract,
    SocialValueCommitment,
    SocialValueDelivery,
)
from lots.bids.models import Bid
from lots.evaluation import scoring
from lots.evaluation.permissions import require_not_conflicted
from lots.evaluation.sealing import evaluation_of, is_sealed, submission_for, submitted_bids
from lots.evaluation.services import abnormally_low, consensus, result, scored_questions
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.permissions import has_buyer_role

STANDSTILL_WORKING_DAYS = 8
MAX_QUANTITY = Decimal(10) ** 12  # social value quantities fit NUMERIC(14, 2)


def award_of(opportunity_id):
    return db.session.get(Award, opportunity_id)


def _require(user, opportunity, role):
    if not has_buyer_role(user, opportunity.buyer_id, role):
        raise NotAllowed(f"You need the {role} role to do this")
    require_not_conflicted(user, opportunity)


def propose(user, opportunity):
    """The buyer proposes the top-ranked bid. Every consensus score must be in and every
    abnormally low price cleared with a reason."""
    _require(user, opportunity, "buyer")
    if opportunity.status != OpportunityStatus.PUBLISHED or is_sealed(opportunity):
        raise ServiceError("An award can be proposed only after the deadline, before any decision")
    if award_of(opportunity.id) is not None:
        raise ServiceError("An award has already been proposed")
    ranked = result(opportunity)
    if ranked is None:
        raise ServiceError("Agree a consensus score for every answer first")
    placed = [r for r in ranked if r.position is not None]
    if not placed:
        raise ServiceError(
            "No bid passed the pass/fail questions. Record that there was no suitable bid instead"
        )
    if len([r for r in placed if r.position == 1]) > 1:
        raise ServiceError(
            "Two bids tie for first place even after the published tie-break. "
            "Review the consensus scores"
        )
    flagged, cleared = abnormally_low(opportunity)
    if flagged - cleared:
        raise ServiceError(
            "A price is flagged as possibly abnormally low. Look into it and "
            "record why it is acceptable (or exclude the bid) before the award"
        )
    award = Award(
        opportunity_id=opportunity.id,
        winner_bid_id=placed[0].bid_id,
        status=AwardStatus.PROPOSED,
        result=_result_record(opportunity, ranked),
        proposed_by_id=user.id,
        proposed_at=utcnow(),
    )
    db.session.add(award)
    record(
        E.PROPOSE_AWARD,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={
            "winner_bid_id": award.winner_bid_id,
            "totals": {r["bid_id"]: r["total"] for r in award.result},
        },
    )
    commit()
    return award


def _result_record(opportunity, ranked):
    """The decision as it stands, kept with the award: what every letter quotes."""
    names = dict(
        db.session.execute(
            sa.select(Bid.id, Organisation.name)
            .join(Organisation, Organisation.id == Bid.organisation_id)
            .where(Bid.opportunity_id == opportunity.id)
        ).all()
    )
    agreed = consensus(opportunity.id)
    questions = scored_questions(opportunity.id)
    rows = []
    for r in ranked:
        rows.append(
            {
                "bid_id": r.bid_id,
                "supplier": names[r.bid_id],
                "position": r.position,
                "price_pence": r.price_pence,
                "price_score": scoring.two_places(r.price_score),
                "quality_score": scoring.two_places(r.quality_score),
                "social_value_score": scoring.two_places(r.social_value_score),
                "total": scoring.two_places(r.total),
                "excluded_reason": r.excluded_reason,
                "questions": [
                    {
                        "question_id": q.id,
                        "text": q.text,
                        "kind": q.kind.value,
                        "score": agreed[(r.bid_id, q.id)].score,
                        "points": scoring.two_places(r.question_scores.get(q.id)),
                        "reason": agreed[(r.bid_id, q.id)].reason,
                    }
                    for q in questions
                    if (r.bid_id, q.id) in agreed and r.position is not None
                ],
            }
        )
    return rows


def standstill_end(now, voluntary):
    """Midnight (London) after the 8th working day, when a voluntary standstill applies."""
    if not voluntary:
        return now
    last = add_working_days(to_local(now).date(), STANDSTILL_WORKING_DAYS)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=local_tz())


def confirm(user, opportunity):
    """The approver confirms: the opportunity is awarded, letters go to every bidder, and the
    contract is entered when the standstill ends (at once if there is none). Four eyes: the
    person who proposed the award cannot confirm it, whatever roles they hold."""
    _require(user, opportunity, "approver")
    award = award_of(opportunity.id)
    if award is None or award.status != AwardStatus.PROPOSED:
        raise ServiceError("There is no proposed award to confirm")
    if award.proposed_by_id == user.id:
        raise NotAllowed("Someone other than the person who proposed the award must confirm it")
    now = utcnow()
    award.status = AwardStatus.CONFIRMED
    award.confirmed_by_id = user.id
    award.confirmed_at = now
    award.standstill_ends_at = standstill_end(now, opportunity.voluntary_standstill)
    opportunity.status = OpportunityStatus.AWARDED
    record(
        E.CONFIRM_AWARD,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={
            "winner_bid_id": award.winner_bid_id,
            "standstill_ends_at": award.standstill_ends_at.isoformat(),
        },
    )
    if not opportunity.voluntary_standstill:
        _enter_contract(award)
    after_commit(enqueue, issue_letters, opportunity.id, job_id=f"issue_letters-{opportunity.id}")
    commit()
    return award


def return_award(user, opportunity, reason):
    """The approver sends the proposal back to the buyer, with a reason."""
    _require(user, opportunity, "approver")
    award = award_of(opportunity.id)
    if award is None or award.status != AwardStatus.PROPOSED:
        raise ServiceError("There is no proposed award to return")
    if not (reason or "").strip():
        raise ServiceError("Enter the reason for returning the award", "reason")
    record(
        E.RETURN_AWARD,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason.strip(), "winner_bid_id": award.winner_bid_id},
    )
    db.session.delete(award)
    commit()


def no_suitable_bid(user, opportunity, reason):
    """The approver records that no bid was suitable: the opportunity closes without award and
    every bidder is told why."""
    _require(user, opportunity, "approver")
    if opportunity.status != OpportunityStatus.PUBLISHED or is_sealed(opportunity):
        raise ServiceError("This can be recorded only after the deadline, before any decision")
    award = award_of(opportunity.id)
    if award is not None and award.status != AwardStatus.PROPOSED:
        raise ServiceError("The award has been confirmed")
    if not (reason or "").strip():
        raise ServiceError("Enter the reason. Every bidder will read it", "reason")
    if award is not None:
        db.session.delete(award)
    opportunity.status = OpportunityStatus.NO_SUITABLE_BID
    opportunity.cancel_reason = reason.strip()
    record(
        E.RECORD_NO_SUITABLE_BID,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason.strip()},
    )
    for person in _bidder_people(opportunity.id):
        queue_email(
            person.email,
            "no_suitable_bid",
            {
                "name": person.name,
                "title": opportunity.title,
                "buyer": opportunity.buyer.name,
                "reason": reason.strip(),
                "url": absolute_url("lots.bid_overview", opportunity_id=opportunity.id),
            },
            idempotency_key=f"no_suitable_bid:{opportunity.id}:{person.id}",
        )
    commit()


def _bidder_people(opportunity_id, bid_id=None):
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


# --- Letters --------------------------------------------------------------------------------


def issue_letters(opportunity_id):
    """Job: one letter per bidder (the award letter for the winner, an assessment summary for
    the rest), stored as documents the bidder owns, and emailed. Safe to run again."""
    from lots.opportunities.models import Opportunity

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
        letter = AwardLetter(
            opportunity_id=opportunity_id,
            bid_id=bid.id,
            document_id=document.id,
            successful=successful,
            created_at=utcnow(),
        )
        db.session.add(letter)
        db.session.flush()
        record(
            E.ISSUE_AWARD_LETTER,
            subject=letter,
            organisation_id=bid.organisation_id,
            detail={"successful": successful, "sha256": document.sha256},
        )
        for person in _bidder_people(opportunity_id, bid.id):
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
    return issued


def letters_for(opportunity_id, organisation_id):
    return (
        db.session.execute(
            sa.select(AwardLetter)
            .join(Bid, Bid.id == AwardLetter.bid_id)
            .where(
                AwardLetter.opportunity_id == opportunity_id, Bid.organisation_id == organisation_id
            )
        )
        .scalars()
        .all()
    )


# --- Contracts ---------------------------------------------------------------------------------


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _enter_contract(award):
    opportunity = award.winner.opportunity
    supplier = award.winner.organisation
    snapshot = submission_for(award.winner_bid_id).snapshot
    entered = to_local(award.standstill_ends_at).date()
    # Never before it is entered: a planned start that the award overtook moves to that day.
    start = max(opportunity.contract_start or entered, entered)
    months = opportunity.contract_months or 12
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=opportunity.buyer_id,
        supplier_id=supplier.id,
        lot_id=opportunity.lot_id,
        value_pence=snapshot["price"]["total_pence"],
        start_date=start,
        end_date=_add_months(start, months) - timedelta(days=1),
        supplier_is_vcse=supplier.id in vcse_among([supplier.id]),
        supplier_is_sme=supplier.is_sme,
        supplier_region_code=supplier.region_code,
        entered_at=utcnow(),
    )
    db.session.add(contract)
    db.session.flush()
    for measure_id, quantity in sorted(snapshot.get("social_value", {}).items()):
        db.session.add(
            SocialValueCommitment(
                contract_id=contract.id, measure_id=measure_id, promised=Decimal(quantity)
            )
        )
    award.status = AwardStatus.CONTRACTED
    record(
        E.ENTER_CONTRACT,
        subject=contract,
        organisation_id=opportunity.buyer_id,
        detail={
            "supplier_id": supplier.id,
            "value_pence": contract.value_pence,
            "start": start.isoformat(),
            "end": contract.end_date.isoformat(),
        },
    )
    return contract


def enter_due_contracts(now=None):
    """Scheduled: enter the contracts whose standstill has ended. Safe to run again."""
    now = now or utcnow()
    due = (
        db.session.execute(
            sa.select(Award).where(
                Award.status == AwardStatus.CONFIRMED, Award.standstill_ends_at <= now
            )
        )
        .scalars()
        .all()
    )
    entered = 0
    for award in due:
        try:
            _enter_contract(award)
            commit()  # one at a time: one bad award must not hold up the others
            entered += 1
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception(
                "could not enter the contract for opportunity %s", award.opportunity_id
            )
    return entered


def contract_of(opportunity_id):
    return db.session.execute(
        sa.select(Contract).where(Contract.opportunity_id == opportunity_id)
    ).scalar_one_or_none()


def contracts_register(buyer_id=None, supplier_id=None):
    stmt = sa.select(Contract).order_by(Contract.entered_at.desc(), Contract.id.desc())
    if buyer_id is not None:
        stmt = stmt.where(Contract.buyer_id == buyer_id)
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    return db.session.execute(stmt).scalars().all()


def record_delivery(user, commitment, period_start, period_end, delivered, note=None):
    """The buyer records what was delivered against a commitment for a period."""
    contract = commitment.contract
    if not has_buyer_role(user, contract.buyer_id, "buyer"):
        raise NotAllowed("You need the buyer role to record delivery")
    if period_end < period_start:
        raise ServiceError("The end of the period must be on or after its start", "period_end")
    if period_start < contract.start_date:
        raise ServiceError("The period must start on or after the contract's start", "period_start")
    try:
        amount = Decimal(str(delivered).strip().replace(",", ""))
    except InvalidOperation:
        raise ServiceError(
            "Enter the amount delivered as a number, like 2 or 1.5", "delivered"
        ) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= MAX_QUANTITY
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ServiceError(
            "Enter the amount delivered as a number, like 2 or 1.5, with at most 2 decimal places",
            "delivered",
        )
    clash = db.session.execute(
        sa.select(SocialValueDelivery.id).where(
            SocialValueDelivery.commitment_id == commitment.id,
            SocialValueDelivery.period_start <= period_end,
            SocialValueDelivery.period_end >= period_start,
        )
    ).first()
    if clash:
        raise ServiceError("Delivery for part of this period is already recorded", "period_start")
    row = SocialValueDelivery(
        commitment_id=commitment.id,
        period_start=period_start,
        period_end=period_end,
        delivered=amount,
        note=(note or "").strip() or None,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    record(
        E.RECORD_SOCIAL_VALUE_DELIVERY,
        subject=row,
        actor=user,
        organisation_id=contract.buyer_id,
        detail={
            "measure_id": commitment.measure_id,
            "delivered": str(amount),
            "period": [period_start.isoformat(), period_end.isoformat()],
        },
    )
    commit()
    return row


def promised_and_delivered(contract):
    """[(commitment, delivered total)] for the insight pages."""
    return [(c, sum((d.delivered for d in c.deliveries), Decimal(0))) for c in contract.commitments]
