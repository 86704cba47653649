"""The rules and state changes of spend: uploading a spend file, choosing its columns,
importing it (whole or not at all), the spend a DPS contract adds, the review queue, and the
buyer's area. Each service function is one transaction, audited."""

import enum
import hashlib
import itertools
import logging
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.queue import enqueue
from app.reference import geography
from app.timeutil import format_date, to_local, utcnow
from app.unitofwork import after_commit, commit
from lots.awards.contracts import add_months
from lots.awards.models import Contract
from spend import parsing, summaries
from spend.matching import Matcher, supplier_key
from spend.models import (
    ImportStatus,
    MatchMethod,
    MatchStatus,
    SpendImport,
    SpendLine,
    SpendSettings,
    SpendSource,
)
from spend.permissions import require_manage_spend, require_review_matches

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between progress updates
INSERT_CHUNK = 5000
STORED_SKIPPED = 5000  # skipped rows kept for the page and the CSV; the count is always whole
STALE_IMPORT = timedelta(minutes=30)  # an import "importing" this long has lost its worker
CHECK_ROWS = 500  # rows read to check the columns chosen before importing


def settings_of(buyer_id):
    return db.session.get(SpendSettings, buyer_id) or SpendSettings(
        buyer_id=buyer_id, mapping={}, area_codes=[]
    )


# --- Uploading and choosing columns ---------------------------------------------------------------


def upload_file(user, buyer, filename, data):
    """Keep an uploaded spend file and guess its columns; the buyer confirms them next."""
    require_manage_spend(user, buyer.id)
    limit = current_app.config["SPEND_FILE_MAX_BYTES"]
    if len(data) > limit:
        raise ServiceError(f"The file must be smaller than {limit // (1024 * 1024)} MB", "file")
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = db.session.execute(
        sa.select(SpendImport)
        .where(
            SpendImport.buyer_id == buyer.id,
            SpendImport.sha256 == sha256,
            SpendImport.status == ImportStatus.IMPORTED,
        )
        .limit(1)
    ).scalar_one_or_none()
    if earlier is not None:
        raise Conflict(
            f"This file was imported on {format_date(to_local(earlier.finished_at).date())} "
            f"(‘{earlier.filename}’). Importing it again would change nothing",
            "file",
        )
    try:
        table = parsing.read_table(data)
    except parsing.FileUnreadable as exc:
        raise ServiceError(str(exc), "file") from None
    settings = settings_of(buyer.id)
    mapping = parsing.guess_mapping(table.headers, settings.mapping)
    id_kind = None
    if "supplier_id" in mapping:
        id_kind = parsing.guess_id_kind(table.headers[mapping["supplier_id"]], settings.id_kind)
    spend_import = SpendImport(
        buyer_id=buyer.id,
        filename=(filename or "").strip()[:255] or "spend.csv",
        sha256=sha256,
        size_bytes=len(data),
        content=data,
        encoding=table.encoding,
        header_row=table.header_row,
        headers=table.headers,
        mapping={name: index for name, index in mapping.items()},
        id_kind=id_kind,
        status=ImportStatus.MAPPING,
        uploaded_by_id=user.id,
        rows_total=len(table.rows),
    )
    db.session.add(spend_import)
    db.session.flush()
    record(
        E.UPLOAD_SPEND_FILE,
        subject=spend_import,
        actor=user,
        organisation_id=buyer.id,
        detail={"filename": spend_import.filename, "sha256": sha256, "bytes": len(data)},
    )
    commit()
    return spend_import


