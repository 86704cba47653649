"""Demo data for lots and opportunities: the demo buyers approved and joined to the demo DPS, what
each lot covers, and opportunities in each state a supplier or buyer meets: nine open (one of
them above the threshold, reserved for supported employment providers under section 32), one
closed, one cancelled and one draft, with a question answered for everyone.

Called by `flask seed-demo` (app/demo.py) after the DPS seed. Safe to run again: each step
looks for what it would make. Everything goes through the services, so invitations, the audit
log and the outbox read as they would; the closed opportunity's dates are then moved into the
past on the row itself.

``close_call_off`` (`flask demo close-call-off`) moves an open call-off's deadline to now, in
development only, so that what happens after a deadline can be seen without waiting for it.
"""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, NotFound, ServiceError
from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind
from app.organisations.queries import owner_of
from app.timeutil import format_datetime, to_local, utcnow
from app.unitofwork import commit
from dps.demo import DPS_DETAILS
from dps.working_days import is_working_day
from lots.opportunities import amendments, buyers, clarifications, lot_scope, queries
from lots.opportunities import services as opportunities
from lots.opportunities.models import (
    ClarificationQuestion,
    Invitation,
    LotCpvCode,
    Opportunity,
    OpportunityAmendment,
    OpportunityStatus,
)

# The demo DPS's nation: its working days and bank holidays.
CALENDAR = DPS_DETAILS["calendar"]

LONDON = ZoneInfo("Europe/London")

SCOPES = {
    1: (["85312000-9", "85311100-3", "85312300-2"], [("region", "TLE")]),
    2: (["55521100-9", "55520000-1", "85312200-1"], [("region", "TLE")]),
    3: (
        ["85312400-3", "85311100-3"],
        [("local_authority", "BRD"), ("local_authority", "LDS"), ("local_authority", "CLD")],
    ),
    4: (
        ["85312400-3", "85311100-3"],
        [("local_authority", "KIR"), ("local_authority", "WKF"), ("local_authority", "SHF")],
    ),
    5: (
        ["85312400-3", "85311100-3"],
        [("local_authority", "YOR"), ("local_authority", "ERY"), ("local_authority", "KHL")],
    ),
    6: (["79611000-0", "80500000-9", "85312510-7"], [("region", "TLE")]),
    7: (["77314000-4", "90910000-9", "55520000-1"], [("region", "TLE")]),
}

STANDARD_QUESTIONS = [
    {
        "kind": "quality",
        "text": "Describe how you will deliver the service, and how the people "
        "who use it will help shape it.",
        "word_limit": 750,
        "weight": 25,
    },
    {
        "kind": "quality",
        "text": "How will you recruit, train and support your staff and "
        "volunteers, including safeguarding?",
        "word_limit": 500,
        "weight": 15,
    },
    {
        "kind": "social_value",
        "text": "What will you commit to for local people and the local "
        "economy, and how will you measure it?",
        "word_limit": 500,
        "weight": 10,
    },
    {
        "kind": "pass_fail",
        "text": "Do you hold, or will you hold from the start of the "
        "contract, public liability insurance of at least £5 million?",
    },
]
QUICK_QUESTIONS = [
    {
        "kind": "quality",
        "text": "How will you run the service from the start date, and who will run it?",
        "word_limit": 400,
        "weight": 40,
    },
    {
        "kind": "social_value",
        "text": "What will you do for the community the service is in?",
        "word_limit": 250,
        "weight": 10,
    },
]

