"""Demo data for evaluation: a call-off whose deadline has passed, its three bids opened and its
evaluators assigned, so that an evaluator can sign in and score straight away.

Pennine Housing Association's "Welcome home visits for older tenants", under lot 1, bid for by
Riverside Community Care, Chapeltown Befrienders and Seacroft Good Neighbours (whose price is low
enough to be flagged as possibly abnormally low). Aisha Rahman, an evaluator, has declared no
conflict of interest and has every bid to score; Gareth Hughes, the owner, is the moderator and
has still to declare.

Called by `flask seed-demo` after the bids seed. Safe to run again: it does nothing when the
call-off is there already. Everything goes through the services (publication, invitations, bids
and their sealed submissions, evaluators, declarations), because the services rightly refuse a
bid after the deadline: the call-off is published with its deadline two weeks ahead, bid for,
and only then are its dates moved into the past on the rows themselves (``_move_to_the_past``),
before the buyer opens the bids as anyone would.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.demo.people import DemoAccount, add_member, make_organisation
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind
from app.timeutil import to_local, utcnow
from dps.demo import DPS_DETAILS
from dps.models import Lot, LotMembership, MembershipStatus
from dps.working_days import is_working_day
from lots.bids import services as bids
from lots.bids import submitting
from lots.bids.models import Bid, BidSubmission
from lots.evaluation import sealing
from lots.evaluation import services as evaluation
from lots.opportunities import buyers
from lots.opportunities import services as opportunities
from lots.opportunities.demo import at
from lots.opportunities.models import Invitation, Opportunity
from lots.opportunities.permissions import has_buyer_role

CALENDAR = DPS_DETAILS["calendar"]

TITLE = "Welcome home visits for older tenants"
BUYER = "Pennine Housing Association"
FIRST = "Riverside Community Care CIO"  # admitted to lot 1 by the DPS seed
# Two more suppliers of lot 1. The demo admits them directly, skipping the selection
# questionnaire that the DPS demo data already shows. Chapeltown also bids in the awarded
# call-off (lots/awards/demo.py).
SECOND = {
    "owner": ("ade@chapeltown-befrienders.example", "Ade Mensah"),
    "owner_role": "Supplier owner: lost Home from hospital support (read the letter and its "
    "scores); bid for Welcome home visits",
    "details": {
        "name": "Chapeltown Befrienders CIO",
        "supplier_type": "cio",
        "charity_number": "1198765",
        "address": "Chapeltown Community Centre\n1 Reginald Terrace\nLeeds",
        "postcode": "LS7 3EX",
        "local_authority_code": "LDS",
        "staff_band": "1-9",
        "turnover_band": "under_100k",
        "description": "Volunteer befrienders for older people in north-east Leeds.",
    },
}
THIRD = {
    "owner": ("bronwen@seacroft-neighbours.example", "Bronwen Lloyd"),
    "owner_role": "Supplier owner: bid a low price for Welcome home visits, flagged as possibly "
    "abnormally low when the bids were opened",
    "details": {
        "name": "Seacroft Good Neighbours",
        "supplier_type": "community_group",
        "address": "Seacroft Methodist Church Hall\n4 Kentmere Avenue\nLeeds",
        "postcode": "LS14 1BP",
        "local_authority_code": "LDS",
        "staff_band": "1-9",
        "turnover_band": "under_100k",
        "description": "Neighbours helping older neighbours in Seacroft and Whinmoor: shopping, "
        "lifts to appointments and a weekly coffee morning.",
    },
}
EVALUATOR = ("aisha@pennine-housing.example", "Aisha Rahman")
EVALUATOR_ROLE = (
    "Evaluator: score the three opened bids for Welcome home visits for older tenants, whose "
    "deadline has passed"
)
MEASURES = ["SV-COM-01", "SV-EMP-01"]
QUESTIONS = [
    {
        "kind": "quality",
        "text": "How will you welcome tenants home from hospital and help them settle in?",
        "word_limit": 500,
        "weight": 30,
    },
    {
        "kind": "quality",
        "text": "How will you keep tenants safe, and train and support your visitors?",
        "word_limit": 500,
        "weight": 20,
    },
    {
        "kind": "social_value",
        "text": "What will you do for the neighbourhoods our tenants live in?",
        "word_limit": 300,
        "weight": 10,
    },
    {"kind": "pass_fail", "text": "Are all your visitors DBS checked before they start?"},
]
# Each bidder's total price, social value and answers, in question order.
BIDS = {
    FIRST: {
        "price_pence": 5_800_000,
        "social_value": {"SV-COM-01": "150", "SV-EMP-01": "2"},
        "answers": [
            "A visitor who knows the tenant's estate calls on the day they come home, checks "
            "the heating, food and medicines, and agrees a plan for the next six weeks with "
            "the tenant and the housing officer.",
            "Every visitor has an enhanced DBS check, two references and a day's training on "
            "safeguarding, falls and dementia before their first visit; a paid coordinator "
            "supervises them monthly.",
            "We will employ two tenants as part-time coordinators and give 150 hours of "
            "volunteering a year to tenants' associations.",
        ],
    },
    SECOND["details"]["name"]: {
        "price_pence": 5_400_000,
        "social_value": {"SV-COM-01": "60", "SV-EMP-01": "1"},
        "answers": [
            "Our befrienders phone on the day of discharge and visit within two days, then "
            "weekly, and refer the tenant on when they need more help.",
            "Befrienders are recruited through local faith groups, DBS checked and trained "
            "in a one-day course; our coordinator checks in with each of them every month.",
            "We will employ one local coordinator and run a monthly coffee morning open to "
            "every tenant.",
        ],
    },
    THIRD["details"]["name"]: {
        "price_pence": 3_600_000,
        "social_value": {"SV-COM-01": "40", "SV-EMP-01": "0"},
        "answers": [
            "Neighbours in our scheme pop in when a tenant gets home and help with shopping "
            "and lifts to appointments.",
            "Our volunteers are DBS checked, and we have a safeguarding policy.",
            "We run a weekly coffee morning at the church hall that anyone can come to.",
        ],
    },
}


def seed_call_off_to_score():
    """The call-off ready to score, made if it is not there yet. Returns it, or None when the
    demo buyer, first supplier or lot is missing."""
    buyer = organisation_named(OrganisationKind.BUYER, BUYER)
    first = organisation_named(OrganisationKind.SUPPLIER, FIRST)
    lot = lot_one_of(first)
    if buyer is None or first is None or lot is None:
        return None
    existing = call_off_to_score()
    if existing is not None:
        return existing
    owner = owner_of(buyer)
    bidders = [first, admit_directly(SECOND, lot), admit_directly(THIRD, lot)]
    evaluator = _evaluator(buyer, owner)

    deadline = _working_day_noon(to_local(utcnow()).date() + timedelta(days=14))
    opportunity = opportunities.create_draft(
        owner,
        buyer,
        lot,
        title=TITLE,
        summary="A visit on the day older tenants come home from hospital, and weekly help "
        "for six weeks, across our homes in Leeds.",
        description="About 120 older tenants a year come home from a stay in hospital. We want "
        "a local organisation to visit on the day, make sure the home is warm and stocked, and "
        "help for six weeks: shopping, appointments, and getting back in touch with "
        "neighbours.",
        estimated_value_pence=6_000_000,
        price_weight=40,
        quality_weight=50,
        social_value_weight=10,
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=7),
        contract_start=to_local(deadline).date() + timedelta(days=45),
        contract_months=12,
        location_type="local_authority",
        location_code="LDS",
        social_value_measures=MEASURES,
        contact_name=owner.name,
        contact_email=owner.email,
    )
    opportunities.set_questions(owner, opportunity, QUESTIONS)
    opportunities.publish(owner, opportunity, acknowledge_bank_holiday=True)
    for organisation in bidders:
        _bid(organisation, opportunity, BIDS[organisation.name])

    # The buyer picks the evaluators before the deadline, as the service allows; the evaluator
    # declares no conflict of interest, the moderator has still to.
    evaluation.assign_evaluator(owner, opportunity, evaluator)
    evaluation.assign_evaluator(owner, opportunity, owner, moderator=True)
    evaluation.declare(evaluator, opportunity, conflict=False)

    _move_to_the_past(opportunity)
    # After the deadline: the buyer opens the bids (audited), and the closing is recorded.
    sealing.open_bids(owner, opportunity)
    opportunities.mark_closed()
    return opportunity


def call_off_to_score():
    buyer = organisation_named(OrganisationKind.BUYER, BUYER)
    if buyer is None:
        return None
    return (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == buyer.id, Opportunity.title == TITLE
            )
        )
        .scalars()
        .first()
    )


def organisation_named(kind, name):
    """The demo organisation of ``kind`` called ``name``, or None before it is seeded."""
    return db.session.execute(
        sa.select(Organisation).where(Organisation.kind == kind, Organisation.name == name)
    ).scalar_one_or_none()


def owner_of(organisation):
    """The owner among ``organisation``'s members."""
    return next((m.user for m in organisation.memberships if m.is_owner), None)


