"""Demo bids: the demo suppliers' bids for the demo's open opportunities, one submitted, one
submitted and then changed, and one draft half written (with an attachment), so the bid pages show each state.

Called at the end of the lots seed (lots/demo.py). Safe to run again: a supplier's bid for an
opportunity is made only if it has none. Everything goes through the bid service, so the audit
log, the receipts in the outbox and the submission fingerprints read as they would.
"""

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.queries import owner_of
from app.timeutil import utcnow
from lots.bids import partnering, submitting
from lots.bids import permissions as bid_permissions
from lots.bids import services as bids
from lots.opportunities.models import Opportunity, OpportunityStatus, QuestionKind
from lots.opportunities.requirements import BidRequirements, requirements_of

# What each quality or social value answer says, by the start of the question's text.
ANSWERS = {
    "Describe how you will deliver": (
        "We have run befriending in east Leeds since 2014. Each older person is matched with a "
        "volunteer who lives nearby, after a home visit by our coordinator to learn what matters "
        "to them. Volunteers visit or phone every week, and we check in with the person every "
        "three months.\n\nA group of six people who use the service meets each quarter to shape "
        "it: they chose our telephone befriending hours and the activities we run in the "
        "community centres."
    ),
    "How will you recruit, train": (
        "Volunteers are recruited through GP practices, faith groups and our own lunch clubs. "
        "Every volunteer has an enhanced DBS check, two references, and a day of training on "
        "safeguarding adults, dementia awareness and boundaries before they are matched. A paid "
        "coordinator supervises each volunteer monthly, and our safeguarding lead is trained to "
        "level 3."
    ),
    "What will you commit to for local people": (
        "Both coordinator posts will be filled by people living in the LS9 and LS14 postcodes. "
        "We buy our catering from a local social enterprise, and we will report each quarter on "
        "volunteer hours given in the area."
    ),
    "How will you run the service": (
        "Our kitchen manager, who has run our Seacroft lunch club for five years, will run the "
        "service, with two paid cooks and eight volunteers. Menus follow the tenants' dietary "
        "and cultural needs, agreed with them in the first month."
    ),
    "What will you do for the community": (
        "We will offer two places on our food hygiene course each term to tenants, and buy "
        "fresh produce from growers within 20 miles."
    ),
}
DEFAULT_ANSWER = (
    "We will deliver this with our experienced local team, and report to you "
    "every quarter on what we have achieved."
)

# (supplier, opportunity title, what to do, total price in pence, social value quantity)
BIDS = [
    (
        "Riverside Community Care CIO",
        "Befriending for older people in Leeds",
        "submit",
        4_260_000,
        "2",
    ),
    (
        "Riverside Community Care CIO",
        "Tenant befriending and digital inclusion",
        "change",
        2_080_000,
        "1.5",
    ),
    ("Riverside Community Care CIO", "Community meals in Bradford", "draft", None, None),
]


def seed_bids():
    """Give the demo suppliers their bids. Suppliers or opportunities missing from the demo
    (or not invited) are passed over."""
    for supplier_name, title, action, price, quantity in BIDS:
        organisation = (
            db.session.execute(sa.select(Organisation).where(Organisation.name == supplier_name))
            .scalars()
            .first()
        )
        opportunity = (
            db.session.execute(
                sa.select(Opportunity).where(
                    Opportunity.title == title, Opportunity.status == OpportunityStatus.PUBLISHED
                )
            )
            .scalars()
            .first()
        )
        if organisation is None or opportunity is None or not opportunity.is_open:
            continue
        if bids.bid_of(organisation.id, opportunity.id) is not None:
            continue
        if bid_permissions.eligibility_problem(organisation.id, opportunity):
            continue
        people = [m.user for m in organisation.memberships]
        owner = owner_of(organisation)
        if owner is None:
            continue
        # The draft is a colleague's work in progress; the others are the owner's.
        user = next((p for p in people if p.id != owner.id), owner) if action == "draft" else owner
        _bid(user, organisation, opportunity, action, price, quantity)