# (buyer, lot number, days until the deadline, hour, fields). Deadlines fall 2 to 6 weeks
# ahead, on a working day, on the hour.
OPEN = [
    (
        "Leeds City Council",
        1,
        19,
        12,
        {
            "title": "Befriending for older people in Leeds",
            "summary": "Weekly home and telephone befriending for 60 older people who are lonely "
            "or isolated, in Seacroft, Gipton and Harehills.",
            "description": "We want a local organisation to recruit, train and support volunteers "
            "who visit or phone older people every week, and help them join "
            "community activities.\n\nReferrals come from GP practices, adult "
            "social care and self-referral. The service should reach people who "
            "are not online.",
            "estimated_value_pence": 4_500_000,
            "contract_months": 24,
            "location_type": "local_authority",
            "location_code": "LDS",
            "social_value_measures": ["SV-COM-01", "SV-EMP-01"],
        },
    ),
    (
        "Pennine Housing Association",
        2,
        15,
        12,
        {
            "kind": "quick_quote",
            "title": "Community meals in Bradford",
            "summary": "Hot lunches three days a week at two community centres in Bradford, for "
            "about 40 tenants, with a welfare check for those who do not come.",
            "description": "A quick quote for a VCSE organisation to run lunch clubs at our "
            "Manningham and Holme Wood community centres. Kitchens are provided. "
            "Meals must meet the tenants' dietary and cultural needs.",
            "estimated_value_pence": 1_800_000,
            "contract_months": 12,
            "location_type": "local_authority",
            "location_code": "BRD",
            "reserved_vcse": True,
            "social_value_measures": ["SV-SC-01"],
        },
    ),
    (
        "NHS West Yorkshire ICB",
        3,
        33,
        12,
        {
            "title": "Home from hospital: homecare in the north patch",
            "summary": "Short-term personal care and settling-in support for up to six weeks "
            "after a stay in hospital, for people in Bradford, Leeds and Calderdale.",
            "description": "Providers will visit within 24 hours of discharge, support personal "
            "care, meals and medication prompts, and hand over to long-term care "
            "or community support. Staff must be paid at least the Real Living "
            "Wage and work under the ethical care charter.",
            "estimated_value_pence": 48_000_000,
            "contract_months": 36,
            "location_type": "region",
            "location_code": "TLE",
            "social_value_measures": ["SV-FW-01", "SV-EMP-01"],
        },
    ),
    (
        "Leeds City Council",
        6,
        26,
        15,
        {
            "title": "Employment support for care leavers",
            "score_scale_max": 10,  # published with its criteria: answers scored 0 to 10
            "summary": "One-to-one coaching, work placements and in-work support for 30 young "
            "people leaving care in Leeds each year.",
            "description": "We want an organisation that knows care leavers to help them into "
            "training and work, working with our leaving care team and local "
            "employers. Support should continue for six months after a job starts.",
            "estimated_value_pence": 8_500_000,
            "contract_months": 24,
            "location_type": "local_authority",
            "location_code": "LDS",
            "social_value_measures": ["SV-EMP-03", "SV-SKL-01"],
        },
    ),
    (
        "NHS West Yorkshire ICB",
        1,
        22,
        12,
        {
            "title": "Social prescribing link workers in Wakefield",
            "summary": "Two link workers who take referrals from GP practices and connect people "
            "with groups, advice and activities in their community.",
            "description": "Link workers will be based in primary care networks in Wakefield and "
            "work with about 400 people a year. The provider will also map and "
            "support local community groups.",
            "estimated_value_pence": 12_000_000,
            "contract_months": 24,
            "location_type": "local_authority",
            "location_code": "WKF",
            "social_value_measures": ["SV-COM-01"],
        },
    ),
    (
        "Pennine Housing Association",
        1,
        29,
        12,
        {
            "title": "Tenant befriending and digital inclusion",
            "summary": "Volunteer befrienders who help older tenants stay in touch, including "
            "getting online, across our Yorkshire homes.",
            "description": "About 80 older tenants a year. Befrienders will visit or phone weekly "
            "and help tenants use a tablet we lend them.",
            "estimated_value_pence": 2_200_000,
            "contract_months": 12,
            "location_type": "region",
            "location_code": "TLE",
            "social_value_measures": ["SV-COM-01"],
        },
    ),
    (
        "Leeds City Council",
        2,
        17,
        10,
        {
            "kind": "quick_quote",
            "title": "Lunch club in east Leeds",
            "summary": "A weekly lunch club for older people at Seacroft community hub, with "
            "transport for those who need it.",
            "description": "A quick quote for a lunch club every Wednesday for about 25 people, "
            "from April.",
            "estimated_value_pence": 1_200_000,
            "contract_months": 12,
            "location_type": "local_authority",
            "location_code": "LDS",
            "social_value_measures": ["SV-SC-01"],
        },
    ),
    (
        "Pennine Housing Association",
        6,
        40,
        12,
        {
            "title": "Employment and skills for tenants",
            "summary": "Help for tenants who are out of work to gain skills, qualifications and "
            "jobs, including with our own contractors.",
            "description": "We want a provider to run drop-ins on our estates in Bradford and "
            "Calderdale, and to broker jobs and apprenticeships with our repairs "
            "contractors.",
            "estimated_value_pence": 4_500_000,
            "contract_months": 24,
            "location_type": "region",
            "location_code": "TLE",
            "social_value_measures": ["SV-EMP-01", "SV-SKL-01"],
        },
    ),
    (
        "Leeds City Council",
        7,
        26,
        12,
        {
            "title": "Grounds maintenance for Leeds community parks",
            "summary": "Mowing, planting and litter picking in twelve community parks, by a "
            "supported employment provider.",
            "description": "We want a supported employment provider to look after twelve "
            "community parks in east Leeds for three years, creating jobs for disabled and "
            "disadvantaged people.\n\nThe contract is above the threshold, so the law lets us "
            "reserve it only for supported employment providers (section 32 of the Procurement "
            "Act 2023).",
            "estimated_value_pence": 25_000_000,
            "contract_months": 36,
            "location_type": "local_authority",
            "location_code": "LDS",
            "social_value_measures": ["SV-EMP-01"],
        },
    ),
]
CLOSED = (
    "Leeds City Council",
    1,
    {
        "title": "Bereavement support groups in Leeds",
        "summary": "Peer support groups for adults bereaved in the last two years, in four "
        "community venues.",
        "description": "Trained facilitators will run fortnightly groups and one-to-one support.",
        "estimated_value_pence": 2_800_000,
        "contract_months": 12,
        "location_type": "local_authority",
        "location_code": "LDS",
    },
)
CANCELLED = (
    "NHS West Yorkshire ICB",
    2,
    {
        "title": "Community meals pilot in Calderdale",
        "summary": "A six-month pilot of hot meals delivered to people leaving hospital.",
        "description": "Meals delivered daily for up to two weeks after discharge.",
        "estimated_value_pence": 1_500_000,
        "contract_months": 6,
        "location_type": "local_authority",
        "location_code": "CLD",
    },
    "The pilot's funding was withdrawn. We expect to run it next year and will publish it "
    "again then.",
)
DRAFT = (
    "Leeds City Council",
    1,
    {
        "title": "Community transport to hospital appointments",
        "summary": "Volunteer drivers taking older and disabled people to hospital appointments.",
        "description": "Still being written.",
        "estimated_value_pence": 3_000_000,
    },
)