def lot_one_of(organisation):
    """Lot 1 of the demo DPS, where ``organisation`` is admitted."""
    if organisation is None:
        return None
    return (
        db.session.execute(
            sa.select(Lot)
            .join(LotMembership, LotMembership.lot_id == Lot.id)
            .where(
                LotMembership.organisation_id == organisation.id,
                LotMembership.status == MembershipStatus.ADMITTED,
                Lot.number == 1,
            )
        )
        .scalars()
        .first()
    )


def admit_directly(spec, lot):
    """The supplier in ``spec``, made if need be and admitted to ``lot`` without an application
    (a demo shortcut: see SECOND above)."""
    organisation, _owner_user = make_organisation("supplier", spec)
    if not db.session.execute(
        sa.select(LotMembership.id).where(
            LotMembership.organisation_id == organisation.id, LotMembership.lot_id == lot.id
        )
    ).first():
        db.session.add(
            LotMembership(
                organisation_id=organisation.id, lot_id=lot.id, status=MembershipStatus.ADMITTED
            )
        )
        db.session.commit()
    return organisation


def _evaluator(buyer, owner):
    """A colleague at the buyer with the evaluator role, invited and accepted as anyone is."""
    member = add_member(buyer, owner, *EVALUATOR)
    if not has_buyer_role(member, buyer.id, "evaluator"):
        membership = db.session.execute(
            sa.select(Membership).where(
                Membership.user_id == member.id, Membership.organisation_id == buyer.id
            )
        ).scalar_one()
        buyers.set_roles(owner, membership, ["evaluator"])
    return member


