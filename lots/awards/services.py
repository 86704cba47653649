"""Awarding: the buyer proposes the winner from the ranked result, the approver confirms it (or
returns it, or records that no bid was suitable), every bidder gets a letter
(``lots.awards.letters``), a voluntary standstill runs, then the contract is entered and published
in the contracts register (``lots.awards.contracts``). After that the buyer records the social
value delivered against what was promised (``lots.awards.delivery``). Who may do each is decided
in ``lots.awards.permissions``."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.outbox.services import queue_email
from app.timeutil import format_date, local_tz, to_local, utcnow
from app.unitofwork import after_commit, commit
from app.urls import absolute_url
from dps.models import ReservationBasis
from dps.working_days import add_working_days
from lots.awards import letters, permissions
from lots.awards.contracts import enter_contract
from lots.awards.evidence import require_evidence_accepted
from lots.awards.hooks import run_on_no_suitable_bid
from lots.awards.models import Award, AwardStatus, ReportingFrequency
from lots.awards.queries import award_of
from lots.bids.models import Bid
from lots.evaluation import scoring
from lots.evaluation.results import abnormally_low, result
from lots.evaluation.scores import consensus
from lots.evaluation.sealing import is_sealed
from lots.evaluation.services import scored_questions
from lots.opportunities.models import Opportunity, OpportunityStatus

STANDSTILL_WORKING_DAYS = 8


def propose(user, opportunity, reporting_frequency=ReportingFrequency.QUARTERLY):
    """The buyer proposes the top-ranked bid, and says how often the winner will report its
    social value (monthly or quarterly). Every consensus score must be in and every abnormally
    low price cleared with a reason."""
    permissions.require_proposer(user, opportunity)
    try:
        reporting_frequency = ReportingFrequency(reporting_frequency)
    except ValueError:
        raise ServiceError(
            "Choose how often the supplier reports its social value", "reporting_frequency"
        ) from None
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
    check_mutual_repeat_award(opportunity, db.session.get(Bid, placed[0].bid_id).organisation_id)
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
        reporting_frequency=reporting_frequency,
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
            "reporting_frequency": reporting_frequency.value,
        },
    )
    commit()
    return award


def check_mutual_repeat_award(opportunity, supplier_id, now=None):
    """Section 33 of the Procurement Act 2023: a contract reserved for public service mutuals may
    not go to a mutual that the same buyer awarded a contract reserved the same way for
    comparable services (the same lot) in the previous 3 years (``MUTUAL_REPEAT_AWARD_YEARS``)."""
    mutual = ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL.value
    if mutual not in (opportunity.reservation_bases or []):
        return
    years = current_app.config["MUTUAL_REPEAT_AWARD_YEARS"]
    now = now or utcnow()
    local = to_local(now)
    try:
        since = local.replace(year=local.year - years)
    except ValueError:  # 29 February
        since = local.replace(year=local.year - years, day=28)
    earlier = db.session.execute(
        sa.select(Opportunity, Award.confirmed_at)
        .join(Award, Award.opportunity_id == Opportunity.id)
        .join(Bid, Bid.id == Award.winner_bid_id)
        .where(
            Opportunity.id != opportunity.id,
            Opportunity.buyer_id == opportunity.buyer_id,
            Opportunity.lot_id == opportunity.lot_id,
            Bid.organisation_id == supplier_id,
            Award.status.in_([AwardStatus.CONFIRMED, AwardStatus.CONTRACTED]),
            Award.confirmed_at > since,
        )
    ).all()
    for other, confirmed_at in earlier:
        if mutual in (other.reservation_bases or []):
            raise ServiceError(
                f"You awarded this public service mutual a contract reserved for public service "
                f"mutuals for the same services ({other.reference}) on "
                f"{format_date(confirmed_at)}. Section 33 of the Procurement Act 2023 lets you "
                f"award it another only {years} years after that"
            )


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


def standstill_end(now, voluntary, calendar):
    """Midnight (London) after the 8th working day in the DPS's calendar, when a voluntary
    standstill applies."""
    if not voluntary:
        return now
    last = add_working_days(to_local(now).date(), STANDSTILL_WORKING_DAYS, calendar)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=local_tz())


def confirm(user, opportunity):
    """The approver confirms: the opportunity is awarded, letters go to every bidder, and the
    contract is entered when the standstill ends (at once if there is none). Four eyes: the
    person who proposed the award cannot confirm it, whatever roles they hold."""
    permissions.require_approver(user, opportunity)
    award = award_of(opportunity.id)
    if award is None or award.status != AwardStatus.PROPOSED:
        raise ServiceError("There is no proposed award to confirm")
    permissions.require_four_eyes(user, award)
    require_evidence_accepted(opportunity, award)
    now = utcnow()
    check_mutual_repeat_award(opportunity, award.winner.organisation_id, now)
    award.status = AwardStatus.CONFIRMED
    award.confirmed_by_id = user.id
    award.confirmed_at = now
    award.standstill_ends_at = standstill_end(
        now, opportunity.voluntary_standstill, opportunity.dps.calendar
    )
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
        enter_contract(award)
    after_commit(letters.enqueue_letters, opportunity.id)
    commit()
    return award


def return_award(user, opportunity, reason):
    """The approver sends the proposal back to the buyer, with a reason."""
    permissions.require_approver(user, opportunity)
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
    permissions.require_approver(user, opportunity)
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
    run_on_no_suitable_bid(opportunity)  # the procurement termination notice
    for person in letters.bidder_people(opportunity.id):
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
