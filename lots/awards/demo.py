"""Demo data for evaluation and award: one closed opportunity of Leeds City Council, bid for by
two suppliers, evaluated, moderated and awarded, with the letters issued, the contract in the
contracts register and quarterly social value returns (one accepted, one queried, one due), with
demo money values on a few measures, so the register and the contract page have something
believable to show. The contract's conditions: payment within 14 days
and the Real Living Wage at the rate in force when the opportunity was published.

Called after the lots seed (lots/demo.py), once the demo buyers have joined the DPS and Riverside
Community Care is admitted to lot 1. Safe to run again: it does nothing when the opportunity is
there already. Everything goes through the services, so the audit log, letters and outbox read
as they would; only the dates are then moved into the past, on the rows themselves (see
``_move_to_the_past``), because the services rightly refuse to bid after a deadline.
"""

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.demo.people import DemoAccount, add_member
from app.extensions import db
from app.measures import services as measures
from app.organisations.models import Membership, OrganisationKind
from app.reference import social_value
from app.timeutil import to_local, utcnow
from dps.demo import DPS_DETAILS
from dps.working_days import is_working_day
from lots.awards import letters, returns
from lots.awards import queries as award_queries
from lots.awards import services as awards
from lots.awards.models import Award, AwardLetter, Contract
from lots.awards.schedule import add_months, make_schedule
from lots.bids import services as bids
from lots.bids import submitting
from lots.evaluation import demo as evaluation_demo
from lots.evaluation import scores, sealing
from lots.evaluation import services as evaluation
from lots.evaluation.models import Evaluation
from lots.opportunities import buyers
from lots.opportunities import services as opportunities
from lots.opportunities.demo import at
from lots.opportunities.models import Opportunity
from lots.opportunities.permissions import has_buyer_role

# The demo DPS's nation: its working days and bank holidays.
CALENDAR = DPS_DETAILS["calendar"]

