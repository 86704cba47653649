"""Reading a buyer's spend file: the CSV files councils publish under the Local Government
Transparency Code (every payment over £500, or £250), as they really are.

Pure functions, no database: ``read_table`` finds the encoding (UTF-8 with or without a byte-order
mark, UTF-16, Windows-1252's ``£``), the delimiter and the header line (below any preamble);
``guess_mapping`` says which column holds what from the headings (every council names them
differently); ``parse_rows`` turns each row into a ``Row`` or a ``Skipped`` with the reason
(blank lines, totals, dates and amounts that cannot be read).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import charset_normalizer
from dateutil import parser as dateutil_parser

# What a column can hold, in the order the mapping page asks.
FIELDS = {
    "date": "Date paid",
    "supplier": "Supplier name",
    "amount": "Amount",
    "category": "Category or expense type",
    "department": "Department or service area",
    "supplier_id": "Supplier number",
    "reference": "Transaction reference",
    "redacted": "Redacted flag",
}
REQUIRED = ("date", "supplier", "amount")

# What a supplier number column holds: only company and charity numbers identify an organisation
# across buyers; VAT numbers and a council's own ids are remembered for that buyer alone.
ID_KINDS = {
    "company": "Company numbers (Companies House)",
    "charity": "Charity numbers",
    "vat": "VAT registration numbers",
    "internal": "The buyer's own supplier numbers",
}

# Headings seen in councils' files, normalised (lower case, letters and digits only).
_ALIASES = {
    "date": (
        "date",
        "payment date",
        "date paid",
        "paid date",
        "date of payment",
        "transaction date",
        "pay date",
        "posting date",
        "effective date",
        "invoice payment date",
        "clearing date",
        "check date",
        "cheque date",
        "date of transaction",
    ),
    "supplier": (
        "supplier",
        "supplier name",
        "vendor",
        "vendor name",
        "payee",
        "payee name",
        "beneficiary",
        "beneficiary name",
        "creditor",
        "creditor name",
        "merchant",
        "merchant name",
        "recipient",
        "recipient name",
        "supplier beneficiary",
        "supplier payee",
        "trader",
    ),
    "amount": (
        "amount",
        "amount gbp",
        "net amount",
        "value",
        "net value",
        "amount paid",
        "payment amount",
        "transaction amount",
        "invoice amount",
        "amount excl vat",
        "amount excluding vat",
        "net",
        "total",
        "amount net",
        "line amount",
        "spend",
    ),
    "category": (
        "expense type",
        "expenditure type",
        "expenditure category",
        "category",
        "spend category",
        "service category",
        "purpose",
        "purpose of expenditure",
        "expense description",
        "expenses type",
        "subjective description",
        "account description",
        "proclass",
        "proclass description",
        "merchant category",
        "description",
        "narrative",
    ),
    "department": (
        "department",
        "directorate",
        "service area",
        "expense area",
        "service",
        "service division",
        "service label",
        "cost centre",
        "cost centre description",
        "division",
        "portfolio",
    ),
    "supplier_id": (
        "supplier id",
        "supplier number",
        "supplier no",
        "supplier ref",
        "supplier reference",
        "supplier code",
        "vendor id",
        "vendor number",
        "vendor no",
        "creditor number",
        "creditor id",
        "creditor no",
        "vat number",
        "vat registration number",
        "vat reg no",
        "vat no",
        "company number",
        "companies house number",
        "company registration number",
        "company no",
        "charity number",
        "registered charity number",
        "charity no",
    ),
    "reference": (
        "transaction number",
        "transaction no",
        "transaction id",
        "transaction reference",
        "reference",
        "reference number",
        "payment reference",
        "invoice number",
        "invoice no",
        "document number",
        "voucher number",
        "unique transaction id",
    ),
    "redacted": (
        "redacted",
        "redaction",
        "redacted flag",
        "redaction flag",
        "is redacted",
        "personal data",
        "personal data redacted",
        "redacted personal data",
    ),
}
_ALIAS_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
# Words that point to a field when no heading matches exactly, most telling first.
_KEYWORDS = (
    ("redacted", ("redact",)),
    ("supplier_id", ("vat", "company number", "charity number", "supplier id", "vendor id")),
    ("date", ("date",)),
    ("amount", ("amount", "value", "£", "gbp")),
    ("supplier", ("supplier", "vendor", "payee", "beneficiary", "creditor")),
    ("category", ("expense type", "category", "expenditure", "purpose")),
    ("department", ("department", "directorate", "service")),
    ("reference", ("reference", "transaction", "invoice")),
)

_REDACTED_NAMES = re.compile(
    r"redacted|personal data|withheld|private individual|data protection|"
    r"name removed|^\s*x{3,}\s*$|^\s*\*+\s*$",
    re.IGNORECASE,
)
# A totals line says so in a cell: a whole cell ("Total", "Grand total:"), or one that starts so
# on a line with no date ("Total for April").
_TOTAL = re.compile(r"^\s*(grand\s+)?(sub\s*-?\s*)?totals?\b|^\s*sum\s*$", re.IGNORECASE)
_TOTAL_CELL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?totals?\s*:?\s*$|^\s*sum\s*$", re.IGNORECASE)
_YES = frozenset({"y", "yes", "true", "1", "redacted", "x", "r"})
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm)?$", re.IGNORECASE)
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d/%b/%Y",
    "%d/%b/%y",
    "%d %B, %Y",
    "%Y%m%d",
)
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
EXCEL_EPOCH = date(1899, 12, 30)
HEADER_SEARCH_ROWS = 20
MAX_TEXT = 300


class FileUnreadable(ValueError):
    """The file is not a table this can read."""


@dataclass
class Table:
    encoding: str
    delimiter: str
    header_row: int  # 1-based row of the header line
    headers: list
    rows: list  # (row number, [cells]) below the header
    preamble: list = field(default_factory=list)  # (row number, [cells]) above it


@dataclass
class Row:
    row: int
    paid_on: date
    supplier_name: str | None  # None when redacted
    supplier_ref: str | None
    amount_pence: int
    category: str | None
    department: str | None
    reference: str | None
    redacted: bool


@dataclass
class Skipped:
    row: int
    last_row: int
    reason: str
    cells: list


# --- The file ----------------------------------------------------------------------------------


def decode(data):
    """(text, encoding name) of a spend file's bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with byte-order mark"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Windows: £ is the single byte A3.
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("latin-1"), "Latin-1"