def seed(admin, dps):
    """Approve the demo buyers, join them to ``dps``, set what its lots cover, and publish the
    demo opportunities (suppliers admitted to their lots are invited)."""
    lots = {lot.number: lot for lot in dps.lots}
    for number, (codes, areas) in SCOPES.items():
        lot = lots.get(number)
        if (
            lot is not None
            and not db.session.execute(
                sa.select(LotCpvCode.lot_id).where(LotCpvCode.lot_id == lot.id)
            ).first()
        ):
            lot_scope.set_scope(admin, lot, codes, areas)
    buyer_orgs = {}
    for organisation in db.session.execute(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.BUYER)
    ).scalars():
        owner = owner_of(organisation)
        if owner is None:
            continue
        if not buyers.is_approved(organisation.id):
            buyers.request_approval(owner, organisation, owner.name, owner.email)
            buyers.decide_approval(admin, organisation, True, None)
        buyers.join_dps(owner, organisation, dps)
        buyer_orgs[organisation.name] = (organisation, owner)

    for name, number, days, hour, fields in OPEN:
        _publish(buyer_orgs, lots, name, number, fields, _deadline(days, hour))
    befriending = _find(buyer_orgs, "Leeds City Council", "Befriending for older people in Leeds")
    if befriending is not None:
        _answered_question(buyer_orgs["Leeds City Council"][1], befriending)
        _replaced_specification(buyer_orgs["Leeds City Council"][1], befriending)

    name, number, fields = CLOSED
    closed = _publish(buyer_orgs, lots, name, number, fields, _deadline(14, 12))
    if closed is not None and closed.is_open:
        _move_to_the_past(closed)
    name, number, fields, reason = CANCELLED
    cancelled = _publish(buyer_orgs, lots, name, number, fields, _deadline(21, 12))
    if cancelled is not None and cancelled.status == OpportunityStatus.PUBLISHED:
        amendments.cancel(buyer_orgs[name][1], cancelled, reason)
    name, number, fields = DRAFT
    if name in buyer_orgs and number in lots and _find(buyer_orgs, name, fields["title"]) is None:
        organisation, owner = buyer_orgs[name]
        _draft(owner, organisation, lots[number], **fields)


def _draft(owner, organisation, lot, **fields):
    """A draft with the usual weightings, its owner the contact."""
    return opportunities.create_draft(
        owner,
        organisation,
        lot,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        contact_name=owner.name,
        contact_email=owner.email,
        **fields,
    )


def _find(buyer_orgs, name, title):
    if name not in buyer_orgs:
        return None
    return (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == buyer_orgs[name][0].id, Opportunity.title == title
            )
        )
        .scalars()
        .first()
    )