def _check_mapping(table, mapping, id_kind):
    for name in parsing.REQUIRED:
        if mapping.get(name) is None:
            raise ServiceError(
                f"Choose the column that holds the {parsing.FIELDS[name].lower()}", name
            )
    used = {}
    for name, index in mapping.items():
        if index is None:
            continue
        if not 0 <= index < len(table.headers):
            raise ServiceError("Choose one of the file's columns", name)
        if index in used:
            raise ServiceError(
                f"{parsing.FIELDS[name]} and {parsing.FIELDS[used[index]].lower()} cannot both be "
                f"{parsing.column_label(table.headers, index)}",
                name,
            )
        used[index] = name
    if mapping.get("supplier_id") is not None and id_kind not in parsing.ID_KINDS:
        raise ServiceError("Say what the supplier numbers are", "id_kind")


def preview(spend_import, mapping, limit=5):
    """The first rows as they would be read with ``mapping``, and the number of rows skipped."""
    table = parsing.read_table(spend_import.content)
    rows, skipped = [], 0
    for item in parsing.parse_rows(table, mapping):
        if isinstance(item, parsing.Row):
            if len(rows) < limit:
                rows.append(item)
        else:
            skipped += 1
    return rows, skipped


def choose_columns(user, spend_import, mapping, id_kind=None):
    """Confirm which column holds what, remember it for the buyer's next file, and import the
    file: at once when it is small, by a background job when it is large."""
    require_manage_spend(user, spend_import.buyer_id)
    if spend_import.status != ImportStatus.MAPPING:
        raise Conflict("This file's columns have already been chosen", "date")
    mapping = {name: index for name, index in mapping.items() if index is not None}
    table = parsing.read_table(spend_import.content)
    _check_mapping(table, mapping, id_kind)
    # Enough to know the columns read (the import lists every row it leaves out).
    head = itertools.islice(parsing.parse_rows(table, mapping), CHECK_ROWS)
    if not any(isinstance(item, parsing.Row) for item in head):
        raise ServiceError(
            "None of the rows can be read with these columns: check the date, supplier and "
            "amount columns",
            "date",
        )
    spend_import.mapping = mapping
    spend_import.id_kind = id_kind if "supplier_id" in mapping else None
    spend_import.status = ImportStatus.QUEUED
    settings = settings_of(spend_import.buyer_id)
    settings.mapping = {name: table.headers[index] for name, index in mapping.items()}
    settings.id_kind = spend_import.id_kind or settings.id_kind
    settings.updated_at = utcnow()
    db.session.add(settings)
    record(
        E.CHOOSE_SPEND_COLUMNS,
        subject=spend_import,
        actor=user,
        organisation_id=spend_import.buyer_id,
        detail={"mapping": settings.mapping, "id_kind": spend_import.id_kind},
    )
    background = spend_import.rows_total >= current_app.config["SPEND_BACKGROUND_ROWS"]
    if background:
        after_commit(enqueue, run_import, spend_import.id, job_id=f"spend-import-{spend_import.id}")
    commit()
    if not background:
        run_import(spend_import.id)
    return spend_import


def discard_import(user, spend_import):
    require_manage_spend(user, spend_import.buyer_id)
    if spend_import.status != ImportStatus.MAPPING:
        raise Conflict("Only a file waiting for its columns can be cancelled", "file")
    spend_import.status = ImportStatus.DISCARDED
    spend_import.finished_at = utcnow()
    record(
        E.DISCARD_SPEND_FILE,
        subject=spend_import,
        actor=user,
        organisation_id=spend_import.buyer_id,
        detail={"filename": spend_import.filename},
    )
    commit()


# --- Importing ------------------------------------------------------------------------------