def _sniff_delimiter(text):
    sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",\t;|"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_table(data):
    """The ``Table`` in a spend file's bytes. Raises FileUnreadable."""
    if not data or not data.strip():
        raise FileUnreadable("The file is empty")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable("The file must be a CSV file (this one looks like a spreadsheet)")
    text, encoding = decode(data)
    text = text.replace("\x00", "")
    delimiter = _sniff_delimiter(text)
    try:
        records = [
            (number, [cell.strip() for cell in cells])
            for number, cells in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            )
        ]
    except csv.Error as exc:
        raise FileUnreadable(f"The file is not a CSV file that can be read ({exc})") from None
    header_index = _header_index(records)
    if header_index is None:
        raise FileUnreadable(
            "No header line was found: the file needs a line naming its columns, such as "
            "‘Date’, ‘Supplier’ and ‘Amount’"
        )
    number, headers = records[header_index]
    return Table(
        encoding=encoding,
        delimiter=delimiter,
        header_row=number,
        headers=headers,
        rows=records[header_index + 1 :],
        preamble=[r for r in records[:header_index] if any(r[1])],
    )


def _header_index(records):
    """The first of the top rows that names at least two of date, supplier and amount; else the
    first row with two or more named cells."""
    fallback = None
    for index, (_number, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        named = [c for c in cells if c]
        if len(named) < 2:
            continue
        if fallback is None:
            fallback = index
        found = set(_guess(cells).keys())
        if len(found & set(REQUIRED)) >= 2:
            return index
    return fallback


# --- Which column holds what ----------------------------------------------------------------------


def heading_key(heading):
    text = (heading or "").lower().replace("£", " gbp ").replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _guess(headers):
    mapping = {}
    keys = [heading_key(h) for h in headers]
    for index, key in enumerate(keys):
        name = _ALIAS_FIELD.get(key)
        if name and name not in mapping:
            mapping[name] = index
    for name, words in _KEYWORDS:
        if name in mapping:
            continue
        for index, key in enumerate(keys):
            if index in mapping.values() or not key:
                continue
            spaced = f" {key} "
            if any(f" {heading_key(w) or w} " in spaced for w in words):
                mapping[name] = index
                break
    return mapping


def guess_mapping(headers, remembered=None):
    """{field: column index} for a file's headings: the buyer's remembered mapping (by heading)
    where its headings are here, then what the headings themselves say."""
    mapping = {}
    keys = [heading_key(h) for h in headers]
    for name, heading in (remembered or {}).items():
        if name in FIELDS and heading_key(heading) in keys:
            index = keys.index(heading_key(heading))
            if index not in mapping.values():
                mapping[name] = index
    for name, index in _guess(headers).items():
        if name not in mapping and index not in mapping.values():
            mapping[name] = index
    return mapping


def guess_id_kind(heading, remembered=None):
    key = heading_key(heading)
    if "vat" in key:
        return "vat"
    if "company" in key or "companies" in key:
        return "company"
    if "charity" in key:
        return "charity"
    return remembered if remembered in ID_KINDS else "internal"


def column_label(headers, index):
    """'Column C: Supplier Name', or 'Column F (no heading)'."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    heading = headers[index] if index < len(headers) else ""
    return f"Column {letters}: {heading}" if heading else f"Column {letters} (no heading)"


# --- Cells -----------------------------------------------------------------------------------


def parse_date(text):
    """A day from the ways councils write one (day first), or None."""
    text = _TIME.sub("", (text or "").strip()).strip()
    if not text:
        return None
    if re.fullmatch(r"[3-6]\d{4}(\.0+)?", text):
        # A spreadsheet's day number (days since 30 December 1899), saved without its format.
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if EARLIEST <= day <= LATEST else None
    if not re.search(r"\d", text) or not re.search(r"\d{2,4}\D*$", text):
        return None
    try:
        # A date with a part missing would take it from the default: two defaults that give
        # different days mean the text was not a whole date.
        first = dateutil_parser.parse(text, dayfirst=True, default=datetime(2001, 1, 1))
        second = dateutil_parser.parse(text, dayfirst=True, default=datetime(2002, 2, 2))
    except (ValueError, OverflowError):
        return None
    if first != second:
        return None
    day = first.date()
    return day if EARLIEST <= day <= LATEST else None


def parse_amount(text):
    """Pence from '£1,234.56', '1234.5 ', '-250', '(1,234.00)', '£(1,234.00)', '1,234.00 CR' or
    '1234-'; None if it is not an amount."""
    text = re.sub(r"\s+", "", (text or "").replace("\u00a0", " ")).upper()
    text = text.replace("GBP", "").replace("£", "")
    if not text:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    for suffix in ("CR", "-"):
        if text.endswith(suffix) and len(text) > len(suffix):
            negative, text = True, text[: -len(suffix)]
            break
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if not _AMOUNT.fullmatch(text):
        return None
    try:
        pounds = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    pence = int((pounds * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if pence > 10**15:
        return None
    return -pence if negative else pence


def is_yes(text):
    return (text or "").strip().lower() in _YES


def _clean(text, limit=MAX_TEXT):
    text = " ".join((text or "").split())
    return text[:limit] or None


# --- Rows ------------------------------------------------------------------------------------


def parse_rows(table, mapping):
    """Each row below the header as a ``Row`` or a ``Skipped`` (a run of blank rows is one
    ``Skipped``). ``mapping`` is {field: column index} and names at least the required fields."""
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise ValueError(f"the mapping has no column for {', '.join(missing)}")
    blank = None
    for number, cells in table.rows:
        if not any(cells):
            if blank is None:
                blank = Skipped(number, number, "A blank row", [])
            else:
                blank.last_row = number
            continue
        if blank is not None:
            yield blank
            blank = None
        yield parse_row(number, cells, mapping)
    if blank is not None:
        yield blank


def parse_row(number, cells, mapping):
    def cell(name):
        index = mapping.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def skip(reason):
        return Skipped(number, number, reason, list(cells))

    name, when, amount = cell("supplier").strip(), cell("date").strip(), cell("amount").strip()
    paid_on = parse_date(when)
    if any(_TOTAL_CELL.match(c) for c in cells if c) or (
        paid_on is None and any(_TOTAL.match(c) for c in cells if c)
    ):
        return skip("A totals row")
    if not when and not name:
        return skip("No date and no supplier")
    if paid_on is None:
        return skip(f"The date ‘{when}’ cannot be read" if when else "There is no date")
    pence = parse_amount(amount)
    if pence is None:
        return skip(f"The amount ‘{amount}’ cannot be read" if amount else "There is no amount")
    if pence == 0:
        return skip("The amount is £0.00")
    flagged = "redacted" in mapping and is_yes(cell("redacted"))
    redacted = flagged or bool(name and _REDACTED_NAMES.search(name))
    if not name and not redacted:
        return skip("There is no supplier name")
    return Row(
        row=number,
        paid_on=paid_on,
        supplier_name=None if redacted else _clean(name),
        supplier_ref=None if redacted else _clean(cell("supplier_id"), 60),
        amount_pence=pence,
        category=_clean(cell("category"), 200),
        department=_clean(cell("department"), 200),
        reference=_clean(cell("reference"), 100),
        redacted=redacted,
    )
