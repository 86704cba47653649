"""A contract entered straight from a published opportunity, without running an evaluation:
for tests of what happens after award (social value delivered, the contract record)."""

from datetime import date

from app.extensions import db
from app.timeutil import utcnow
from lots.awards.contracts import add_commitments
from lots.awards.models import Contract


def contract_for(world, promised, start=date(2027, 1, 4), **fields):
    """A contract between the world's buyer and its first supplier, with a commitment per
    ``{measure_id: promised}``, each measure's value type and rule as the data file says."""
    _, org = world.suppliers[0]
    opportunity = world.opportunity
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=opportunity.buyer_id,
        supplier_id=org.id,
        lot_id=opportunity.lot_id,
        value_pence=3_000_000,
        start_date=start,
        end_date=date(start.year + 1, start.month, start.day),
        supplier_is_vcse=False,
        supplier_is_sme=True,
        supplier_region_code=org.region_code,
        entered_at=utcnow(),
        **fields,
    )
    db.session.add(contract)
    db.session.flush()
    add_commitments(contract, promised.items())
    db.session.commit()
    return contract
