"""The debarment list: the operator loads it from CSV, and the service finds applicants and
members on it.

Loading replaces the whole list in one transaction, and only when every row is valid: a file with
any bad row loads nothing and says what is wrong, line by line. Matching compares an
organisation's company and charity numbers with the list's (normalised as Companies House and
the charity registers write them: upper case, no spaces, a company number padded with leading
zeros to 8 characters), then its legal and trading names, normalised (lower case, no
punctuation, without words like "Ltd", "CIC" or "the").

- A **definite** match (a number) on an entry in force today debars at once: the organisation is
  removed from every lot it holds with an email, its applications waiting for a decision are
  rejected, and it cannot be admitted (``standing.apply_exclusion``).
- A **possible** match (only the name) waits for the operator, who confirms it (the same
  debarment) or dismisses it with reasons. Until then the organisation cannot be admitted.

The list is checked when an application is submitted, when a supplier renews its
self-declaration, and whenever the list is loaded (every member and applicant). Each match is
recorded once per entry, so loading the same list again flags nobody twice.
"""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.organisations.identifiers import normalise_charity_number
from app.organisations.models import Organisation, OrganisationKind
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from dps.models import (
    Application,
    ApplicationStatus,
    DebarmentEntry,
    DebarmentMatch,
    LotMembership,
    MatchKind,
    MatchStatus,
)
from dps.permissions import require_operator
from dps.services.clock import today
from dps.services.standing import HELD, active_exclusion, apply_exclusion

COLUMNS = (
    "supplier_name",
    "company_number",
    "charity_number",
    "grounds",
    "from_date",
    "to_date",
)
REQUIRED_COLUMNS = ("supplier_name", "grounds", "from_date")
# Headings people write for the same column.
_COLUMN_ALIASES = {
    "name": "supplier_name",
    "supplier": "supplier_name",
    "from": "from_date",
    "to": "to_date",
    "company_no": "company_number",
    "charity_no": "charity_number",
}
# Problems listed on the page before "and N more".
SHOWN_PROBLEMS = 20

# Words that do not tell one organisation from another: legal forms and fillers.
_NAME_PHRASES = (
    "community interest company",
    "charitable incorporated organisation",
    "limited liability partnership",
    "public limited company",
)
_NAME_STOP_WORDS = frozenset(
    "the ltd limited cic cio plc llp charity co company inc incorporated".split()
)
_COMPANY = re.compile(r"([A-Z]{2})?(\d{1,8})")
WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION)
BASIS_LABELS = {
    "company_number": "company number",
    "charity_number": "charity number",
    "name": "name",
}


# --- Normalising --------------------------------------------------------------------------------


def company_key(value):
    """A company number as Companies House writes it: '1234567' -> '01234567', 'sc 12345' ->
    'SC012345'. None when it cannot be one."""
    number = re.sub(r"\s+", "", value or "").upper()
    match = _COMPANY.fullmatch(number)
    if not match:
        return None
    prefix, digits = match.group(1) or "", match.group(2)
    width = 8 - len(prefix)
    if len(digits) > width:
        return None
    return prefix + digits.zfill(width)


def charity_key(value):
    """A charity number as the registers write it ('sc 012345' -> 'SC012345'), or None."""
    return normalise_charity_number(value)


def name_key(value):
    """A name to compare: lower case, accents, punctuation and legal-form words taken out.
    'The Riverside Trust Ltd.' -> 'riverside trust'. Empty when nothing distinctive is left."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]", "", text.replace("&", " and "))
    text = re.sub(r"[^\w\s]|_", " ", text)
    for phrase in _NAME_PHRASES:
        text = re.sub(rf"\b{phrase}\b", " ", text)
    words = [w for w in text.split() if w not in _NAME_STOP_WORDS]
    while words and words[-1] == "and":  # "Smith & Co" -> "smith"
        words.pop()
    return " ".join(words)[:300]


# --- Reading a list -----------------------------------------------------------------------------


class DebarmentListError(ServiceError):
    """The file cannot be loaded. ``problems`` is every problem found, as (line, message); the
    message of the error itself is the first."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(self.messages()[0], "file")

    def messages(self):
        shown = [f"Line {line}: {message}" if line else message for line, message in self.problems]
        extra = len(shown) - SHOWN_PROBLEMS
        if extra > 0:
            shown = shown[:SHOWN_PROBLEMS] + [
                f"And {extra} more problem{'' if extra == 1 else 's'}: fix these and upload "
                "the file again"
            ]
        return shown


def _date(text):
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _column(heading):
    name = re.sub(r"[\s-]+", "_", (heading or "").strip().lower())
    return _COLUMN_ALIASES.get(name, name)