def _bid(organisation, opportunity, spec):
    user = owner_of(organisation)
    bid = bids.start_bid(user, organisation, opportunity)
    answers, pass_fail = {}, {}
    scored = iter(spec["answers"])
    for question in sorted(opportunity.questions, key=lambda q: q.position):
        if question.kind.value == "pass_fail":
            pass_fail[str(question.id)] = "yes"
        else:
            answers[str(question.id)] = next(scored)
    bids.save_draft(
        user,
        bid,
        answers=answers,
        pass_fail=pass_fail,
        total_price_pence=spec["price_pence"],
        social_value=spec["social_value"],
    )
    submitting.submit(user, bid, conditions_confirmed=True)


def _working_day_noon(day):
    while not is_working_day(day, CALENDAR):
        day += timedelta(days=1)
    return at(day, 12)


def _move_to_the_past(opportunity):
    """DEMO ONLY: the bids were submitted before the deadline; now move the deadline to noon on
    the last working day before today, and the dates that go with it (publication three and a
    half weeks before, the invitations then, the submissions in the days before the deadline),
    directly on the rows. No service may do this."""
    day = to_local(utcnow()).date() - timedelta(days=1)
    while not is_working_day(day, CALENDAR):
        day -= timedelta(days=1)
    deadline = at(day, 12)
    published = deadline - timedelta(days=24)
    db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.id == opportunity.id)
        .values(
            submission_deadline=deadline,
            question_deadline=deadline - timedelta(days=7),
            published_at=published,
        )
    )
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.opportunity_id == opportunity.id)
        .values(invited_at=published)
    )
    submissions = (
        db.session.execute(
            sa.select(BidSubmission)
            .where(BidSubmission.opportunity_id == opportunity.id)
            .order_by(BidSubmission.id)
        )
        .scalars()
        .all()
    )
    for n, submission in enumerate(submissions):
        submitted = deadline - timedelta(days=3 - n, hours=2 + n)
        submission.submitted_at = submitted
        db.session.execute(
            sa.update(Bid)
            .where(Bid.id == submission.bid_id)
            .values(started_at=published + timedelta(days=2 + n), updated_at=submitted)
        )
    db.session.commit()
    db.session.refresh(opportunity)