def fingerprint(buyer_id, row, occurrence):
    """What makes a payment the same payment: a file imported again (or another file with the
    same payments in it) adds nothing. The n-th identical row of a file is its own payment."""
    parts = (
        str(buyer_id),
        row.paid_on.isoformat(),
        supplier_key(row.supplier_name) if row.supplier_name else "(redacted)",
        str(row.amount_pence),
        row.reference or "",
        row.category or "",
        row.department or "",
        (row.supplier_ref or "").upper(),
        str(occurrence),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _report_progress(import_id, rows_done):
    """Written apart from the import's own transaction (which commits only at the end), so the
    page can show how far it has got. PostgreSQL only: SQLite would wait on the open write."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(SpendImport).where(SpendImport.id == import_id).values(rows_done=rows_done)
        )


def run_import(import_id):
    """Job: import a spend file whose columns are chosen. Safe to run again: only a queued
    import is started, and its lines go in as one transaction, or none do."""
    claimed = db.session.execute(
        sa.update(SpendImport)
        .where(SpendImport.id == import_id, SpendImport.status == ImportStatus.QUEUED)
        .values(status=ImportStatus.IMPORTING, started_at=utcnow(), rows_done=0)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    spend_import = db.session.get(SpendImport, import_id)
    try:
        _import(spend_import)
        commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("spend import %s failed", import_id)
        spend_import = db.session.get(SpendImport, import_id)
        spend_import.status = ImportStatus.FAILED
        spend_import.finished_at = utcnow()
        spend_import.error = "The import stopped before it finished, so nothing was imported"
        record(
            E.FAIL_SPEND_IMPORT,
            subject=spend_import,
            organisation_id=spend_import.buyer_id,
            detail={"error": type(exc).__name__},
        )
        commit()
        return False
    return True


def _import(spend_import):
    table = parsing.read_table(spend_import.content)
    buyer_id = spend_import.buyer_id
    matcher = Matcher(buyer_id)
    seen = Counter()
    lines, skipped, skipped_count = [], [], 0
    for done, item in enumerate(parsing.parse_rows(table, spend_import.mapping), start=1):
        if done % PROGRESS_EVERY == 0:
            _report_progress(spend_import.id, min(item.row - table.header_row, len(table.rows)))
        if isinstance(item, parsing.Skipped):
            skipped_count += item.last_row - item.row + 1
            if len(skipped) < STORED_SKIPPED:
                skipped.append(
                    {
                        "row": item.row,
                        "last_row": item.last_row,
                        "reason": item.reason,
                        "cells": item.cells[:30],
                    }
                )
            continue
        content = fingerprint(buyer_id, item, 0)
        seen[content] += 1
        org_id, method = (
            (None, MatchMethod.NONE)
            if item.redacted
            else matcher.match(item.supplier_name, item.supplier_ref, spend_import.id_kind)
        )
        lines.append(
            {
                "buyer_id": buyer_id,
                "source": SpendSource.UPLOAD,
                "import_id": spend_import.id,
                "row_number": item.row,
                "paid_on": item.paid_on,
                "amount_pence": item.amount_pence,
                "supplier_name": item.supplier_name,
                "supplier_key": supplier_key(item.supplier_name) or None,
                "supplier_ref": item.supplier_ref,
                "redacted": item.redacted,
                "organisation_id": org_id,
                "match_method": method,
                "category": item.category,
                "department": item.department,
                "reference": item.reference,
                "fingerprint": fingerprint(buyer_id, item, seen[content] - 1),
                "created_at": utcnow(),
            }
        )
    held = set()
    prints = [line["fingerprint"] for line in lines]
    for start in range(0, len(prints), INSERT_CHUNK):
        held.update(
            db.session.execute(
                sa.select(SpendLine.fingerprint).where(
                    SpendLine.buyer_id == buyer_id,
                    SpendLine.fingerprint.in_(prints[start : start + INSERT_CHUNK]),
                )
            ).scalars()
        )
    new = [line for line in lines if line["fingerprint"] not in held]
    db.session.flush()  # the matcher's new SupplierMatch rows
    _insert_lines(new)
    summaries.refresh(buyer_id)
    amounts = [line["amount_pence"] for line in new]
    positive = [a for a in amounts if a > 0]
    spend_import.status = ImportStatus.IMPORTED
    spend_import.finished_at = utcnow()
    spend_import.rows_done = len(table.rows)
    spend_import.lines_imported = len(new)
    spend_import.lines_already_held = len(lines) - len(new)
    spend_import.lines_redacted = sum(1 for line in new if line["redacted"])
    spend_import.spend_pence = sum(amounts)
    spend_import.first_paid_on = min((line["paid_on"] for line in new), default=None)
    spend_import.last_paid_on = max((line["paid_on"] for line in new), default=None)
    spend_import.smallest_payment_pence = min(positive, default=None)
    spend_import.skipped = skipped
    spend_import.error = None
    pending = sum(1 for m in matcher.new_matches if m.status == MatchStatus.PENDING)
    record(
        E.IMPORT_SPEND_FILE,
        subject=spend_import,
        organisation_id=buyer_id,
        detail={
            "lines": len(new),
            "already_held": len(lines) - len(new),
            "skipped_rows": skipped_count,
            "spend_pence": spend_import.spend_pence,
            "matches_to_review": pending,
        },
    )


_COPIED = (
    "buyer_id",
    "source",
    "import_id",
    "row_number",
    "paid_on",
    "amount_pence",
    "supplier_name",
    "supplier_key",
    "supplier_ref",
    "redacted",
    "organisation_id",
    "match_method",
    "category",
    "department",
    "reference",
    "fingerprint",
    "created_at",
)


def _insert_lines(lines):
    """Insert spend lines in the session's own transaction: by COPY on PostgreSQL (a hundred
    thousand lines in seconds), in batches elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(lines), INSERT_CHUNK):
            db.session.execute(sa.insert(SpendLine), lines[start : start + INSERT_CHUNK])
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY spend_lines ({', '.join(_COPIED)}) FROM STDIN") as copy:
            for line in lines:
                copy.write_row(
                    [
                        value.value if isinstance(value, enum.Enum) else value
                        for value in (line[name] for name in _COPIED)
                    ]
                )


