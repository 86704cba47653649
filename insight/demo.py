"""Demo data for places and the social value dashboards: West Yorkshire, its five councils and
the demo's three West Yorkshire buyers, the five measures they share, and a year of believable
returns on four more contracts, so the public place page and every dashboard have figures; and
the community wish list in the place (``insight.wish_demo``).

DEMO ONLY: the four contracts are written straight onto the rows (a call-off marked awarded a
year ago, its contract, commitments and schedule), as the awards demo moves its own dates; their
returns then go through the returns service as a supplier's and a buyer's would (submitted with
home postcodes and councils, and accepted; Pennine Housing's latest waits for it). Safe to run again:
it does nothing when the place is there."""

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import OrganisationKind
from app.organisations.queries import find_organisation, owner_of
from app.places import services as places
from app.timeutil import to_local, utcnow
from dps.models import Lot, LotMembership, MembershipStatus
from insight import wish_demo
from lots.awards import returns
from lots.awards.contracts import add_commitments
from lots.awards.models import Contract
from lots.awards.schedule import add_months, make_schedule
from lots.opportunities import services as opportunities
from lots.opportunities.models import OpportunityStatus

PLACE = "West Yorkshire"
PRIORITIES = ["SV-EMP-01", "SV-COM-01", "SV-FW-01", "SV-SC-01", "SV-SKL-05"]
DESCRIPTION = (
    "The councils, housing associations and NHS bodies of West Yorkshire agreed in 2026 to ask "
    "for the same five social value measures in their contracts: local jobs, staff "
    "volunteering, the Real Living Wage, spend with local VCSEs, and training."
)
# Wakefield Council (from the spend demo, which runs first) is in the place too: its payments
# show beside Leeds's in the place's spend view.
BUYERS = [
    "Leeds City Council",
    "Pennine Housing Association",
    "NHS West Yorkshire ICB",
    "Wakefield Council",
]

# (buyer, supplier, title, value in pence, {measure: promised over the year}, per quarter:
# {measure: delivered}, {measure: council where it fell}, home postcodes of people employed)
CONTRACTS = [
    (
        "Pennine Housing Association",
        "Riverside Community Care CIO",
        "Tenancy sustainment visits in Halifax",
        6_200_000,
        {"SV-EMP-01": "2", "SV-COM-01": "80", "SV-FW-01": "100", "SV-SKL-05": "60"},
        [
            {"SV-EMP-01": "1", "SV-COM-01": "12", "SV-FW-01": "100", "SV-SKL-05": "10"},
            {"SV-EMP-01": "2", "SV-COM-01": "18", "SV-FW-01": "100", "SV-SKL-05": "16"},
            {"SV-EMP-01": "2", "SV-COM-01": "22.5", "SV-FW-01": "100", "SV-SKL-05": "14"},
            {"SV-EMP-01": "2", "SV-COM-01": "24", "SV-FW-01": "100", "SV-SKL-05": "18"},
        ],
        {"SV-COM-01": "CLD", "SV-SKL-05": "CLD"},
        ["HX1 1AA", "HX1 1AB"],
    ),
    (
        "NHS West Yorkshire ICB",
        "Chapeltown Befrienders CIO",
        "Social prescribing link workers in Chapeltown",
        9_800_000,
        {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100", "SV-SC-01": "15000"},
        [
            {"SV-EMP-01": "2", "SV-COM-01": "20", "SV-FW-01": "90", "SV-SC-01": "2400"},
            {"SV-EMP-01": "3", "SV-COM-01": "31", "SV-FW-01": "100", "SV-SC-01": "3950.50"},
            {"SV-EMP-01": "3", "SV-COM-01": "28", "SV-FW-01": "100", "SV-SC-01": "4100"},
            {"SV-EMP-01": "3", "SV-COM-01": "35", "SV-FW-01": "100", "SV-SC-01": "4820"},
        ],
        {"SV-COM-01": "LDS", "SV-SC-01": "LDS"},
        ["LS7 3EX", "LS8 3AA", "LS11 6AA"],
    ),
    (
        "Leeds City Council",
        "Chapeltown Befrienders CIO",
        "Lunch clubs for older people in Harehills",
        4_500_000,
        {"SV-EMP-01": "1", "SV-COM-01": "60", "SV-SC-01": "6000"},
        [
            {"SV-EMP-01": "1", "SV-COM-01": "14", "SV-SC-01": "1200"},
            {"SV-EMP-01": "1", "SV-COM-01": "15", "SV-SC-01": "1650"},
            {"SV-EMP-01": "1", "SV-COM-01": "11", "SV-SC-01": "1480"},
            {"SV-EMP-01": "1", "SV-COM-01": "16", "SV-SC-01": "1720"},
        ],
        {"SV-COM-01": "LDS", "SV-SC-01": "LDS"},
        ["LS9 8AA"],
    ),
    (
        "NHS West Yorkshire ICB",
        "Riverside Community Care CIO",
        "Carers' breaks in Kirkstall and Bramley",
        5_600_000,
        {"SV-EMP-01": "2", "SV-SKL-05": "40", "SV-FW-01": "100"},
        [
            {"SV-EMP-01": "1", "SV-SKL-05": "8", "SV-FW-01": "95"},
            {"SV-EMP-01": "2", "SV-SKL-05": "12", "SV-FW-01": "100"},
            {"SV-EMP-01": "2", "SV-SKL-05": "9", "SV-FW-01": "100"},
            {"SV-EMP-01": "2", "SV-SKL-05": "11", "SV-FW-01": "100"},
        ],
        {"SV-SKL-05": "LDS"},
        ["LS5 3AA", "LS12 1AA"],
    ),
]


def _lot(supplier):
    return (
        db.session.execute(
            sa.select(Lot)
            .join(LotMembership, LotMembership.lot_id == Lot.id)
            .where(
                LotMembership.organisation_id == supplier.id,
                LotMembership.status == MembershipStatus.ADMITTED,
            )
            .order_by(Lot.number)
        )
        .scalars()
        .first()
    )


def seed():
    """The place, its buyers and priorities, and the year of returns; returns the place (None
    without an administrator)."""
    admin = (
        db.session.execute(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id))
        .scalars()
        .first()
    )
    existing = places.place_by_slug(places.slug_for(PLACE))
    if existing is not None:
        if admin is not None:
            wish_demo.seed(existing, admin)
        return existing
    if admin is None:
        return None
    place = places.create_place(admin, PLACE, "West Yorkshire", DESCRIPTION)
    places.set_priorities(admin, place, PRIORITIES)
    buyers = [b for b in (find_organisation(OrganisationKind.BUYER, n) for n in BUYERS) if b]
    places.set_buyers(admin, place, [b.id for b in buyers])
    for spec in CONTRACTS:
        _contract_with_a_year_of_returns(*spec)
    # The community wish list: wishes posted in the place, pledged to and delivered.
    wish_demo.seed(place, admin)
    return place


