"""Demo data for spend analysis: two councils' payments over £500 for the last whole financial
year, as each publishes them under the Transparency Code, uploaded and imported through the
services by the council's buyer, so the reports, the rows left out, the review queue and **the
gaps** have something believable to show; and the call-offs behind some integrity flags.

- **Leeds City Council** (the demo's buyer): a title line above the headings, a byte-order mark,
  "£1,234.56" amounts, credit notes, redacted payments, a totals line and blank lines at the end.
- **Wakefield Council** (made here, with its own buyer, and joined to the DPS): other headings,
  dates as "14-Mar-25", a supplier-number column, Windows-1252.

Much of each council's befriending and community meals goes to large firms outside its area
(fictional, as are all the demo's organisations), while VCSEs hold the DPS's lots for that work:
the gaps. The public registers' small extracts the project ships are loaded so that suppliers not
in the directory are classified, and the postcode directory's sample so that they are placed.

Wakefield also published a quick quote with the legal minimum tender period that drew no bids,
and cancelled a befriending call-off and published it again: the operator's integrity flags.

Safe to run again: each year's file is the same bytes (importing it twice changes nothing), the
registers are replaced by the same rows, and each call-off is looked for by its title first.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.errors import Conflict
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.queries import find_organisation
from app.reference import postcodes
from app.timeutil import to_local, utcnow
from dps.models import Dps
from lots.opportunities import amendments, buyers
from lots.opportunities import services as opportunities
from lots.opportunities.models import Opportunity, OpportunityKind
from lots.opportunities.permissions import has_buyer_role
from spend import registers, services
from spend.models import ImportStatus, Register
from spend.reports import financial_year, year_label

LONDON = ZoneInfo("Europe/London")
BUYER = "Leeds City Council"
WAKEFIELD = "Wakefield Council"
WAKEFIELD_OWNER = ("buyer@wakefield-council.example", "Kwame Osei")
WAKEFIELD_ROLE = (
    "Buyer owner: see where Wakefield's money goes and the work it could lot for VCSEs; its "
    "call-offs raise the operator's integrity flags"
)

# (name as the ledger writes it, supplier number, share of payments, amount range £, categories)
LEEDS_SUPPLIERS = [
    ("Riverside Community Care CIO", "V10231", 9, (600, 9000), ["Befriending Services"]),
    ("RIVERSIDE COMUNITY CARE", "V10232", 2, (600, 3000), ["Befriending Services"]),  # a typo
    (
        "Northern Lights Social Enterprise C.I.C.",
        "V10544",
        5,
        (800, 6000),
        ["Grounds Maintenance", "Employment Support"],
    ),
    ("Greenfield Food Co-operative Ltd", "V10987", 3, (500, 4000), ["Community Meals"]),
    ("Chapeltown Befrienders", "V11020", 3, (500, 2500), ["Befriending Services"]),
    ("Harehills Community Cafe CIC", "V11034", 3, (500, 2000), ["Community Meals"]),
    ("Seacroft Youth Project", "V11102", 2, (500, 5000), ["Youth Services"]),
    # Fictional larger firms, not in the directory: classified from the registers.
    ("Mercia Care Group Limited", "V20010", 6, (4000, 30000), ["Befriending Services"]),
    ("Whiterose Meals Limited", "V20011", 5, (3000, 20000), ["Community Meals"]),
    ("Aire Valley Facilities Management Ltd", "V20001", 5, (2000, 40000), ["Catering"]),
    ("Northgate Waste Services Limited", "V20002", 5, (5000, 60000), ["Waste Disposal"]),
    ("Pennine Build Group PLC", "V20004", 3, (5000, 50000), ["Building Repairs and Maintenance"]),
    ("Kirkgate Office Supplies Limited", "V20005", 5, (500, 4000), ["Stationery"]),
    ("Calder Utilities Ltd", "V20007", 4, (1000, 20000), ["Utilities - Water"]),
    ("Westgate Business Services Ltd", "V20008", 3, (5000, 30000), ["IT Services"]),
]
DIRECTORATES = {
    "Befriending Services": "Adults and Health",
    "Community Meals": "Adults and Health",
    "Employment Support": "Adults and Health",
    "Youth Services": "Children and Families",
    "Grounds Maintenance": "Communities, Housing and Environment",
    "Catering": "Communities, Housing and Environment",
    "Waste Disposal": "Communities, Housing and Environment",
    "Building Repairs and Maintenance": "City Development",
    "Stationery": "Resources",
    "Utilities - Water": "Resources",
    "IT Services": "Resources",
}
WAKEFIELD_SUPPLIERS = [
    ("WAKEFIELD DISTRICT BEFRIENDING SERVICE", "WK0101", 5, (500, 4000), ["Befriending"]),
    ("MERCIA CARE GROUP LTD", "WK0420", 6, (5000, 25000), ["Befriending"]),
    ("WHITEROSE MEALS LTD", "WK0433", 6, (2000, 15000), ["Meals on wheels - community meals"]),
    ("RIVERSIDE COMMUNITY CARE CIO", "WK0515", 2, (600, 3000), ["Befriending"]),
    ("CALDER UTILITIES LTD", "WK0777", 4, (1000, 15000), ["Water charges"]),
    ("WESTGATE BUSINESS SERVICES LTD", "WK0790", 4, (800, 9000), ["ICT support"]),
    ("NORTHGATE WASTE SERVICES LTD", "WK0802", 4, (5000, 40000), ["Refuse disposal"]),
]
ROWS = {BUYER: 900, WAKEFIELD: 500}


def _payments(rng, start_year, suppliers, rows):
    """(supplier name, number, category, day, pence) rows for a year from April."""
    start = date(start_year, 4, 1)
    weights = [s[2] for s in suppliers]
    for _n in range(rows):
        name, number, _weight, (low, high), categories = rng.choices(suppliers, weights)[0]
        day = start + timedelta(days=rng.randrange(0, 365))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        yield name, number, rng.choice(categories), day, rng.randrange(low * 100, high * 100)


def spend_file(start_year):
    """Leeds City Council's payments file for the financial year from April ``start_year``."""
    rng = random.Random(start_year)
    lines = [
        f"Leeds City Council - Payments to suppliers over £500 - {year_label(start_year)},,,,,,,,",
        ",,,,,,,,",
        "Directorate,Expense Type,Payment Date,Transaction Number,Net Amount,Supplier Name,"
        "Supplier Number,,",
    ]
    total = 0
    payments = _payments(rng, start_year, LEEDS_SUPPLIERS, ROWS[BUYER])
    for n, (name, number, category, day, pence) in enumerate(payments):
        amount = f"£{pence / 100:,.2f} "
        if n % 75 == 17:  # a credit note
            pence = -pence // 4
            amount = f"-{abs(pence) / 100:,.2f}"
        if n % 60 == 23:  # a payment to a person: the name is withheld
            name, number = "REDACTED PERSONAL DATA", ""
        total += pence
        lines.append(
            f'"{DIRECTORATES[category]}","{category}",{day:%d/%m/%Y},{5100000 + n},"{amount}",'
            f'"{name}",{number},,'
        )
    lines.append(f',,,,"{total / 100:,.2f}",Total,,,')
    lines += [",,,,,,,,"] * 3
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def wakefield_file(start_year):
    """Wakefield Council's payments file: other headings, "14-Mar-25" dates, Windows-1252."""
    rng = random.Random(start_year * 7)
    lines = ["Service,Cost Centre,Date Paid,Supplier,Supplier ID,Purpose of Spend,Amount (£)"]
    payments = _payments(rng, start_year, WAKEFIELD_SUPPLIERS, ROWS[WAKEFIELD])
    for n, (name, number, category, day, pence) in enumerate(payments):
        service = (
            "Adult Services"
            if "meals" in category.lower() or category == "Befriending"
            else ("Corporate Services")
        )
        lines.append(
            f'{service},CC{400 + n % 37},{day:%d-%b-%y},"{name}",{number},"{category}",'
            f'"{pence / 100:,.2f}"'
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


FILES = {
    BUYER: (spend_file, "leeds-payments-over-500"),
    WAKEFIELD: (wakefield_file, "wakefield-spend"),
}


def _owner(buyer):
    return next(
        (
            m.user
            for m in buyer.memberships
            if has_buyer_role(m.user, buyer.id, "buyer") and m.user.email_confirmed_at
        ),
        None,
    )


def _wakefield(admin):
    """Wakefield Council and its buyer, approved and joined to the demo DPS."""
    from app.demo.people import DEMO_PASSWORD

    email, name = WAKEFIELD_OWNER
    owner = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if owner is None:
        owner = User(
            email=email,
            name=name,
            password_hash=hash_password(DEMO_PASSWORD),
            email_confirmed_at=utcnow(),
            password_changed_at=utcnow(),
        )
        db.session.add(owner)
        db.session.commit()
    council = find_organisation("buyer", WAKEFIELD)
    if council is None:
        council = organisations.create_buyer(
            owner,
            {
                "name": WAKEFIELD,
                "buyer_type": "local_authority",
                "region_code": "TLE",
            },
        )
    if admin is not None and not buyers.is_approved(council.id):
        buyers.request_approval(owner, council, owner.name, owner.email)
        buyers.decide_approval(admin, council, True, None)
    for dps in db.session.execute(sa.select(Dps)).scalars():
        buyers.join_dps(owner, council, dps)
    return council


def demo_accounts():
    """The sign-in this demo adds (Wakefield's buyer), for the list `make run` prints."""
    from app.demo.people import DemoAccount

    council = find_organisation("buyer", WAKEFIELD)
    owner = council and _owner(council)
    return (
        [DemoAccount(owner.email, owner.name, council.display_name, WAKEFIELD_ROLE)]
        if owner
        else []
    )


def _load_registers():
    """The shipped register extracts and postcode sample, unless registers are loaded already."""
    if registers.counts():
        return
    for register in (Register.CHARITY, Register.COMPANY, Register.MUTUAL):
        registers.load(register, registers.SAMPLE_FILES[register])
    postcodes.load(registers.SAMPLES / "nspl.sample.csv")


def _import_year(buyer, year, area):
    owner = _owner(buyer)
    if owner is None:
        return None
    if not services.settings_of(buyer.id).area_codes:
        services.set_area(owner, buyer, [area])
    make, stem = FILES[buyer.name]
    try:
        spend_import = services.upload_file(
            owner, buyer, f"{stem}-{year_label(year)}.csv", make(year)
        )
    except Conflict:
        return None  # imported on an earlier run
    if spend_import.status == ImportStatus.MAPPING:
        services.choose_columns(owner, spend_import, dict(spend_import.mapping), "internal")
    return spend_import


# --- Call-offs behind the integrity flags -------------------------------------------------------------

QUICK = [
    {"kind": "quality", "text": "How will you do the work?", "word_limit": 300, "weight": 40},
    {
        "kind": "social_value",
        "text": "What local benefit will it bring?",
        "word_limit": 200,
        "weight": 10,
    },
]
MINIMUM = "Telephone befriending pilot"
CANCELLED = "Befriending for older people in Wakefield"
AGAIN = "Befriending for older people across the Wakefield district"


def _find(council, title):
    return (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == council.id, Opportunity.title == title
            )
        )
        .scalars()
        .first()
    )