def _deadline(days, hour):
    """``days`` from today, moved on to a working day, at ``hour`` in London, in UTC."""
    day = to_local(utcnow()).date() + timedelta(days=days)
    while not is_working_day(day, CALENDAR):
        day += timedelta(days=1)
    return at(day, hour)


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def _publish(buyer_orgs, lots, name, number, fields, deadline):
    """The opportunity, drafted and published unless it is there already."""
    if name not in buyer_orgs or number not in lots:
        return None
    existing = _find(buyer_orgs, name, fields["title"])
    if existing is not None:
        return existing
    organisation, owner = buyer_orgs[name]
    quick = fields.get("kind") == "quick_quote"
    question_day = to_local(deadline).date() - timedelta(days=7)
    while not is_working_day(question_day, CALENDAR):
        question_day -= timedelta(days=1)
    opportunity = _draft(
        owner,
        organisation,
        lots[number],
        submission_deadline=deadline,
        question_deadline=at(question_day, 12),
        **fields,
    )
    opportunities.set_questions(
        owner, opportunity, QUICK_QUESTIONS if quick else STANDARD_QUESTIONS
    )
    if fields["title"] in DOCUMENTS:
        opportunities.attach_tender_document(owner, opportunity, _pdf(DOCUMENTS[fields["title"]]))
    opportunities.publish(owner, opportunity)
    return opportunity


# Tender documents published with an opportunity (locked from then on).
DOCUMENTS = {"Befriending for older people in Leeds": "Befriending service specification.pdf"}


def _pdf(filename, version=1):
    content = f"%PDF-1.4\n% {filename}, version {version}\n%%EOF\n".encode()
    return FileStorage(io.BytesIO(content), filename=filename, content_type="application/pdf")


def _replaced_specification(buyer_owner, opportunity):
    """The published specification replaced by an amendment: listed on the page with its date,
    the first version kept on record."""
    done = db.session.execute(
        sa.select(OpportunityAmendment.id).where(
            OpportunityAmendment.opportunity_id == opportunity.id,
            OpportunityAmendment.document_id.is_not(None),
        )
    ).first()
    current = queries.tender_documents(opportunity.id)
    if done or not current or not opportunity.is_open:
        return
    amendments.replace_tender_document(
        buyer_owner,
        opportunity,
        current[0],
        _pdf("Befriending service specification v2.pdf", version=2),
        "The specification now gives the number of people waiting in each ward",
    )


def _answered_question(buyer_owner, opportunity):
    """A supplier's question about the opportunity, answered for everyone."""
    exists = db.session.execute(
        sa.select(ClarificationQuestion.id).where(
            ClarificationQuestion.opportunity_id == opportunity.id
        )
    ).first()
    invitation = (
        db.session.execute(
            sa.select(Invitation)
            .where(Invitation.opportunity_id == opportunity.id)
            .order_by(Invitation.id)
        )
        .scalars()
        .first()
    )
    if exists or invitation is None:
        return
    supplier = db.session.get(Organisation, invitation.organisation_id)
    asker = owner_of(supplier)
    if asker is None:
        return
    question = clarifications.ask(
        asker,
        supplier,
        opportunity,
        "Can volunteers' travel expenses be included in the "
        "price, and is there a budget for group activities?",
    )
    clarifications.answer(
        buyer_owner,
        question,
        "Yes. Include volunteers' travel expenses in your price. There "
        "is no separate budget for activities: include any costs in your "
        "price, with a short explanation.",
        public=True,
    )


def _move_to_the_past(opportunity):
    """A closed opportunity: published three and a half weeks ago, closed on the last working
    day before today."""
    day = to_local(utcnow()).date() - timedelta(days=1)
    while not is_working_day(day, CALENDAR):
        day -= timedelta(days=1)
    opportunity.submission_deadline = at(day, 12)
    opportunity.question_deadline = at(day - timedelta(days=7), 12)
    opportunity.published_at = opportunity.submission_deadline - timedelta(days=24)
    db.session.commit()


# --- `flask demo close-call-off`: what happens after a deadline, without waiting ---------------

DEMO_ENVIRONMENTS = ("development",)


def open_call_offs():
    """The published call-offs still open for bids, soonest deadline first."""
    return (
        db.session.execute(
            sa.select(Opportunity)
            .where(Opportunity.is_open)
            .order_by(Opportunity.submission_deadline, Opportunity.id)
        )
        .scalars()
        .all()
    )


