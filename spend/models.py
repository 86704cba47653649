"""Spend lines (from the DPS's contracts and from buyers' own spend files), the imports that
brought them, each buyer's settings, and what each supplier name was matched to."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class SpendSource(enum.StrEnum):
    DPS_CONTRACT = "dps_contract"  # a contract awarded through the DPS, spread over its months
    UPLOAD = "upload"  # a line of a buyer's own spend file


SOURCE_LABELS = {
    SpendSource.DPS_CONTRACT: "Contract awarded through the DPS",
    SpendSource.UPLOAD: "The buyer's spend file",
}


class MatchMethod(enum.StrEnum):
    CONTRACT = "contract"  # the contract's own supplier
    NUMBER = "number"  # company or charity number
    NAME = "name"  # the same name, normalised, as one organisation in the directory
    EARLIER = "earlier"  # a name or supplier number matched before
    REVIEW = "review"  # accepted from the review queue
    NONE = "none"


MATCH_METHOD_LABELS = {
    MatchMethod.CONTRACT: "the contract's supplier",
    MatchMethod.NUMBER: "company or charity number",
    MatchMethod.NAME: "name",
    MatchMethod.EARLIER: "an earlier match",
    MatchMethod.REVIEW: "accepted on review",
    MatchMethod.NONE: "not matched",
}


class ImportStatus(enum.StrEnum):
    MAPPING = "mapping"  # uploaded: waiting for the buyer to say which column is which
    QUEUED = "queued"
    IMPORTING = "importing"
    IMPORTED = "imported"
    FAILED = "failed"  # nothing was imported
    DISCARDED = "discarded"  # the buyer cancelled it before importing


IMPORT_STATUS_LABELS = {
    ImportStatus.MAPPING: ("Choose the columns", "govuk-tag--yellow"),
    ImportStatus.QUEUED: ("Waiting to import", "govuk-tag--light-blue"),
    ImportStatus.IMPORTING: ("Importing", "govuk-tag--blue"),
    ImportStatus.IMPORTED: ("Imported", "govuk-tag--green"),
    ImportStatus.FAILED: ("Not imported", "govuk-tag--red"),
    ImportStatus.DISCARDED: ("Cancelled", "govuk-tag--grey"),
}


class MatchStatus(enum.StrEnum):
    MATCHED = "matched"
    PENDING = "pending"  # a likely match waiting for a person
    REJECTED = "rejected"  # a person said it is not that organisation
    UNMATCHED = "unmatched"  # nothing close in the directory


class SpendImport(db.Model):
    """One spend file a buyer uploaded, and what became of it."""

    __tablename__ = "spend_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    encoding: Mapped[str | None] = mapped_column(sa.String(60))
    header_row: Mapped[int | None] = mapped_column(sa.Integer)
    headers: Mapped[list] = mapped_column(sa.JSON, default=list)
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # field -> column index
    id_kind: Mapped[str | None] = mapped_column(sa.String(20))
    status: Mapped[ImportStatus] = mapped_column(
        string_enum(ImportStatus, "spend_import_status", 20), default=ImportStatus.MAPPING
    )
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    started_at = mapped_column(UTCDateTime(), nullable=True)
    finished_at = mapped_column(UTCDateTime(), nullable=True)
    rows_total: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_imported: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_already_held: Mapped[int] = mapped_column(sa.Integer, default=0)
    lines_redacted: Mapped[int] = mapped_column(sa.Integer, default=0)
    spend_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    first_paid_on = mapped_column(sa.Date, nullable=True)
    last_paid_on = mapped_column(sa.Date, nullable=True)
    smallest_payment_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    skipped: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{row, last_row, reason, cells}]
    error: Mapped[str | None] = mapped_column(sa.Text)

    buyer = relationship("Organisation")

    @property
    def status_label(self):
        return IMPORT_STATUS_LABELS[self.status]

    @property
    def percent_done(self):
        if self.status == ImportStatus.IMPORTED:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0


class SpendLine(db.Model):
    """One payment (or, for a DPS contract, one month of its value): negative for a credit."""

    __tablename__ = "spend_lines"
    __table_args__ = (
        # Re-importing a file (or another file with the same payments) adds nothing.
        sa.UniqueConstraint("buyer_id", "fingerprint"),
        sa.CheckConstraint(
            "(source = 'dps_contract' AND contract_id IS NOT NULL AND import_id IS NULL)"
            " OR (source = 'upload' AND import_id IS NOT NULL AND contract_id IS NULL)",
            name="source_matches",
        ),
        sa.CheckConstraint(
            "redacted = false OR (supplier_name IS NULL AND organisation_id IS NULL)",
            name="redacted_has_no_supplier",
        ),
        sa.Index("ix_spend_lines_buyer_paid_on", "buyer_id", "paid_on"),
        sa.Index("ix_spend_lines_buyer_supplier_key", "buyer_id", "supplier_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    source: Mapped[SpendSource] = mapped_column(string_enum(SpendSource, "spend_source", 20))
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("spend_imports.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    row_number: Mapped[int | None] = mapped_column(sa.Integer)
    paid_on = mapped_column(sa.Date, nullable=False)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    supplier_name: Mapped[str | None] = mapped_column(sa.String(300))  # as given; None if redacted
    supplier_key: Mapped[str | None] = mapped_column(sa.String(300))  # the name, normalised
    supplier_ref: Mapped[str | None] = mapped_column(sa.String(60))  # supplier number as given
    redacted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    match_method: Mapped[MatchMethod] = mapped_column(
        string_enum(MatchMethod, "spend_match_method", 20), default=MatchMethod.NONE
    )
    category: Mapped[str | None] = mapped_column(sa.String(200))
    department: Mapped[str | None] = mapped_column(sa.String(200))
    reference: Mapped[str | None] = mapped_column(sa.String(100))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    organisation = relationship("Organisation", foreign_keys=[organisation_id])


class SpendSettings(db.Model):
    """What a buyer told the service once: its spend file's columns, and its own area."""

    __tablename__ = "spend_settings"

    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # field -> heading
    id_kind: Mapped[str | None] = mapped_column(sa.String(20))
    # Local authority codes (mySociety's) whose districts count as local; empty: the buyer's own.
    area_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class SupplierMatch(db.Model):
    """What a supplier name in a buyer's spend was matched to, remembered so that the next file
    is matched the same way, and the review queue's items (``PENDING``)."""

    __tablename__ = "spend_supplier_matches"
    __table_args__ = (
        sa.UniqueConstraint("buyer_id", "supplier_key"),
        sa.CheckConstraint(
            "status NOT IN ('matched', 'pending') OR organisation_id IS NOT NULL",
            name="organisation_when_matched_or_pending",
        ),
        sa.Index("ix_spend_supplier_matches_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    supplier_key: Mapped[str] = mapped_column(sa.String(300))
    supplier_name: Mapped[str] = mapped_column(sa.String(300))  # one way the file wrote it
    supplier_ref: Mapped[str | None] = mapped_column(sa.String(60))
    # The organisation matched, (pending) the one proposed, or (rejected) the one turned down.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    status: Mapped[MatchStatus] = mapped_column(string_enum(MatchStatus, "spend_match_status", 20))
    method: Mapped[MatchMethod] = mapped_column(string_enum(MatchMethod, "spend_match_method", 20))
    score: Mapped[int | None] = mapped_column(sa.Integer)  # rapidfuzz's, 0-100, for a likely match
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    buyer = relationship("Organisation", foreign_keys=[buyer_id])


class Register(enum.StrEnum):
    CHARITY = "charity"  # the Charity Commission for England and Wales's register extract
    COMPANY = "company"  # Companies House's basic company data
    MUTUAL = "mutual"  # the FCA's Mutuals Public Register


REGISTER_LABELS = {
    Register.CHARITY: "the Charity Commission's register",
    Register.COMPANY: "Companies House",
    Register.MUTUAL: "the Mutuals Public Register",
}


class RegisterEntry(db.Model):
    """One organisation of a public register the operator loaded (``flask spend load-*``), used
    to classify suppliers in spend files that are not in the directory."""

    __tablename__ = "spend_register_entries"
    __table_args__ = (
        sa.UniqueConstraint("register", "number"),
        sa.Index("ix_spend_register_entries_name_key", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[Register] = mapped_column(string_enum(Register, "spend_register", 20))
    number: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(300))
    name_key: Mapped[str] = mapped_column(sa.String(300))  # matching.supplier_key of the name
    postcode: Mapped[str | None] = mapped_column(sa.String(8))
    legal_form: Mapped[str | None] = mapped_column(sa.String(120))
    vcse: Mapped[bool | None] = mapped_column(sa.Boolean)
    sme: Mapped[bool | None] = mapped_column(sa.Boolean)
    basis: Mapped[str] = mapped_column(sa.String(200))  # why, in plain English


class SpendSummary(db.Model):
    """Spend lines added up, kept in step with them (``spend.summaries``), so that a report
    reads a few thousand rows however many lines there are: one row per buyer, source, supplier
    (organisation, normalised name, redacted) and ``dimension``: each financial year or month
    (``period`` its first day, ``value`` empty), or each financial year's (``period`` 1 April)
    category, department or lot (``value`` the category, the department or the lot's id)."""

    __tablename__ = "spend_summaries"
    __table_args__ = (
        sa.Index("ix_spend_summaries_buyer_dimension", "buyer_id", "dimension", "period"),
        # A few suppliers' sums (a match, a contract's months): by name, or by organisation.
        sa.Index("ix_spend_summaries_buyer_supplier_key", "buyer_id", "supplier_key"),
        sa.Index("ix_spend_summaries_buyer_organisation", "buyer_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    dimension: Mapped[str] = mapped_column(sa.String(12))
    period = mapped_column(sa.Date, nullable=False)
    value: Mapped[str | None] = mapped_column(sa.String(200))
    source: Mapped[SpendSource] = mapped_column(string_enum(SpendSource, "spend_source", 20))
    organisation_id: Mapped[int | None] = mapped_column(sa.Integer)
    supplier_key: Mapped[str | None] = mapped_column(sa.String(300))
    redacted: Mapped[bool] = mapped_column(sa.Boolean)
    supplier_name: Mapped[str | None] = mapped_column(sa.String(300))
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    lines: Mapped[int] = mapped_column(sa.Integer)


ALL_SOURCES = "all"  # SpendClassSum.source of the rows of every source's lines together


class SpendClassSum(db.Model):
    """The sums (``SpendSummary``) of a buyer's suppliers, each supplier's netted first, then
    added up by the kind of supplier (``reports.class_of``): one row per buyer, ``dimension``
    (``year``, ``quarter``, ``category``, ``department``, ``lot``), ``source`` (``ALL_SOURCES``
    for every source's lines together, else a ``SpendSource``'s value: a supplier's credits are
    set against its payments within one source's lines there), ``period`` (the first day of
    the financial year or quarter), ``value`` (the category or department, "Not given" for
    none; the lot's id, empty for spend not through a contract) and class. A report reads these
    (a few hundred rows a buyer) while they were built with the classification that holds now
    (``SpendClassSumsBuilt``), and the supplier sums otherwise. Kept in step with the lines by
    ``spend.summaries.refresh``, in the same transaction."""

    __tablename__ = "spend_class_sums"
    __table_args__ = (
        sa.Index(
            "ix_spend_class_sums_buyer_dimension_source",
            "buyer_id",
            "dimension",
            "source",
            "period",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    dimension: Mapped[str] = mapped_column(sa.String(12))
    source: Mapped[str] = mapped_column(sa.String(20), server_default=ALL_SOURCES)
    period = mapped_column(sa.Date, nullable=False)
    value: Mapped[str | None] = mapped_column(sa.String(200))
    cls: Mapped[int] = mapped_column(sa.Integer)
    spend: Mapped[int] = mapped_column(sa.BigInteger)  # every line, credits included
    counted: Mapped[int] = mapped_column(sa.BigInteger)  # suppliers with net spend above nothing
    suppliers: Mapped[int] = mapped_column(sa.Integer)  # suppliers counted
    lines: Mapped[int] = mapped_column(sa.Integer)


class SpendClassSumsBuilt(db.Model):
    """Which classification a buyer's ``SpendClassSum`` rows were built with: the stamp
    (``SpendKindsStamp``) that held then."""

    __tablename__ = "spend_class_sums_built"

    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger)


class SpendKindsStamp(db.Model):
    """One row: a number drawn afresh (at random, so a rolled-back change never hands its
    number to another) whenever a fact behind a supplier's classification changes, in the
    transaction that changes it (``spend.kinds``): an organisation's details, an application's
    decision, a lot membership, a buyer's area, a public register or the postcodes loaded."""

    __tablename__ = "spend_kinds_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger)