def skipped_rows_count(spend_import):
    return sum(item["last_row"] - item["row"] + 1 for item in spend_import.skipped or [])


def recover_imports(now, idle):
    """Recoverer (``app.recovery``): queue again the imports queued while Redis was down, and
    those whose worker died (an import's lines commit together, so a dead one left none). Safe
    at any time: a second run of a job finds its import no longer queued and does nothing."""
    stale_before = now - max(idle, STALE_IMPORT)
    db.session.execute(
        sa.update(SpendImport)
        .where(SpendImport.status == ImportStatus.IMPORTING, SpendImport.started_at < stale_before)
        .values(status=ImportStatus.QUEUED)
    )
    db.session.commit()
    waiting = db.session.execute(
        sa.select(SpendImport.id).where(SpendImport.status == ImportStatus.QUEUED)
    ).scalars()
    count = 0
    for import_id in waiting:
        enqueue(run_import, import_id, job_id=f"spend-import-{import_id}")
        count += 1
    return count


# --- Contracts awarded through the DPS ------------------------------------------------------------


def contract_months(contract):
    """(day, pence) for each month of a contract: its value spread evenly over them, the odd
    pence on the first months, so that they add up to the value exactly."""
    days, i = [], 0
    while True:
        day = add_months(contract.start_date, i)
        if day > contract.end_date:
            break
        days.append(day)
        i += 1
    days = days or [contract.start_date]
    base, extra = divmod(contract.value_pence, len(days))
    return [(day, base + (1 if n < extra else 0)) for n, day in enumerate(days)]