def find_call_off(reference_or_id):
    """The call-off with this reference (any case) or id, or None."""
    text = str(reference_or_id).strip()
    condition = sa.func.upper(Opportunity.reference) == text.upper()
    if text.isdigit():
        condition = sa.or_(condition, Opportunity.id == int(text))
    return db.session.execute(sa.select(Opportunity).where(condition)).scalars().first()


def close_call_off(reference_or_id):
    """DEMO ONLY: move an open call-off's deadline for bids to this moment (and its question
    deadline, if that was later), audited, then record the closing as the scheduled job does.
    From then on everything follows as after any deadline: bids sealed until now can be opened,
    and suppliers can no longer submit or change theirs.

    No service may move a deadline earlier (the law lets a buyer only extend one), so this is
    refused outside development (``APP_ENV``). Returns (the call-off, its deadline before)."""
    environment = current_app.config["APP_ENV"]
    if environment not in DEMO_ENVIRONMENTS:
        raise NotAllowed(
            "Closing a call-off early is for the demo only: a deadline may only ever be "
            f"extended. It runs where APP_ENV is development, and here it is {environment}"
        )
    opportunity = find_call_off(reference_or_id)
    if opportunity is None:
        raise NotFound(f"There is no call-off with the reference or id {reference_or_id}")
    name = opportunity.reference or f"Call-off {opportunity.id}"
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise ServiceError(
            f"{name} is {opportunity.status.value.replace('_', ' ')}: only a published "
            "call-off has a deadline to pass"
        )
    if not opportunity.is_open:
        raise ServiceError(
            f"The deadline for {name} passed on {format_datetime(opportunity.submission_deadline)}"
        )
    now = utcnow()
    before, questions_before = opportunity.submission_deadline, opportunity.question_deadline
    opportunity.submission_deadline = now
    if questions_before is not None and questions_before >= now:
        opportunity.question_deadline = now - timedelta(seconds=1)
    record(
        E.DEMO_CLOSE_OPPORTUNITY,
        subject=opportunity,
        organisation_id=opportunity.buyer_id,
        detail={
            "deadline_was": before.isoformat(),
            "deadline": now.isoformat(),
            "question_deadline_was": questions_before.isoformat() if questions_before else None,
            "question_deadline": (
                opportunity.question_deadline.isoformat() if opportunity.question_deadline else None
            ),
            "app_env": environment,
        },
    )
    commit()
    opportunities.mark_closed(now)
    return opportunity, before


PATCH_GROUP = "East London homecare patches"
PATCH_AREAS = [
    ("Newham", "NWM"),
    ("Tower Hamlets", "TWH"),
    ("Hackney", "HCK"),
    ("Waltham Forest", "WFT"),
    ("Redbridge", "RDB"),
    ("Barking and Dagenham", "BDG"),
    ("Havering", "HAV"),
    ("Greenwich", "GRE"),
]


def seed_patches(admin, dps):
    """A patch-based homecare set of eight patches, one a borough, one per provider, each with
    the same conditions (an office in the patch, the London Living Wage, the UNISON Ethical Care
    Charter, a local workforce); three providers hold a patch and one of them is flagged.
    Returns the providers' demo accounts."""
    from dps import demo as dps_demo
    from dps.models import ConditionKind, Lot
    from lots.opportunities.patches import Patch, create_patch_set

    lots = (
        db.session.execute(
            sa.select(Lot)
            .where(Lot.dps_id == dps.id, Lot.cap_group == PATCH_GROUP)
            .order_by(Lot.number)
        )
        .scalars()
        .all()
    )
    if not lots:
        lots = create_patch_set(
            admin,
            dps,
            group=PATCH_GROUP,
            description="Homecare for adults in their own homes: personal care, medication "
            "support and companionship, by a provider rooted in the borough.",
            max_value_pence=60_000_000,
            light_touch=True,
            cpv_codes=["85312000-9", "85320000-8"],
            patches=[Patch(name, (code,)) for name, code in PATCH_AREAS],
            conditions=(
                {
                    "kind": ConditionKind.OFFICE_IN_AREA,
                    "guidance": "Care is run from an office in the borough, so managers know "
                    "the community and carers spend their time caring, not travelling.",
                },
                {"kind": ConditionKind.LIVING_WAGE, "london": True},
                {
                    "kind": ConditionKind.CHARTER,
                    "title": "UNISON Ethical Care Charter",
                    "guidance": "Visits long enough to care, paid travel time, no zero-hours "
                    "contracts where staff do not want them.",
                },
                {"kind": ConditionKind.WORKFORCE},
            ),
        )
    return dps_demo.seed_patch_holders(admin, dps, lots)