def demo_accounts():
    """The sign-ins this demo adds, for the list `make run` prints: the evaluator and the two
    suppliers admitted directly."""
    found = []
    buyer = organisation_named(OrganisationKind.BUYER, BUYER)
    if buyer is not None:
        member = next((m.user for m in buyer.memberships if m.user.email == EVALUATOR[0]), None)
        if member is not None:
            found.append(DemoAccount(member.email, member.name, buyer.display_name, EVALUATOR_ROLE))
    for spec in (SECOND, THIRD):
        organisation = organisation_named(OrganisationKind.SUPPLIER, spec["details"]["name"])
        owner = owner_of(organisation) if organisation is not None else None
        if owner is not None:
            found.append(
                DemoAccount(owner.email, owner.name, organisation.display_name, spec["owner_role"])
            )
    return found


# An evaluator who holds only the evaluator role at Leeds City Council, assigned to its open
# befriending call-off and not yet declared: what an evaluator may follow, and what not.
SCORER_BUYER = "Leeds City Council"
SCORER_TITLE = "Befriending for older people in Leeds"
SCORER = ("nadia@leeds-council.example", "Nadia Khan")
SCORER_ROLE = (
    "Buyer evaluator (only that role): assigned to the open befriending call-off; declares any "
    "conflict once its bids are opened"
)


def seed_evaluator():
    """The evaluator colleague and their assignment; None when the demo buyer or opportunity is
    missing. Safe to run again."""
    buyer = organisation_named(OrganisationKind.BUYER, SCORER_BUYER)
    if buyer is None:
        return None
    owner = owner_of(buyer)
    opportunity = (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == buyer.id, Opportunity.title == SCORER_TITLE
            )
        )
        .scalars()
        .first()
    )
    if owner is None or opportunity is None or opportunity.published_at is None:
        return None
    member = add_member(buyer, owner, *SCORER)
    if not has_buyer_role(member, buyer.id, "evaluator"):
        membership = db.session.execute(
            sa.select(Membership).where(
                Membership.user_id == member.id, Membership.organisation_id == buyer.id
            )
        ).scalar_one()
        buyers.set_roles(owner, membership, ["evaluator"])
    evaluation.assign_evaluator(owner, opportunity, member)
    return member


def scorer_accounts():
    buyer = organisation_named(OrganisationKind.BUYER, SCORER_BUYER)
    if buyer is None:
        return []
    member = next((m.user for m in buyer.memberships if m.user.email == SCORER[0]), None)
    if member is None:
        return []
    return [DemoAccount(member.email, member.name, buyer.display_name, SCORER_ROLE)]
