"""Managing the measures: the operator adds one, retires one (a measure used anywhere is never
deleted), imports its own licensed measures and proxy values from a CSV file (whole or nothing,
with every bad line named), and sets or removes a proxy value (£ per unit, with its source,
year and licence). Each function is one transaction, audited."""

import csv
import io
import re
from decimal import Decimal

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.measures import open_list
from app.measures.models import (
    AGGREGATIONS,
    DIRECTIONS,
    UNITS,
    VALUE_TYPES,
    MeasureStatus,
    SocialValueMeasure,
    SocialValueProxy,
)
from app.permissions import is_admin
from app.timeutil import utcnow
from app.unitofwork import commit

ID_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{1,19}")
KEY_PATTERN = re.compile(r"(M[1-5]|T[1-5]\.[1-9])")
MAX_IMPORT_BYTES = 1024 * 1024
SHOWN_PROBLEMS = 20
UNIT_WORDS = {"people": "people", "fte": "FTE", "hours": "hours", "£": "£", "%": "%"}


def require_operator(user):
    if not is_admin(user):
        raise NotAllowed("Only the DPS operator can change the social value measures")


# --- Checking a measure -------------------------------------------------------------------------


def check_fields(fields):
    """The measure's fields, cleaned, and the problems found as [(field, message)]. Accepts the
    open list's own words (integer, snapshot, higher, GBP ...) as well as the table's."""
    f = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    problems = []
    measure_id = (f.get("id") or "").upper()
    if not ID_PATTERN.fullmatch(measure_id):
        problems.append(
            ("id", "Enter an id of 2 to 20 capital letters, digits and hyphens, like LA-EMP-01")
        )
    if not f.get("name"):
        problems.append(("name", "Enter what the measure counts, in a few words"))
    elif len(f["name"]) > 200:
        problems.append(("name", "The measure’s wording must be 200 characters or fewer"))
    unit, unit_label = open_list.unit_of(f.get("unit"))
    unit = UNIT_WORDS.get(unit.lower(), unit) if unit else unit
    if f.get("unit_label"):
        unit_label = f["unit_label"]
    if unit not in UNITS:
        problems.append(("unit", f"Choose the unit: {', '.join(UNITS)}"))
    value_type = open_list.VALUE_TYPES.get(f.get("value_type"), f.get("value_type"))
    if value_type not in VALUE_TYPES:
        problems.append(("value_type", f"Choose the value type: {', '.join(VALUE_TYPES)}"))
    aggregation = open_list.AGGREGATIONS.get(f.get("aggregation"), f.get("aggregation"))
    if aggregation not in AGGREGATIONS:
        problems.append(("aggregation", f"Choose how periods add up: {', '.join(AGGREGATIONS)}"))
    elif value_type == "percentage" and aggregation == "sum":
        problems.append(
            ("aggregation", "A percentage is a level or a share: periods cannot be added up")
        )
    direction = open_list.DIRECTIONS.get(f.get("direction"), f.get("direction") or "more")
    if direction not in DIRECTIONS:
        problems.append(("direction", "Say whether more or less is better"))
    keys = {}
    for name in ("ppn002_missions", "ppn0620_outcomes"):
        found = (f.get(name) or "").replace(",", " ").split()
        allowed = "M" if name == "ppn002_missions" else "T"
        if any(not KEY_PATTERN.fullmatch(k) or k[0] != allowed for k in found):
            problems.append(
                (
                    name,
                    "Enter PPN 002 missions as M1 to M5"
                    if allowed == "M"
                    else "Enter PPN 06/20 outcomes as T1.1 to T5.2",
                )
            )
        keys[name] = " ".join(found)
    cleaned = {
        "id": measure_id,
        "name": f.get("name") or "",
        "definition": f.get("definition") or "",
        "unit": unit,
        "unit_label": unit_label or None,
        "value_type": value_type,
        "aggregation": aggregation,
        "direction": direction,
        "evidence": f.get("evidence") or "",
        "asks_postcode_sectors": bool(f.get("asks_postcode_sectors")),
        "source": f.get("source") or "",
        "licence": f.get("licence") or "",
        **keys,
    }
    if not cleaned["source"]:
        problems.append(("source", "Say where the measure comes from"))
    return cleaned, problems