def add_contract_spend(contract):
    """Hook (``lots.awards.hooks``): a contract entered adds its months to its buyer's spend,
    in the contract's own transaction. Nothing if they are there already."""
    exists = db.session.execute(
        sa.select(SpendLine.id).where(SpendLine.contract_id == contract.id).limit(1)
    ).first()
    if exists:
        return 0
    supplier = contract.supplier
    lot = contract.opportunity.lot if contract.opportunity is not None else None
    lines = [
        SpendLine(
            buyer_id=contract.buyer_id,
            source=SpendSource.DPS_CONTRACT,
            contract_id=contract.id,
            paid_on=day,
            amount_pence=pence,
            supplier_name=supplier.name,
            supplier_key=supplier_key(supplier.name),
            organisation_id=supplier.id,
            match_method=MatchMethod.CONTRACT,
            category=lot.title if lot is not None else None,
            reference=contract.opportunity.reference if contract.opportunity else None,
            fingerprint=hashlib.sha256(f"contract:{contract.id}:{n}".encode()).hexdigest(),
        )
        for n, (day, pence) in enumerate(contract_months(contract))
        if pence
    ]
    db.session.add_all(lines)
    summaries.refresh(contract.buyer_id, {supplier_key(supplier.name)})
    record(
        E.ADD_CONTRACT_SPEND,
        subject=contract,
        organisation_id=contract.buyer_id,
        detail={"lines": len(lines), "value_pence": contract.value_pence},
    )
    return len(lines)


def sync_contract_spend():
    """Add the spend of every contract that has none yet (contracts entered before spend
    analysis, or by a copy without the hook). Safe to run again."""
    missing = (
        db.session.execute(
            sa.select(Contract)
            .where(~sa.exists().where(SpendLine.contract_id == Contract.id))
            .order_by(Contract.id)
        )
        .scalars()
        .all()
    )
    for contract in missing:
        add_contract_spend(contract)
    commit()
    return len(missing)


# --- The review queue ---------------------------------------------------------------------------


def _decide(user, match, accept):
    require_review_matches(user, match.buyer_id)
    if match.status != MatchStatus.PENDING:
        raise Conflict("This match has already been decided", "decision")
    match.status = MatchStatus.MATCHED if accept else MatchStatus.REJECTED
    match.method = MatchMethod.REVIEW if accept else MatchMethod.NONE
    match.decided_by_id = user.id
    match.decided_at = utcnow()
    lines = 0
    if accept:
        lines = db.session.execute(
            sa.update(SpendLine)
            .where(
                SpendLine.buyer_id == match.buyer_id,
                SpendLine.supplier_key == match.supplier_key,
                SpendLine.organisation_id.is_(None),
                SpendLine.redacted.is_(False),
            )
            .values(organisation_id=match.organisation_id, match_method=MatchMethod.REVIEW)
        ).rowcount
        summaries.refresh(match.buyer_id, {match.supplier_key})
    record(
        E.ACCEPT_SUPPLIER_MATCH if accept else E.REJECT_SUPPLIER_MATCH,
        subject=match,
        actor=user,
        organisation_id=match.buyer_id,
        detail={
            "supplier_name": match.supplier_name,
            "organisation_id": match.organisation_id,
            "score": match.score,
            "lines": lines,
        },
    )
    commit()
    return lines


def accept_match(user, match):
    """The supplier name is this organisation: its spend lines (of this buyer) say so."""
    return _decide(user, match, accept=True)


def reject_match(user, match):
    """The supplier name is not this organisation: its lines stay unclassified."""
    return _decide(user, match, accept=False)


# --- The buyer's area -----------------------------------------------------------------------------


def set_area(user, buyer, codes):
    """The local authorities whose districts count as local to ``buyer`` (none: its own)."""
    require_manage_spend(user, buyer.id)
    codes = sorted({(c or "").strip().upper() for c in codes if (c or "").strip()})
    for code in codes:
        if geography.local_authority(code) is None:
            raise ServiceError("Choose local authorities from the list", "area_codes")
    settings = settings_of(buyer.id)
    settings.area_codes = codes
    settings.updated_at = utcnow()
    db.session.add(settings)
    record(
        E.SET_SPEND_AREA,
        subject_type="organisations",
        subject_id=buyer.id,
        actor=user,
        organisation_id=buyer.id,
        detail={"area_codes": codes},
    )
    commit()
