"""Spend files shaped like the ones councils publish under the Local Government Transparency Code,
made by the tests (deterministic: a seeded random), each with the quirks its style really has.

- ``metropolitan``: UTF-8 with a byte-order mark, a title line and a blank line above the header,
  headings "Payment Date", "Supplier Name", "Net Amount", "Expense Type", "Service Area",
  "Supplier Number" (the council's own ids), "Transaction Number", two unnamed trailing columns,
  amounts like "£1,234.56 " (pound sign, commas, a trailing space), credits as "-250.00",
  "REDACTED PERSONAL DATA" suppliers, a totals line and trailing blank lines (",,,,").
- ``district``: Windows-1252 (the £ is one byte), headings "Date", "Supplier", "Amount",
  "Expenditure Category", "Department", "VAT Registration Number", "Redacted", dates like
  "3 Apr 2023" and "14-Mar-23", credits as "(1,234.00)", a £250 threshold, redacted payments
  as a blank name with "Y" in the flag column, a date that does not exist, an amount "TBC", and
  two identical payments on one day.
- ``county``: "Date Paid" as "01/04/24", "Beneficiary", "Value", "Purpose", "Directorate",
  "Company Number", "Transaction ID", a "Grand Total" line.

Each returns (bytes, Expect): what the file holds, for the assertions.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

SUPPLIERS = [
    # (name as the file writes it, company number, charity number)
    ("Riverside Community Care CIO", None, "1123456"),
    ("NORTHERN LIGHTS SOCIAL ENTERPRISE C.I.C.", "11223344", None),
    ("Yorkshire Water Services Ltd", "02366682", None),
    ("Amey Community Limited", "04736639", None),
    ("The Leeds Food Bank", None, None),
    ("Veolia ES (UK) Ltd", "02481991", None),
    ("Kirkstall Valley Allotments Society", None, None),
    ("Hargreaves Stationery Limited", "00987654", None),
]
CATEGORIES = [
    "Adult Social Care - Residential",
    "Grants to Voluntary Organisations",
    "Waste Disposal",
    "Building Repairs and Maintenance",
    "Stationery",
    "Catering",
]
DEPARTMENTS = ["Adults and Health", "Communities and Environment", "City Development", "Resources"]


@dataclass
class Expect:
    lines: int = 0  # lines that import
    pence: int = 0  # their sum, credits included
    redacted: int = 0
    skipped_reasons: list = field(default_factory=list)  # in row order
    credits: int = 0


def _money(pence, style):
    pounds = f"{abs(pence) / 100:,.2f}"
    if pence < 0:
        return {"minus": f"-{pounds}", "brackets": f"({pounds})"}[style]
    return pounds


def metropolitan(rows=300, start=date(2024, 4, 1), seed=1):
    rng = random.Random(seed)
    expect = Expect()
    lines = [
        "Leeds City Council - Payments to suppliers over £500 - 2024/25,,,,,,,,",
        ",,,,,,,,",
        "Service Area,Expense Type,Payment Date,Transaction Number,Net Amount,"
        "Supplier Name,Supplier Number,,",
    ]
    for n in range(rows):
        day = start + timedelta(days=rng.randrange(0, 365))
        name, _company, _charity = rng.choice(SUPPLIERS)
        supplier_number = f"V{10000 + SUPPLIERS.index((name, _company, _charity))}"
        pence = rng.randrange(50_000, 5_000_000)
        if n % 40 == 7:
            pence = -pence // 10
            expect.credits += 1
        redacted = n % 50 == 11
        if redacted:
            name, supplier_number = "REDACTED PERSONAL DATA", ""
            expect.redacted += 1
        amount = "£" + _money(pence, "minus") + " " if pence > 0 else _money(pence, "minus")
        lines.append(
            f"{rng.choice(DEPARTMENTS)},{rng.choice(CATEGORIES)},{day:%d/%m/%Y},"
            f'{700000 + n},"{amount}","{name}",{supplier_number},,'
        )
        expect.lines += 1
        expect.pence += pence
    lines.append(f',,,,"{expect.pence / 100:,.2f}",Total,,,')
    expect.skipped_reasons.append("A totals row")
    lines += [",,,,,,,,"] * 3
    expect.skipped_reasons.append("A blank row")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), expect


def district(rows=300, start=date(2023, 4, 1), seed=2):
    rng = random.Random(seed)
    expect = Expect()
    lines = [
        "Date,Supplier,Amount,Expenditure Category,Department,VAT Registration Number,Redacted"
    ]
    formats = ("%d %b %Y", "%d-%b-%y")
    for n in range(rows):
        day = start + timedelta(days=rng.randrange(0, 365))
        name, _company, _charity = rng.choice(SUPPLIERS)
        vat = f"GB{rng.randrange(100000000, 999999999)}"
        pence = rng.randrange(25_000, 2_000_000)  # from £250
        if n % 30 == 3:
            pence = -pence
            expect.credits += 1
        flag = ""
        if n % 45 == 5:
            name, vat, flag = "", "", "Y"
            expect.redacted += 1
        when = day.strftime(formats[n % 2]).lstrip("0")
        lines.append(
            f'{when},"{name}","£{_money(pence, "brackets")}",{rng.choice(CATEGORIES)},'
            f"{rng.choice(DEPARTMENTS)},{vat},{flag}"
        )
        expect.lines += 1
        expect.pence += pence
    # Two identical payments on one day: both are real.
    for _ in range(2):
        lines.append(
            "12 Jun 2023,The Leeds Food Bank,£600.00,Grants to Voluntary Organisations,"
            "Communities and Environment,,"
        )
        expect.lines += 1
        expect.pence += 60_000
    lines.append("31/02/2023,Veolia ES (UK) Ltd,£1000.00,Waste Disposal,Resources,,")
    expect.skipped_reasons.append("The date ‘31/02/2023’ cannot be read")
    lines.append(
        "1 May 2023,Amey Community Limited,TBC,Building Repairs and Maintenance,Resources,,"
    )
    expect.skipped_reasons.append("The amount ‘TBC’ cannot be read")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), expect


def county(rows=300, start=date(2024, 4, 1), seed=3):
    rng = random.Random(seed)
    expect = Expect()
    lines = ["Date Paid,Beneficiary,Value,Purpose,Directorate,Company Number,Transaction ID"]
    for n in range(rows):
        day = start + timedelta(days=rng.randrange(0, 365))
        name, company, charity = rng.choice(SUPPLIERS)
        pence = rng.randrange(50_000, 900_000)
        lines.append(
            f"{day:%d/%m/%y},{name},{pence / 100:.2f},{rng.choice(CATEGORIES)},"
            f"{rng.choice(DEPARTMENTS)},{company or ''},T{n:05d}"
        )
        expect.lines += 1
        expect.pence += pence
    lines.append(f"Grand Total,,{expect.pence / 100:.2f},,,,")
    expect.skipped_reasons.append("A totals row")
    return ("\n".join(lines) + "\n").encode("utf-8"), expect