def add_measure(user, fields):
    """The operator adds a measure: offered to buyers at once."""
    require_operator(user)
    cleaned, problems = check_fields(fields)
    if problems:
        raise ServiceError(problems[0][1], problems[0][0])
    if db.session.get(SocialValueMeasure, cleaned["id"]) is not None:
        raise ServiceError(f"There is already a measure {cleaned['id']}", "id")
    row = SocialValueMeasure(**cleaned, status=MeasureStatus.ACTIVE, created_at=utcnow())
    db.session.add(row)
    record(
        E.ADD_SOCIAL_VALUE_MEASURE,
        subject_type="social_value_measures",
        actor=user,
        detail={"measure_id": row.id, "name": row.name, "source": row.source},
    )
    commit()
    return row


def is_used(measure_id):
    """A commitment, a call-off, a place's shared priorities, a community wish or a proxy value
    names it."""
    for table in ("social_value_commitments", "place_priorities", "wishes"):
        named = sa.text(f"SELECT 1 FROM {table} WHERE measure_id = :m LIMIT 1")
        if db.session.execute(named, {"m": measure_id}).first():
            return True
    if db.session.get(SocialValueProxy, measure_id) is not None:
        return True
    lists = db.session.execute(sa.text("SELECT social_value_measures FROM opportunities")).scalars()
    return any(measure_id in (ids if isinstance(ids, list) else _json(ids)) for ids in lists)


def _json(text):
    import json

    try:
        return json.loads(text or "[]")
    except ValueError:
        return []


def retire_measure(user, measure_id):
    """Offered to nobody from now on; call-offs, bids and contracts that use it keep it."""
    require_operator(user)
    row = db.session.get(SocialValueMeasure, measure_id)
    if row is None:
        raise ServiceError("There is no such measure", "measure")
    if row.status == MeasureStatus.RETIRED:
        raise ServiceError(f"{row.id} is already retired", "measure")
    row.status = MeasureStatus.RETIRED
    row.retired_at = utcnow()
    record(
        E.RETIRE_SOCIAL_VALUE_MEASURE,
        subject_type="social_value_measures",
        actor=user,
        detail={"measure_id": row.id},
    )
    commit()
    return row


def reinstate_measure(user, measure_id):
    require_operator(user)
    row = db.session.get(SocialValueMeasure, measure_id)
    if row is None or row.status != MeasureStatus.RETIRED:
        raise ServiceError("Only a retired measure can be offered again", "measure")
    row.status = MeasureStatus.ACTIVE
    row.retired_at = None
    record(
        E.REINSTATE_SOCIAL_VALUE_MEASURE,
        subject_type="social_value_measures",
        actor=user,
        detail={"measure_id": row.id},
    )
    commit()
    return row


def delete_measure(user, measure_id):
    """Only a measure nothing uses (one added by mistake); anything else is retired instead.
    The database refuses too: commitments and proxies hold foreign keys to it, and on
    PostgreSQL a trigger refuses while a call-off names it."""
    require_operator(user)
    row = db.session.get(SocialValueMeasure, measure_id)
    if row is None:
        raise ServiceError("There is no such measure", "measure")
    if is_used(measure_id):
        raise ServiceError(
            f"{row.id} is used by a call-off or a contract, so it cannot be deleted. "
            "Retire it instead",
            "measure",
        )
    db.session.delete(row)
    record(
        E.DELETE_SOCIAL_VALUE_MEASURE,
        subject_type="social_value_measures",
        actor=user,
        detail={"measure_id": measure_id},
    )
    commit()


# --- Proxy values -------------------------------------------------------------------------------