def _bid(user, organisation, opportunity, action, price, quantity):
    bid = bids.start_bid(user, organisation, opportunity)
    questions = sorted(opportunity.questions, key=lambda q: q.position)
    scored = [q for q in questions if q.kind in (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)]
    if action == "draft":
        # Half written: the first answer and a sample menu attached, not yet priced.
        if scored:
            bids.save_draft(user, bid, answers={str(scored[0].id): _answer(scored[0])})
        bids.attach(user, bid, _pdf("Sample menus, spring term.pdf"))
        return
    bids.save_draft(
        user,
        bid,
        answers={str(q.id): _answer(q) for q in scored},
        pass_fail={str(q.id): "yes" for q in questions if q.kind == QuestionKind.PASS_FAIL},
        total_price_pence=price if not opportunity.price_schedule else None,
        social_value={m: quantity for m in opportunity.social_value_measures or []},
    )
    submitting.submit(user, bid, conditions_confirmed=True)
    if action == "change":
        # Changed after submitting, not yet submitted again: the overview says so.
        bids.save_draft(user, bid, total_price_pence=price - 60_000)


def _pdf(filename):
    content = f"%PDF-1.4\n% {filename}\n%%EOF\n".encode()
    return FileStorage(io.BytesIO(content), filename=filename, content_type="application/pdf")


def _answer(question):
    return next(
        (text for start, text in ANSWERS.items() if question.text.startswith(start)), DEFAULT_ANSWER
    )


# --- Help to bid: what a call-off asks bidders to hold, and the partner board ----------------------

HELP_OPPORTUNITY = "Community meals in Bradford"


def seed_help_to_bid():
    """Riverside's checklist for the Bradford meals call-off is partly ready (admitted, insured;
    no equality policy declared, its bid half written), and Greenfield Food Co-operative is on
    that call-off's partner board, with a message from Riverside waiting for its answer. Safe to
    run again."""
    opportunity = (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.title == HELP_OPPORTUNITY,
                Opportunity.status == OpportunityStatus.PUBLISHED,
            )
        )
        .scalars()
        .first()
    )
    if opportunity is None or not opportunity.is_open:
        return
    if requirements_of(opportunity.id) is None:
        # As the buyer chose on the draft (the page refuses a change once it is published).
        db.session.add(
            BidRequirements(
                opportunity_id=opportunity.id,
                public_liability_pence=500_000_000,
                policies=["safeguarding", "equality"],
                evidence_from_winner_only=False,
                evidence=[],
                evidence_days=5,
                updated_at=utcnow(),
            )
        )
        db.session.commit()
    riverside, greenfield = (_organisation(n) for n in (BIDS[0][0], "Greenfield Food Co-operative"))
    if riverside is None or greenfield is None:
        return
    post = partnering.post_of(greenfield.id, opportunity.id)
    if post is None:
        post = partnering.post(
            owner_of(greenfield),
            greenfield,
            opportunity,
            ["member", "subcontractor"],
            "Fresh produce from growers within 20 miles of Bradford, a catering kitchen in "
            "Manningham, and two cooks with food hygiene level 3. We could supply the meals or "
            "run one of the two lunch clubs.",
        )
    received, _sent = partnering.contacts_of(greenfield.id, opportunity.id)
    if not any(c.from_organisation_id == riverside.id for c in received):
        partnering.contact(
            owner_of(riverside),
            riverside,
            post,
            opportunity,
            "We are bidding for the Bradford lunch clubs and would like to buy our produce "
            "from you, or have you run the Holme Wood club as our subcontractor. Could we talk?",
        )


def _organisation(name):
    return (
        db.session.execute(sa.select(Organisation).where(Organisation.name == name))
        .scalars()
        .first()
    )