def _at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def _publish(owner, council, lot, title, deadline, kind=OpportunityKind.MINI_COMPETITION):
    opportunity = opportunities.create_draft(
        owner,
        council,
        lot,
        kind=kind,
        title=title,
        summary=f"{title}: a call-off for local providers",
        description="See the specification.",
        estimated_value_pence=2_400_000,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        submission_deadline=deadline,
        contact_name=owner.name,
        contact_email=owner.email,
    )
    opportunities.set_questions(owner, opportunity, QUICK)
    opportunities.publish(owner, opportunity, acknowledge_bank_holiday=True)
    return opportunity


def _integrity_call_offs(council):
    owner = _owner(council)
    lots = {
        lot.number: lot for dps in db.session.execute(sa.select(Dps)).scalars() for lot in dps.lots
    }
    if owner is None or 1 not in lots:
        return
    now = utcnow()
    if _find(council, MINIMUM) is None:
        # Published with the least time the law allows, then (as if weeks ago) nobody bid.
        deadline = to_local(now).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=10, hours=1
        )
        quick = _publish(
            owner, council, lots[1], MINIMUM, deadline, kind=OpportunityKind.QUICK_QUOTE
        )
        period = quick.submission_deadline - quick.published_at
        quick.published_at = now - timedelta(days=40)
        quick.submission_deadline = quick.published_at + period
        quick.question_deadline = None
        db.session.commit()
    if _find(council, CANCELLED) is None:
        first = _publish(
            owner, council, lots[1], CANCELLED, _at(to_local(now).date() + timedelta(days=21), 12)
        )
        amendments.cancel(owner, first, "The specification left out the Pontefract area.")
    if _find(council, AGAIN) is None:
        _publish(owner, council, lots[1], AGAIN, _at(to_local(now).date() + timedelta(days=28), 12))


def seed_call_offs(admin):
    """Wakefield Council, approved and joined to the DPS, and its call-offs behind the integrity
    flags (published before the alerts' demo runs, so a second run sends nothing new)."""
    _integrity_call_offs(_wakefield(admin))


def seed_contract_spend():
    """The spend of contracts the demo made after ``seed`` (the places demo's, made without the
    award's hook), so that seeding again finds none missing."""
    return services.sync_contract_spend()


def seed(admin=None):
    """The demo contract's spend, both councils' spend files imported and the registers that
    classify their suppliers. Returns Leeds's import, or None when it was there already."""
    services.sync_contract_spend()
    _load_registers()
    year = financial_year(to_local(utcnow()).date()) - 1
    leeds = find_organisation("buyer", BUYER)
    result = _import_year(leeds, year, "LDS") if leeds is not None else None
    _import_year(_wakefield(admin), year, "WKF")
    return result
