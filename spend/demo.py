"""Demo data for spend analysis: Leeds City Council's payments over £500 for the last whole
financial year, as a council publishes them under the Transparency Code (a title line above the
headings, a byte-order mark, "£1,234.56" amounts, credit notes, redacted payments, a totals line
and blank lines at the end), uploaded and imported through the services as the council's buyer,
so the report, the rows left out and the review queue have something believable to show. Also
the spend of the demo's contract awarded through the DPS.

Safe to run again: the same year's file is the same bytes, and importing it twice changes nothing.
"""

import random
from datetime import date, timedelta

from app.errors import Conflict
from app.organisations.queries import find_organisation
from app.timeutil import to_local, utcnow
from lots.opportunities.permissions import has_buyer_role
from spend import services
from spend.models import ImportStatus
from spend.reports import financial_year, year_label

BUYER = "Leeds City Council"
# (name as the council's ledger writes it, supplier number, share of payments, amount range £)
SUPPLIERS = [
    ("Riverside Community Care CIO", "V10231", 9, (600, 9000)),
    ("RIVERSIDE COMUNITY CARE", "V10232", 2, (600, 3000)),  # a typo: one for the review queue
    ("Northern Lights Social Enterprise C.I.C.", "V10544", 5, (800, 6000)),
    ("Greenfield Food Co-operative Ltd", "V10987", 4, (500, 4000)),
    ("Chapeltown Befrienders", "V11020", 3, (500, 2500)),
    ("Harehills Community Cafe CIC", "V11034", 3, (500, 2000)),
    ("Seacroft Youth Project", "V11102", 2, (500, 5000)),
    # Fictional larger firms, not in the directory: unclassified until registers are loaded.
    ("Aire Valley Facilities Management Ltd", "V20001", 6, (2000, 40000)),
    ("Northgate Waste Services Limited", "V20002", 5, (5000, 60000)),
    ("Pennine Build Group PLC", "V20004", 3, (5000, 50000)),
    ("Kirkgate Office Supplies Limited", "V20005", 5, (500, 4000)),
    ("Calder Utilities Ltd", "V20007", 4, (1000, 20000)),
    ("Westgate Business Services Ltd", "V20008", 3, (5000, 30000)),
]
CATEGORIES = {
    "Adults and Health": ["Adult Social Care - Home Care", "Grants to Voluntary Organisations"],
    "Communities, Housing and Environment": ["Waste Disposal", "Community Centres", "Catering"],
    "City Development": ["Building Repairs and Maintenance", "Highways Maintenance"],
    "Resources": ["Stationery", "IT Services", "Utilities - Water"],
    "Children and Families": ["Youth Services", "Grants to Voluntary Organisations"],
}
ROWS = 900


def spend_file(start_year):
    """The council's payments file for the financial year from April ``start_year`` (bytes)."""
    rng = random.Random(start_year)
    start = date(start_year, 4, 1)
    weights = [s[2] for s in SUPPLIERS]
    lines = [
        f"Leeds City Council - Payments to suppliers over £500 - {year_label(start_year)},,,,,,,,",
        ",,,,,,,,",
        "Directorate,Expense Type,Payment Date,Transaction Number,Net Amount,Supplier Name,"
        "Supplier Number,,",
    ]
    total = 0
    for n in range(ROWS):
        name, number, _weight, (low, high) = rng.choices(SUPPLIERS, weights)[0]
        directorate = rng.choice(list(CATEGORIES))
        category = rng.choice(CATEGORIES[directorate])
        day = start + timedelta(days=rng.randrange(0, 365))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        pence = rng.randrange(low * 100, high * 100)
        amount = f"£{pence / 100:,.2f} "
        if n % 75 == 17:  # a credit note
            pence = -pence // 4
            amount = f"-{abs(pence) / 100:,.2f}"
        if n % 60 == 23:  # a payment to a person: the name is withheld
            name, number = "REDACTED PERSONAL DATA", ""
        total += pence
        lines.append(
            f'"{directorate}","{category}",{day:%d/%m/%Y},{5100000 + n},"{amount}","{name}",'
            f"{number},,"
        )
    lines.append(f',,,,"{total / 100:,.2f}",Total,,,')
    lines += [",,,,,,,,"] * 3
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def seed():
    """The demo contract's spend, and Leeds City Council's spend file imported. Returns the
    import, or None when the demo buyer is missing."""
    services.sync_contract_spend()
    buyer = find_organisation("buyer", BUYER)
    if buyer is None:
        return None
    owner = next(
        (
            m.user
            for m in buyer.memberships
            if has_buyer_role(m.user, buyer.id, "buyer") and m.user.email_confirmed_at
        ),
        None,
    )
    if owner is None:
        return None
    if not services.settings_of(buyer.id).area_codes:
        services.set_area(owner, buyer, ["LDS"])
    year = financial_year(to_local(utcnow()).date()) - 1
    try:
        spend_import = services.upload_file(
            owner, buyer, f"leeds-payments-over-500-{year_label(year)}.csv", spend_file(year)
        )
    except Conflict:
        return None  # imported on an earlier run
    if spend_import.status == ImportStatus.MAPPING:
        services.choose_columns(owner, spend_import, dict(spend_import.mapping), "internal")
    return spend_import