def parse_pounds_per_unit(text):
    """'£14.43' -> Decimal('1443.00') pence; up to 4 decimal places of a pound. None if not."""
    cleaned = (text or "").replace(",", "").replace("£", "").strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,4})?|\.[0-9]{1,4}", cleaned):
        return None
    pence = Decimal(cleaned) * 100
    if pence <= 0 or pence >= Decimal(10) ** 12:
        return None
    return pence.quantize(Decimal("0.01"))


def check_proxy(measure, pounds, source, year, licence=""):
    """(cleaned values, [(field, message)])."""
    problems = []
    if measure.value_type == "percentage":
        problems.append(
            ("pounds", "A percentage is a level or a share: it has no money value per unit")
        )
    pence = parse_pounds_per_unit(pounds)
    if pence is None:
        problems.append(("pounds", "Enter the value of one unit in pounds, like £14.43 or £0.25"))
    source = (source or "").strip()
    if not source:
        problems.append(("source", "Enter where the value comes from"))
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not 1990 <= year <= 2100:
        problems.append(("year", "Enter the year the value is for, like 2025"))
    return {
        "pence_per_unit": pence,
        "source": source,
        "year": year,
        "licence": (licence or "").strip(),
    }, problems


def set_proxy(user, measure_id, pounds, source, year, licence=""):
    require_operator(user)
    measure = db.session.get(SocialValueMeasure, measure_id)
    if measure is None:
        raise ServiceError("There is no such measure", "measure")
    values, problems = check_proxy(measure, pounds, source, year, licence)
    if problems:
        raise ServiceError(problems[0][1], problems[0][0])
    proxy = _write_proxy(user, measure.id, values)
    commit()
    return proxy


def _write_proxy(user, measure_id, values):
    proxy = db.session.get(SocialValueProxy, measure_id)
    before = None
    if proxy is None:
        proxy = SocialValueProxy(measure_id=measure_id)
        db.session.add(proxy)
    else:
        before = {"pence_per_unit": str(proxy.pence_per_unit), "source": proxy.source}
    for key, value in values.items():
        setattr(proxy, key, value)
    proxy.set_by_id = user.id
    proxy.set_at = utcnow()
    record(
        E.SET_SOCIAL_VALUE_PROXY,
        subject_type="social_value_proxies",
        actor=user,
        detail={
            "measure_id": measure_id,
            "pence_per_unit": str(values["pence_per_unit"]),
            "source": values["source"],
            "year": values["year"],
            "before": before,
        },
    )
    return proxy


def remove_proxy(user, measure_id):
    require_operator(user)
    proxy = db.session.get(SocialValueProxy, measure_id)
    if proxy is None:
        raise ServiceError("That measure has no proxy value", "measure")
    db.session.delete(proxy)
    record(
        E.REMOVE_SOCIAL_VALUE_PROXY,
        subject_type="social_value_proxies",
        actor=user,
        detail={"measure_id": measure_id, "pence_per_unit": str(proxy.pence_per_unit)},
    )
    commit()


# --- Importing an operator's own list -----------------------------------------------------------

# The columns of an import file: the open list's, and the proxy value's.
COLUMNS = {
    "measure_id": "id",
    "measure": "name",
    "definition": "definition",
    "unit": "unit",
    "unit_label": "unit_label",
    "value_type": "value_type",
    "aggregation": "aggregation",
    "direction": "direction",
    "svm_ppn002_missions": "ppn002_missions",
    "svm_ppn0620_outcomes": "ppn0620_outcomes",
    "evidence_examples": "evidence",
}
PROXY_COLUMNS = ("proxy_gbp_per_unit", "proxy_source", "proxy_year", "proxy_licence")
REQUIRED = ("measure_id",)