TITLE = "Home from hospital support in Leeds"
BUYER = "Leeds City Council"
WINNER = "Riverside Community Care CIO"
# The second bidder, so the competition and the letters read as they would: admitted to lot 1 by
# the evaluation demo's shortcut (its SECOND; looked up when seeding, as the two modules import
# each other through app.demo).
SECOND_NAME = "Chapeltown Befrienders CIO"
MEASURES = ["SV-EMP-01", "SV-COM-01", "SV-FW-01"]
QUESTIONS = [
    {
        "kind": "quality",
        "text": "How will you support people in the first six weeks after they leave hospital?",
        "word_limit": 750,
        "weight": 25,
    },
    {
        "kind": "quality",
        "text": "How will you recruit, train and supervise staff and "
        "volunteers, including safeguarding?",
        "word_limit": 500,
        "weight": 15,
    },
    {
        "kind": "social_value",
        "text": "What will you commit to for local people, and how will you measure it?",
        "word_limit": 500,
        "weight": 10,
    },
    {"kind": "pass_fail", "text": "Do you hold public liability insurance of at least £5 million?"},
]
BIDS = {
    WINNER: {
        "price_pence": 8_450_000,
        "social_value": {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100"},
        "answers": [
            "A named support worker visits on the day of discharge and then weekly for six "
            "weeks: shopping, prescriptions, benefits checks and a plan for staying well, "
            "agreed with the person and their family.",
            "We recruit through our lunch clubs and the Kirkstall volunteer hub. Every "
            "worker and volunteer has an enhanced DBS check, level 2 safeguarding training "
            "and monthly supervision.",
            "We will employ three people who live in Leeds on the contract and give 120 "
            "hours of staff volunteering a year to local groups, reported quarterly.",
        ],
        "scores": (4, 3, 3),
    },
    SECOND_NAME: {
        "price_pence": 7_900_000,
        "social_value": {"SV-EMP-01": "1", "SV-COM-01": "40", "SV-FW-01": "100"},
        "answers": [
            "Volunteer befrienders phone and visit people after discharge, and refer them to "
            "other services when they need more help.",
            "Volunteers are recruited through local churches and mosques, DBS checked and "
            "trained in a one-day course.",
            "We will employ one local coordinator and give 40 hours of volunteering a year.",
        ],
        "scores": (2, 2, 2),
    },
}
REASONS = {
    4: "Excellent: detailed, specific to Leeds and backed by evidence.",
    3: "Good: a clear and credible approach with minor gaps.",
    2: "Satisfactory: meets the requirement but with little detail on how.",
}


def seed_awards():
    """The awarded opportunity, made if it is not there yet. Returns it, or None when the demo
    buyer, supplier or lot is missing."""
    buyer = evaluation_demo.organisation_named(OrganisationKind.BUYER, BUYER)
    winner = evaluation_demo.organisation_named(OrganisationKind.SUPPLIER, WINNER)
    lot = evaluation_demo.lot_one_of(winner)
    if buyer is None or winner is None or lot is None:
        return None
    existing = (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == buyer.id, Opportunity.title == TITLE
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    owner = evaluation_demo.owner_of(buyer)
    second = _second_bidder(lot)

    # Published as any opportunity is, with a deadline two weeks ahead.
    deadline = _working_day_noon(to_local(utcnow()).date() + timedelta(days=14))
    opportunity = opportunities.create_draft(
        owner,
        buyer,
        lot,
        title=TITLE,
        summary="Practical and emotional support for older people for six weeks after they "
        "leave hospital.",
        description="We want a local organisation to support around 150 older people a year "
        "after a stay at Leeds General Infirmary or St James's: a visit on the day "
        "they get home, then weekly help for six weeks.",
        estimated_value_pence=9_000_000,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=7),
        contract_start=to_local(deadline).date() + timedelta(days=45),
        contract_months=12,
        social_value_measures=MEASURES,
        # Contract conditions: shorter payment terms than the 30-day maximum, and the Real
        # Living Wage (the UK rate: Leeds), its rate frozen when the opportunity is published.
        payment_terms_days=14,
        real_living_wage=True,
        contact_name=owner.name,
        contact_email=owner.email,
    )
    opportunities.set_questions(owner, opportunity, QUESTIONS)
    opportunities.publish(owner, opportunity, acknowledge_bank_holiday=True)

    for organisation in (winner, second):
        _bid(organisation, opportunity, BIDS[organisation.name])

    _move_to_the_past(opportunity)

    # Evaluated by the buyer's owner, who holds every role: evaluator, moderator, approver.
    evaluation.assign_evaluator(owner, opportunity, owner, moderator=True)
    sealing.open_bids(owner, opportunity)
    evaluation.declare(owner, opportunity, conflict=False)
    scored = evaluation.scored_questions(opportunity.id)
    placed = sealing.submitted_bids(opportunity.id)
    for bid in placed:
        for question, value in zip(scored, BIDS[bid.organisation.name]["scores"]):
            scores.score(owner, opportunity, bid, question, value, REASONS[value])
    scores.submit_scores(owner, opportunity)
    for bid in placed:
        for question, value in zip(scored, BIDS[bid.organisation.name]["scores"]):
            scores.moderate(owner, opportunity, bid, question, value, REASONS[value])
    awards.propose(owner, opportunity)
    awards.confirm(_approver(buyer, owner), opportunity)  # four eyes: not the proposer
    letters.issue_letters(opportunity.id)  # the job; it did nothing more if it already ran
    _date_the_award(opportunity)
    _report_returns(owner, winner, award_queries.contract_of(opportunity.id))
    _set_proxy_values()
    return opportunity


def _second_bidder(lot):
    return evaluation_demo.admit_directly(evaluation_demo.SECOND, lot)


def _bid(organisation, opportunity, spec):
    user = evaluation_demo.owner_of(organisation)
    bid = bids.start_bid(user, organisation, opportunity)
    answers, pass_fail = {}, {}
    scored = iter(spec["answers"])
    for question in opportunity.questions:
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
    """DEMO ONLY: the bids were submitted before the deadline; now move the deadline (and the
    dates that go with it) about four months into the past, directly on the row, so the
    opportunity is closed and its contract has run for a quarter. No service may do this."""
    day = to_local(utcnow()).date() - timedelta(days=130)
    while not is_working_day(day, CALENDAR):
        day -= timedelta(days=1)
    deadline = at(day, 12)
    db.session.execute(
        sa.update(Opportunity)
        .where(Opportunity.id == opportunity.id)
        .values(
            submission_deadline=deadline,
            question_deadline=deadline - timedelta(days=7),
            published_at=deadline - timedelta(days=24),
            contract_start=_first_of_next_month(day + timedelta(days=14)),
        )
    )
    db.session.commit()
    db.session.refresh(opportunity)


def _first_of_next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _date_the_award(opportunity):
    """DEMO ONLY: the evaluation and award happened in the weeks after the (moved) deadline."""
    deadline = opportunity.submission_deadline
    confirmed = deadline + timedelta(days=10)
    db.session.execute(
        sa.update(Evaluation)
        .where(Evaluation.opportunity_id == opportunity.id)
        .values(opened_at=deadline + timedelta(hours=2))
    )
    db.session.execute(
        sa.update(Award)
        .where(Award.opportunity_id == opportunity.id)
        .values(
            proposed_at=deadline + timedelta(days=8),
            confirmed_at=confirmed,
            standstill_ends_at=confirmed,
        )
    )
    db.session.execute(
        sa.update(AwardLetter)
        .where(AwardLetter.opportunity_id == opportunity.id)
        .values(created_at=confirmed)
    )
    db.session.execute(
        sa.update(Contract)
        .where(Contract.opportunity_id == opportunity.id)
        .values(entered_at=confirmed)
    )
    db.session.commit()


def _report_returns(buyer_owner, winner, contract):
    """Quarterly returns: the first accepted, the second queried, the third due now, the fourth
    not due yet. DEMO ONLY: the contract's dates are moved back about nine months on the row
    (the award entered it today), and its schedule made again for those dates."""
    if contract is None:
        return
    today = to_local(utcnow()).date()
    start = add_months(today, -9) - timedelta(days=5)
    db.session.execute(
        sa.update(Contract)
        .where(Contract.id == contract.id)
        .values(start_date=start, end_date=add_months(start, 12) - timedelta(days=1))
    )
    for ret in list(contract.returns):
        db.session.delete(ret)
    db.session.flush()
    db.session.refresh(contract)
    make_schedule(contract, "quarterly")
    db.session.commit()
    supplier_owner = evaluation_demo.owner_of(winner)
    by_measure = {c.measure_id: c.id for c in contract.commitments}
    first, second = contract.returns[0], contract.returns[1]
    returns.submit_return(
        supplier_owner,
        first,
        {by_measure["SV-EMP-01"]: "2", by_measure["SV-COM-01"]: "26", by_measure["SV-FW-01"]: "96"},
        note="Two of the three local posts filled; the third is advertised. Staff volunteered "
        "at the Kirkstall food bank. One new starter is on a training rate until probation ends.",
        postcodes={by_measure["SV-EMP-01"]: "LS5 3AA\nLS4 2BB"},
    )
    returns.accept_return(buyer_owner, first)
    returns.submit_return(
        supplier_owner,
        second,
        {by_measure["SV-EMP-01"]: "3", by_measure["SV-COM-01"]: "8", by_measure["SV-FW-01"]: "100"},
        note="All three local posts filled.",
        postcodes={by_measure["SV-EMP-01"]: "LS5 3AA\nLS4 2BB\nLS12 1AB"},
    )
    returns.query_return(
        buyer_owner,
        second,
        "8 volunteering hours is far below the 30 a quarter you planned. Please check the "
        "figure against the rota and attach it.",
    )


# DEMO ONLY: illustrative money values, so the contract page shows estimates. They are not
# published proxy values and say so.
DEMO_PROXIES = {
    "SV-COM-01": ("15.00", "Demo value for illustration only, not a published proxy value"),
    "SV-SC-01": ("0.20", "Demo value for illustration only, not a published proxy value"),
    "SV-SKL-05": ("12.00", "Demo value for illustration only, not a published proxy value"),
}


def _set_proxy_values():
    admin = (
        db.session.execute(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id))
        .scalars()
        .first()
    )
    if admin is None:
        return
    for measure_id, (pounds, source) in DEMO_PROXIES.items():
        if social_value.proxy_for(measure_id) is None:
            measures.set_proxy(admin, measure_id, pounds, source, 2026, "Demo data")


APPROVER = ("marcus@leeds-council.example", "Marcus Reid")
APPROVER_ROLE = (
    "Buyer approver: confirmed the award of Home from hospital support, proposed by a colleague "
    "(four eyes)"
)


def _approver(buyer, owner):
    """A colleague at the buyer with the approver role, invited and accepted as anyone is."""
    member = add_member(buyer, owner, *APPROVER)
    if not has_buyer_role(member, buyer.id, "approver"):
        membership = db.session.execute(
            sa.select(Membership).where(
                Membership.user_id == member.id, Membership.organisation_id == buyer.id
            )
        ).scalar_one()
        buyers.set_roles(owner, membership, ["approver"])
    return member


def demo_accounts():
    """The sign-in this demo adds (the buyer's approver), for the list `make run` prints."""
    buyer = evaluation_demo.organisation_named(OrganisationKind.BUYER, BUYER)
    if buyer is None:
        return []
    return [
        DemoAccount(m.user.email, m.user.name, buyer.display_name, APPROVER_ROLE)
        for m in buyer.memberships
        if m.user.email == APPROVER[0]
    ]