def parse_list(data):
    """The rows of a debarment list (CSV bytes, with a header line), each a dict of the
    columns ready to store. Raises DebarmentListError naming every problem by line."""
    if b"\x00" in data:
        raise DebarmentListError([(None, "The file must be a CSV file")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DebarmentListError(
            [(None, "The file must be a CSV file saved as UTF-8 (in Excel: CSV UTF-8)")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise DebarmentListError([(None, "The file is empty")])
        columns = [_column(h) for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise DebarmentListError(
                [
                    (
                        1,
                        "the header line must name the columns "
                        f"{', '.join(COLUMNS)} (missing: {', '.join(missing)})",
                    )
                ]
            )
        rows, problems = [], []
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                problems.append(
                    (
                        line,
                        f"it has {len(values)} values but the header names {len(columns)} columns",
                    )
                )
                continue
            row, row_problems = _parse_row(dict(zip(columns, values)))
            problems.extend((line, p) for p in row_problems)
            if not row_problems:
                rows.append({**row, "line_number": line})
    except csv.Error as exc:
        raise DebarmentListError([(reader.line_num, f"it is not valid CSV ({exc})")]) from None
    if problems:
        raise DebarmentListError(problems)
    if not rows:
        raise DebarmentListError([(None, "The file has no rows below its header line")])
    return rows


def _parse_row(raw):
    cell = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    problems = []
    name = cell["supplier_name"]
    if not name:
        problems.append("enter the supplier's name")
    elif len(name) > 300:
        problems.append("the supplier's name must be 300 characters or fewer")
    company = None
    if cell["company_number"]:
        company = company_key(cell["company_number"])
        if company is None:
            problems.append(
                f"company number ‘{cell['company_number']}’ is not a Companies House number "
                "(8 characters, like 01234567 or SC123456)"
            )
    charity = None
    if cell["charity_number"]:
        charity = charity_key(cell["charity_number"])
        if charity is None:
            problems.append(
                f"charity number ‘{cell['charity_number']}’ is not a charity number "
                "(like 1123456, SC012345 or NIC100001)"
            )
    if not cell["grounds"]:
        problems.append("enter the grounds for debarment")
    starts = _date(cell["from_date"])
    if not cell["from_date"]:
        problems.append("enter the date the debarment starts (from_date)")
    elif starts is None:
        problems.append(
            f"from date ‘{cell['from_date']}’ must be a real date, like 2026-03-01 or 01/03/2026"
        )
    ends = None
    if cell["to_date"]:
        ends = _date(cell["to_date"])
        if ends is None:
            problems.append(
                f"to date ‘{cell['to_date']}’ must be a real date, like 2029-02-28 or 28/02/2029"
            )
        elif starts is not None and ends < starts:
            problems.append("the to date must be the same as or after the from date")
    if name and not name_key(name) and company is None and charity is None:
        problems.append(
            "give a company or charity number, or a name that is more than a legal form"
        )
    return {
        "supplier_name": name,
        "name_key": name_key(name),
        "company_number": company,
        "charity_number": charity,
        "grounds": cell["grounds"],
        "from_date": starts,
        "to_date": ends,
    }, problems


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    rows: int
    replaced: int
    definite: list  # DebarmentMatch rows that debarred at once
    possible: list  # DebarmentMatch rows waiting for the operator


def load_list(actor, data, filename, *, from_command_line=False):
    """Replace the debarment list with the rows of ``data`` (CSV bytes), then check every member
    and applicant against it. All or nothing: a bad row loads nothing."""
    if not from_command_line:
        require_operator(actor, "Only the DPS operator can load the debarment list")
    filename = (filename or "").strip()[:255] or "debarment-list.csv"
    limit = current_app.config["DEBARMENT_LIST_MAX_BYTES"]
    if len(data) > limit:
        raise DebarmentListError(
            [(None, f"The file must be smaller than {limit // (1024 * 1024)} MB")]
        )
    rows = parse_list(data)
    now = utcnow()
    replaced = db.session.execute(sa.delete(DebarmentEntry)).rowcount
    db.session.add_all(
        DebarmentEntry(**row, loaded_at=now, source_filename=filename) for row in rows
    )
    db.session.flush()
    record(
        E.LOAD_DEBARMENT_LIST,
        subject_type="debarment_entries",
        actor=actor,
        detail={
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(rows),
            "replaced": replaced,
            "from_command_line": from_command_line,
        },
    )
    found = []
    for organisation in _organisations_to_check():
        found.extend(screen(organisation, "list_loaded"))
    commit()
    return LoadResult(
        rows=len(rows),
        replaced=replaced,
        definite=[m for m in found if m.kind == MatchKind.DEFINITE],
        possible=[m for m in found if m.kind == MatchKind.POSSIBLE],
    )


def _organisations_to_check():
    """Suppliers that hold a lot or wait for a decision: whom a change to the list concerns."""
    holding = sa.select(LotMembership.organisation_id).where(LotMembership.status.in_(HELD))
    waiting = sa.select(Application.organisation_id).where(Application.status.in_(WAITING))
    return (
        db.session.execute(
            sa.select(Organisation)
            .where(
                Organisation.kind == OrganisationKind.SUPPLIER,
                Organisation.id.in_(holding.union(waiting)),
            )
            .order_by(Organisation.id)
        )
        .scalars()
        .all()
    )


# --- Matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    entry: DebarmentEntry
    kind: MatchKind
    basis: str

    @property
    def key(self):
        if self.basis == "name":
            return f"name:{self.entry.name_key}:{self.entry.from_date.isoformat()}"
        number = getattr(self.entry, self.basis)
        return f"{self.basis}:{number}:{self.entry.from_date.isoformat()}"


def find(organisation, on=None):
    """Entries of the list in force on ``on`` (today) that match ``organisation``: by number
    (definite), else by name (possible). One result per entry."""
    on = on or today()
    company = company_key(organisation.company_number)
    charity = charity_key(organisation.charity_number)
    names = {name_key(n) for n in (organisation.name, organisation.trading_name) if n} - {""}
    conditions = [DebarmentEntry.name_key.in_(names)] if names else []
    if company:
        conditions.append(DebarmentEntry.company_number == company)
    if charity:
        conditions.append(DebarmentEntry.charity_number == charity)
    if not conditions:
        return []
    entries = (
        db.session.execute(
            sa.select(DebarmentEntry).where(sa.or_(*conditions)).order_by(DebarmentEntry.id)
        )
        .scalars()
        .all()
    )
    found = []
    for entry in entries:
        if not entry.is_current_on(on):
            continue
        if company and entry.company_number == company:
            found.append(Found(entry, MatchKind.DEFINITE, "company_number"))
        elif charity and entry.charity_number == charity:
            found.append(Found(entry, MatchKind.DEFINITE, "charity_number"))
        else:
            found.append(Found(entry, MatchKind.POSSIBLE, "name"))
    return found


def _recorded(organisation_id):
    return {
        m.match_key: m
        for m in db.session.execute(
            sa.select(DebarmentMatch).where(DebarmentMatch.organisation_id == organisation_id)
        ).scalars()
    }


def screen(organisation, found_when, on=None):
    """Record each new match of ``organisation`` on the list (part of the caller's transaction):
    a definite one debars it at once, a possible one waits for the operator. Returns the new
    DebarmentMatch rows."""
    recorded = _recorded(organisation.id)
    now = utcnow()
    new = []
    for hit in find(organisation, on):
        if hit.key in recorded:
            continue
        entry = hit.entry
        match = DebarmentMatch(
            organisation_id=organisation.id,
            match_key=hit.key,
            kind=hit.kind,
            basis=hit.basis,
            status=MatchStatus.PENDING,
            found_when=found_when,
            found_at=now,
            entry_name=entry.supplier_name,
            entry_company_number=entry.company_number,
            entry_charity_number=entry.charity_number,
            entry_grounds=entry.grounds,
            entry_from_date=entry.from_date,
            entry_to_date=entry.to_date,
            entry_source=entry.source_filename,
        )
        if hit.kind == MatchKind.DEFINITE:
            match.status = MatchStatus.CONFIRMED
            match.reviewed_at = now
            match.review_reason = (
                f"Its {BASIS_LABELS[hit.basis]} is on the debarment list: debarred at once"
            )
        db.session.add(match)
        db.session.flush()
        recorded[hit.key] = match
        record(
            E.FLAG_DEBARMENT_MATCH,
            subject=match,
            actor=None,
            organisation=organisation,
            detail={
                "kind": match.kind.value,
                "basis": match.basis,
                "found_when": found_when,
                "entry": entry.supplier_name,
                "entry_line": entry.line_number,
                "source": entry.source_filename,
            },
        )
        if hit.kind == MatchKind.DEFINITE:
            _debar(None, organisation, match)
        new.append(match)
    return new


def _debar(actor, organisation, match):
    """Debar ``organisation`` for ``match``, unless an exclusion already stands."""
    if active_exclusion(organisation.id) is not None:
        return None
    return apply_exclusion(
        actor,
        organisation,
        "debarred",
        debarment_reason(match),
        detail={"debarment_match_id": match.id, "basis": match.basis},
    )


def debarment_reason(match):
    until = f" until {format_date(match.entry_to_date)}" if match.entry_to_date else ""
    return (
        f"It is on the debarment list as ‘{match.entry_name}’ from "
        f"{format_date(match.entry_from_date)}{until}. Grounds: {match.entry_grounds}"
    )


# --- The operator reviews a possible match ------------------------------------------------------


def _review(admin, match, reason):
    require_operator(admin, "Only the DPS operator can review debarment matches")
    if match.status != MatchStatus.PENDING:
        raise Conflict("This match has already been reviewed")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reasons for your decision", "reason")
    match.reviewed_at = utcnow()
    match.reviewed_by_id = admin.id
    match.review_reason = reason
    return reason


def confirm_match(admin, match, reason):
    """The organisation is the one on the list: it is debarred (removed from every lot, with an
    email) and cannot be admitted."""
    reason = _review(admin, match, reason)
    match.status = MatchStatus.CONFIRMED
    record(
        E.CONFIRM_DEBARMENT_MATCH,
        subject=match,
        actor=admin,
        organisation_id=match.organisation_id,
        detail={"reason": reason, "entry": match.entry_name},
    )
    _debar(admin, match.organisation, match)
    commit()
    return match


def dismiss_match(admin, match, reason):
    """The organisation is not the one on the list; the same entry is not flagged for it again."""
    reason = _review(admin, match, reason)
    match.status = MatchStatus.DISMISSED
    record(
        E.DISMISS_DEBARMENT_MATCH,
        subject=match,
        actor=admin,
        organisation_id=match.organisation_id,
        detail={"reason": reason, "entry": match.entry_name},
    )
    commit()
    return match


# --- Admission ----------------------------------------------------------------------------------


def admission_problem(organisation, on=None):
    """Why the list stops ``organisation`` being admitted today, or None: a definite match in
    force, or a possible match the operator has not dismissed."""
    recorded = _recorded(organisation.id)
    for hit in find(organisation, on):
        where = f"‘{hit.entry.supplier_name}’ (from {format_date(hit.entry.from_date)})"
        if hit.kind == MatchKind.DEFINITE:
            return (
                f"{organisation.display_name} cannot be admitted: its "
                f"{BASIS_LABELS[hit.basis]} is on the debarment list as {where}"
            )
        match = recorded.get(hit.key)
        if match is None or match.status == MatchStatus.PENDING:
            return (
                f"{organisation.display_name} may be on the debarment list as {where}. "
                "Confirm or dismiss the match before you admit it"
            )
        if match.status == MatchStatus.CONFIRMED:
            return f"{organisation.display_name} cannot be admitted: it is on the debarment list"
    return None


# --- Reads for the pages ------------------------------------------------------------------------


@dataclass
class ListSummary:
    rows: int
    loaded_at: datetime | None
    source_filename: str | None
    in_force: int


def list_summary(on=None):
    on = on or today()
    current = sa.and_(
        DebarmentEntry.from_date <= on,
        sa.or_(DebarmentEntry.to_date.is_(None), DebarmentEntry.to_date >= on),
    )
    rows, in_force, loaded_at, source = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(current),
            sa.func.max(DebarmentEntry.loaded_at),
            sa.func.max(DebarmentEntry.source_filename),
        )
    ).one()
    return ListSummary(rows=rows, loaded_at=loaded_at, source_filename=source, in_force=in_force)


def waiting_matches():
    return (
        db.session.execute(
            sa.select(DebarmentMatch)
            .where(DebarmentMatch.status == MatchStatus.PENDING)
            .order_by(DebarmentMatch.found_at, DebarmentMatch.id)
        )
        .scalars()
        .all()
    )


def recent_matches(limit=20):
    return (
        db.session.execute(
            sa.select(DebarmentMatch)
            .where(DebarmentMatch.status != MatchStatus.PENDING)
            .order_by(DebarmentMatch.reviewed_at.desc(), DebarmentMatch.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )


def matches_for(organisation_id):
    return (
        db.session.execute(
            sa.select(DebarmentMatch)
            .where(DebarmentMatch.organisation_id == organisation_id)
            .order_by(DebarmentMatch.found_at.desc(), DebarmentMatch.id.desc())
        )
        .scalars()
        .all()
    )


def match(match_id):
    return db.session.get(DebarmentMatch, match_id)


def entries(limit=None):
    stmt = sa.select(DebarmentEntry).order_by(DebarmentEntry.line_number)
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).scalars().all()