class ImportError_(ServiceError):
    """The file cannot be imported: ``problems`` is every problem, as (line, message)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(self.messages()[0], "file")

    def messages(self):
        shown = [f"Line {line}: {message}" if line else message for line, message in self.problems]
        if len(shown) > SHOWN_PROBLEMS:
            extra = len(shown) - SHOWN_PROBLEMS
            shown = shown[:SHOWN_PROBLEMS] + [f"And {extra} more: fix these and try again"]
        return shown


def import_measures(user, data, source, licence):
    """Add the file's new measures and set the proxy values it gives, all or nothing. A measure
    already in the list keeps its wording and rules (contracts were made on them): only its
    proxy value is set from the file. ``source`` and ``licence`` describe the whole file (the
    operator's licence to use it). Returns (added, proxies set)."""
    require_operator(user)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportError_([(None, "The file must be smaller than 1 MB")])
    source, licence = (source or "").strip(), (licence or "").strip()
    if not source:
        raise ServiceError("Enter where the measures come from", "source")
    if not licence:
        raise ServiceError(
            "Enter the licence under which you may use them (for example your licence "
            "agreement with the list’s owner)",
            "licence",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportError_([(None, "The file must be a CSV file saved as UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "measure_id" not in header:
        raise ImportError_([(1, "The header line must name the columns, with measure_id first")])
    unknown = [h for h in header if h not in COLUMNS and h not in PROXY_COLUMNS]
    if unknown:
        raise ImportError_([(1, f"Unknown column {unknown[0]}")])
    problems, new, proxies, seen = [], [], [], set()
    for raw in reader:
        line = reader.line_num
        r = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        measure_id = r.get("measure_id", "").upper()
        if measure_id in seen:
            problems.append((line, f"{measure_id} appears twice"))
            continue
        seen.add(measure_id)
        existing = db.session.get(SocialValueMeasure, measure_id) if measure_id else None
        if existing is None:
            fields = {COLUMNS[k]: v for k, v in r.items() if k in COLUMNS}
            cleaned, found = check_fields({**fields, "source": source, "licence": licence})
            problems.extend((line, message) for _, message in found)
            measure = cleaned
        else:
            measure = {"id": existing.id, "value_type": existing.value_type}
        if any(r.get(c) for c in PROXY_COLUMNS):
            values, found = check_proxy(
                _Typed(measure.get("value_type")),
                r.get("proxy_gbp_per_unit"),
                r.get("proxy_source") or source,
                r.get("proxy_year"),
                r.get("proxy_licence") or licence,
            )
            problems.extend((line, message) for _, message in found)
            proxies.append((measure["id"], values))
        if existing is None:
            new.append(measure)
    if not seen:
        problems.append((None, "The file has no measures in it"))
    if problems:
        raise ImportError_(problems)
    now = utcnow()
    for cleaned in new:
        db.session.add(SocialValueMeasure(**cleaned, status=MeasureStatus.ACTIVE, created_at=now))
    db.session.flush()
    for measure_id, values in proxies:
        _write_proxy(user, measure_id, values)
    record(
        E.IMPORT_SOCIAL_VALUE_MEASURES,
        subject_type="social_value_measures",
        actor=user,
        detail={
            "added": [m["id"] for m in new],
            "proxies": [m for m, _ in proxies],
            "source": source,
            "licence": licence,
        },
    )
    commit()
    return len(new), len(proxies)


class _Typed:
    def __init__(self, value_type):
        self.value_type = value_type


# --- The open list -------------------------------------------------------------------------------


def load_open_list():
    """Add any measure of the project's open list that the table lacks (the migration seeds them
    all; this restores them after a reset). Never changes or removes one. Returns how many."""
    known = set(db.session.execute(sa.select(SocialValueMeasure.id)).scalars())
    added = [r for r in open_list.open_list_rows() if r["id"] not in known]
    now = utcnow()
    for r in added:
        db.session.add(SocialValueMeasure(**r, created_at=now))
    if added:
        record(
            E.ADD_SOCIAL_VALUE_MEASURE,
            subject_type="social_value_measures",
            detail={"measure_ids": [r["id"] for r in added], "source": open_list.SOURCE},
        )
    commit()
    return len(added)