def _contract_with_a_year_of_returns(
    buyer_name, supplier_name, title, value, promised, quarters, councils, postcodes
):
    buyer = find_organisation(OrganisationKind.BUYER, buyer_name)
    supplier = find_organisation(OrganisationKind.SUPPLIER, supplier_name)
    lot = _lot(supplier) if supplier else None
    if buyer is None or lot is None:
        return None
    buyer_owner, supplier_owner = owner_of(buyer), owner_of(supplier)
    today = to_local(utcnow()).date()
    start = add_months(today, -14) + timedelta(days=3)
    opportunity = opportunities.create_draft(
        buyer_owner,
        buyer,
        lot,
        title=title,
        summary=title,
        description=f"{title}: awarded through the DPS (demo data).",
        estimated_value_pence=value,
        social_value_measures=list(promised),
    )
    # DEMO ONLY: awarded a year ago, on the row.
    published = utcnow() - timedelta(days=430)
    opportunity.status = OpportunityStatus.AWARDED
    opportunity.published_at = published
    opportunity.reference = f"VCSE-{published.year}-{opportunity.id:06d}"
    opportunity.submission_deadline = published + timedelta(days=14)
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=buyer.id,
        supplier_id=supplier.id,
        lot_id=lot.id,
        value_pence=value,
        start_date=start,
        end_date=add_months(start, 12) - timedelta(days=1),
        supplier_is_vcse=True,
        supplier_is_sme=True,
        supplier_region_code=supplier.region_code,
        payment_terms_days=30,
        entered_at=published + timedelta(days=30),
    )
    db.session.add(contract)
    db.session.flush()
    add_commitments(contract, promised.items())
    db.session.flush()
    make_schedule(contract, "quarterly")
    db.session.commit()
    by_measure = {c.measure_id: c.id for c in contract.commitments}
    past = [r for r in contract.returns if r.period_end < today]
    for i, (ret, figures) in enumerate(zip(past, quarters)):
        returns.submit_return(
            supplier_owner,
            ret,
            {by_measure[m]: v for m, v in figures.items()},
            note="Payroll extract, volunteering rota and invoices to local groups checked by "
            "the manager.",
            postcodes={by_measure["SV-EMP-01"]: "\n".join(postcodes)}
            if "SV-EMP-01" in by_measure
            else None,
            councils={by_measure[m]: code for m, code in councils.items() if m in by_measure},
        )
        # Pennine Housing has the last one still to accept.
        if i < len(quarters) - 1 or buyer_name != "Pennine Housing Association":
            returns.accept_return(buyer_owner, ret)
    return contract


def demo_accounts():
    """The sign-in the wish list adds (the community group's), for the list `make run` prints."""
    return wish_demo.demo_accounts()
