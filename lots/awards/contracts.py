"""Contracts: entered when the award's standstill ends (at once when there is none), with the
social value the winner promised, and published in the contracts register."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.extensions import db
from app.reference import social_value
from app.timeutil import to_local, utcnow
from app.unitofwork import commit
from dps.queries import vcse_among
from lots.awards import figures
from lots.awards.hooks import run_on_contract_entered
from lots.awards.models import Award, AwardStatus, Contract, SocialValueCommitment
from lots.awards.pledges import pledges_on_entry
from lots.awards.schedule import add_months, make_schedule
from lots.evaluation.sealing import submission_for
from lots.opportunities import conditions


def add_commitments(contract, promised):
    """A social value commitment on the (flushed) contract for each ``(measure id, quantity)``
    promised, with the measure's value type and rule as the measures library holds them (none for
    a measure the library no longer has). Their figures and their buyer's sums count the
    promises at once (``figures.refresh``). The buyer's lock is taken first: the rows' triggers
    stamp its coverage (``SocialValueCoverage``), which a refresh holding the lock also does."""
    figures.lock_buyers([contract.buyer_id])
    made = []
    for measure_id, quantity in promised:
        measure = social_value.get(measure_id)
        made.append(
            SocialValueCommitment(
                contract_id=contract.id,
                measure_id=measure_id,
                promised=Decimal(quantity),
                value_type=measure.value_type if measure else None,
                aggregation=measure.aggregation if measure else None,
            )
        )
    db.session.add_all(made)
    db.session.flush()
    figures.refresh([c.id for c in made])


def enter_contract(award):
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
        end_date=add_months(start, months) - timedelta(days=1),
        supplier_is_vcse=supplier.id in vcse_among([supplier.id]),
        supplier_is_sme=supplier.is_sme,
        supplier_region_code=supplier.region_code,
        # The contract conditions as published with the call-off, and declared in the bid.
        payment_terms_days=opportunity.payment_terms_days,
        real_living_wage=opportunity.real_living_wage,
        living_wage_rate_pence=opportunity.living_wage_rate_pence,
        living_wage_rate_year=opportunity.living_wage_rate_year,
        living_wage_london=opportunity.living_wage_london,
        entered_at=utcnow(),
    )
    db.session.add(contract)
    db.session.flush()
    add_commitments(contract, sorted(snapshot.get("social_value", {}).items()))
    db.session.flush()
    # Pledges against community wishes in the bid become part of those commitments.
    pledges_on_entry(contract, snapshot)
    # The commitments become a reporting schedule, as often as the buyer chose at award.
    make_schedule(contract, award.reporting_frequency)
    award.status = AwardStatus.CONTRACTED
    run_on_contract_entered(contract)
    record(
        E.ENTER_CONTRACT,
        subject=contract,
        organisation_id=opportunity.buyer_id,
        detail={
            "supplier_id": supplier.id,
            "value_pence": contract.value_pence,
            "start": start.isoformat(),
            "end": contract.end_date.isoformat(),
            "conditions": conditions.frozen(contract),
            "reporting_frequency": contract.reporting_frequency.value,
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
            enter_contract(award)
            commit()  # one at a time: one bad award must not hold up the others
            entered += 1
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception(
                "could not enter the contract for opportunity %s", award.opportunity_id
            )
    return entered
