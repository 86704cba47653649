"""The DPS, its lots, the selection questionnaire, applications and admission to lots."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class Regime(enum.StrEnum):
    PROCUREMENT_ACT_2023 = "procurement_act_2023"
    PCR_2015 = "pcr_2015"


REGIME_LABELS = {
    Regime.PROCUREMENT_ACT_2023: "Procurement Act 2023 (dynamic market)",
    Regime.PCR_2015: "Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)",
}


class ReservedFor(enum.StrEnum):
    NONE = "none"
    VCSE = "vcse"
    SUPPORTED_EMPLOYMENT = "supported_employment"
    PUBLIC_SERVICE_MUTUAL = "public_service_mutual"


RESERVED_LABELS = {
    ReservedFor.NONE: "Open to all suppliers",
    ReservedFor.VCSE: "Reserved for VCSE organisations",
    ReservedFor.SUPPORTED_EMPLOYMENT: "Reserved for supported employment providers",
    ReservedFor.PUBLIC_SERVICE_MUTUAL: "Reserved for public service mutuals",
}


class ReservationBasis(enum.StrEnum):
    """The law that lets a lot or a call-off be reserved. Above the threshold only the Procurement
    Act 2023's sections 32 and 33 do; below it a buyer may reserve for VCSEs, SMEs or an area."""

    S32_SUPPORTED_EMPLOYMENT = "s32_supported_employment"
    S33_PUBLIC_SERVICE_MUTUAL = "s33_public_service_mutual"
    BELOW_THRESHOLD_VCSE = "below_threshold_vcse"
    BELOW_THRESHOLD_SME = "below_threshold_sme"
    BELOW_THRESHOLD_AREA = "below_threshold_area"


ABOVE_THRESHOLD_BASES = (
    ReservationBasis.S32_SUPPORTED_EMPLOYMENT,
    ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL,
)

# A reserved lot's basis follows from whom it is reserved for (the database holds this too).
LOT_BASIS = {
    ReservedFor.VCSE: ReservationBasis.BELOW_THRESHOLD_VCSE,
    ReservedFor.SUPPORTED_EMPLOYMENT: ReservationBasis.S32_SUPPORTED_EMPLOYMENT,
    ReservedFor.PUBLIC_SERVICE_MUTUAL: ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL,
}

# The basis in plain words, for public pages.
RESERVATION_BASIS_WORDS = {
    ReservationBasis.S32_SUPPORTED_EMPLOYMENT: "Reserved for supported employment providers, "
    "where at least 30% of the workforce are disabled or disadvantaged (section 32 of the "
    "Procurement Act 2023)",
    ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL: "Reserved for public service mutuals, for "
    "light-touch services and a contract of at most 5 years (section 33 of the Procurement Act "
    "2023)",
    ReservationBasis.BELOW_THRESHOLD_VCSE: "Reserved for VCSE organisations, which the law "
    "allows because the value is below the procurement threshold",
    ReservationBasis.BELOW_THRESHOLD_SME: "Reserved for small and medium-sized enterprises "
    "(SMEs), which the law allows because the value is below the procurement threshold",
    ReservationBasis.BELOW_THRESHOLD_AREA: "Reserved for suppliers based in an area, which the "
    "law allows because the value is below the procurement threshold",
}


class Category(enum.StrEnum):
    """What a contract buys: each kind has its own threshold (works a higher one)."""

    GOODS = "goods"
    SERVICES = "services"
    WORKS = "works"


CATEGORY_LABELS = {
    Category.GOODS: "Goods",
    Category.SERVICES: "Services",
    Category.WORKS: "Works",
}


class Dps(db.Model):
    __tablename__ = "dps"
    __table_args__ = (
        sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        sa.CheckConstraint("admission_days >= 1 AND admission_days <= 15", name="admission_days"),
        sa.CheckConstraint(
            "winner_fee_percent IS NULL OR (winner_fee_percent >= 0 AND winner_fee_percent <= 5)",
            name="fee_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text)
    who_may_join: Mapped[str] = mapped_column(sa.Text)
    regime: Mapped[Regime] = mapped_column(string_enum(Regime, "dps_regime"))
    starts_on = mapped_column(sa.Date, nullable=False)
    ends_on = mapped_column(sa.Date, nullable=False)
    # Working days to decide an application; 15 is allowed in a case where a reason is recorded.
    admission_days: Mapped[int] = mapped_column(sa.Integer, default=10)
    calendar: Mapped[str] = mapped_column(sa.String(30), default="england-and-wales")
    # A fee charged only to winners, as a published percentage of contract value (2023 Act).
    winner_fee_percent = mapped_column(sa.Numeric(4, 2), nullable=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    lots = relationship("Lot", back_populates="dps", order_by="Lot.number")
    questionnaire = relationship("Questionnaire")

    def is_open_on(self, day):
        return self.starts_on <= day <= self.ends_on


class Lot(db.Model):
    __tablename__ = "lots"
    __table_args__ = (
        sa.UniqueConstraint("dps_id", "number"),
        # Lets other tables name (dps, lot) together, so a row's lot must belong to its DPS.
        sa.UniqueConstraint("dps_id", "id", name="uq_lots_dps_id_id"),
        sa.CheckConstraint(
            "min_value_pence >= 0 AND max_value_pence >= min_value_pence", name="value_band"
        ),
        sa.CheckConstraint("(cap_group IS NULL) = (cap_per_provider IS NULL)", name="cap_pair"),
        sa.CheckConstraint("cap_per_provider IS NULL OR cap_per_provider >= 1", name="cap_min"),
        # Every reserved lot records its basis in law, and only the basis its reservation has.
        sa.CheckConstraint(
            "(reserved_for = 'none' AND reservation_basis IS NULL)"
            " OR (reserved_for = 'vcse' AND reservation_basis = 'below_threshold_vcse')"
            " OR (reserved_for = 'supported_employment'"
            " AND reservation_basis = 's32_supported_employment')"
            " OR (reserved_for = 'public_service_mutual'"
            " AND reservation_basis = 's33_public_service_mutual')",
            name="reservation_basis_matches",
        ),
        sa.CheckConstraint("NOT light_touch OR category = 'services'", name="light_touch_services"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    reserved_for: Mapped[ReservedFor] = mapped_column(
        string_enum(ReservedFor, "lot_reserved_for"), default=ReservedFor.NONE
    )
    reservation_basis: Mapped[ReservationBasis | None] = mapped_column(
        string_enum(ReservationBasis, "reservation_basis")
    )
    category: Mapped[Category] = mapped_column(
        string_enum(Category, "procurement_category", 20), default=Category.SERVICES
    )
    # Light-touch services (social, health, education...) have their own, higher threshold.
    light_touch: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    min_value_pence: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    max_value_pence: Mapped[int] = mapped_column(sa.BigInteger)
    # Patch-based lotting: a provider may hold at most cap_per_provider lots of one cap_group.
    cap_group: Mapped[str | None] = mapped_column(sa.String(80))
    cap_per_provider: Mapped[int | None] = mapped_column(sa.Integer)

    dps = relationship("Dps", back_populates="lots")

    @property
    def is_reserved(self):
        return self.reserved_for != ReservedFor.NONE

    @property
    def label(self):
        return f"Lot {self.number}: {self.title}"

    @property
    def basis_words(self):
        """The reservation's basis in law, in plain words (None for a lot open to all)."""
        return RESERVATION_BASIS_WORDS.get(self.reservation_basis)

    @property
    def category_words(self):
        words = CATEGORY_LABELS[self.category]
        return f"{words} (light-touch services)" if self.light_touch else words


class Questionnaire(db.Model):
    """A published version of a selection questionnaire. Never changed once published: a new
    version is a new row, and an application keeps the version it was started on."""

    __tablename__ = "questionnaires"
    __table_args__ = (sa.UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(sa.Integer)
    definition: Mapped[dict] = mapped_column(sa.JSON)
    published_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a decision
    CLARIFICATION = "clarification"  # the operator asked a question; waiting for the supplier
    DECIDED = "decided"  # every lot decided; final
    WITHDRAWN = "withdrawn"


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL", name="submitted_time"
        ),
        sa.CheckConstraint("status <> 'draft' OR submitted_at IS NULL", name="draft_unsubmitted"),
        # The limit is the DPS's own days when it was received (1 to 15), extended (with a
        # reason) up to the law's 15, never below the DPS's own days.
        sa.CheckConstraint(
            "time_limit_days IS NULL OR (time_limit_days >= 1 AND time_limit_days <= 15)",
            name="time_limit",
        ),
        sa.CheckConstraint(
            "(time_limit_days IS NULL) = (standard_time_limit_days IS NULL)",
            name="standard_time_limit_pair",
        ),
        sa.CheckConstraint(
            "time_limit_days IS NULL OR time_limit_days >= standard_time_limit_days",
            name="extension_never_shortens",
        ),
        sa.CheckConstraint(
            "time_limit_days IS NULL OR time_limit_days = standard_time_limit_days"
            " OR extension_reason IS NOT NULL",
            name="extension_has_reason",
        ),
        # One draft at a time per organisation and DPS.
        sa.Index(
            "uq_applications_one_draft",
            "dps_id",
            "organisation_id",
            unique=True,
            postgresql_where=sa.text("status = 'draft'"),
            sqlite_where=sa.text("status = 'draft'"),
        ),
        sa.Index("ix_applications_queue", "status", "decision_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaires.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        string_enum(ApplicationStatus, "application_status", 20), default=ApplicationStatus.DRAFT
    )
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Answers to the chosen lots' conditions of membership: {condition id: answer}.
    condition_answers: Mapped[dict | None] = mapped_column(sa.JSON, default=dict)
    reused_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Submission: frozen as it was submitted.
    submitted_at = mapped_column(UTCDateTime(), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    declaration_name: Mapped[str | None] = mapped_column(sa.String(200))
    declaration_role: Mapped[str | None] = mapped_column(sa.String(200))
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    snapshot_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The decision clock, in working days of the DPS's calendar.
    received_on = mapped_column(sa.Date, nullable=True)
    time_limit_days: Mapped[int | None] = mapped_column(sa.Integer)
    # The DPS's own days when the application was received: an extension starts from these.
    standard_time_limit_days: Mapped[int | None] = mapped_column(sa.Integer)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    paused_working_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    clock_stopped_on = mapped_column(sa.Date, nullable=True)
    decision_due_on = mapped_column(sa.Date, nullable=True)
    decided_at = mapped_column(UTCDateTime(), nullable=True)

    dps = relationship("Dps")
    organisation = relationship("Organisation")
    questionnaire = relationship("Questionnaire")
    lots = relationship(
        "ApplicationLot",
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationLot.lot_id",
    )
    clarifications = relationship(
        "Clarification", back_populates="application", order_by="Clarification.id"
    )


class LotDecision(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    REJECTED = "rejected"


class ApplicationLot(db.Model):
    __tablename__ = "application_lots"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "lot_id"),
        sa.CheckConstraint("(decision = 'pending') = (decided_at IS NULL)", name="decided_time"),
        sa.CheckConstraint("decision = 'pending' OR reason IS NOT NULL", name="decision_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    decision: Mapped[LotDecision] = mapped_column(
        string_enum(LotDecision, "lot_decision", 20), default=LotDecision.PENDING
    )
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application = relationship("Application", back_populates="lots")
    lot = relationship("Lot")


class Clarification(db.Model):
    """A question from the operator about an application, and the supplier's answer."""

    __tablename__ = "application_clarifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    question: Mapped[str] = mapped_column(sa.Text)
    asked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    asked_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Which rule applied: the 2023 Act stops the clock while the supplier answers; PCR 2015 does not.
    clock_rule: Mapped[str] = mapped_column(sa.String(20))
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    application = relationship("Application", back_populates="clarifications")


class MembershipStatus(enum.StrEnum):
    ADMITTED = "admitted"
    SUSPENDED = "suspended"  # not invited to new call-offs until reinstated
    REMOVED = "removed"  # by the operator (or debarment)
    LEFT = "left"  # the supplier chose to leave


class LotMembership(db.Model):
    """A supplier admitted to a lot: who call-offs invite."""

    __tablename__ = "lot_memberships"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "lot_id"),
        sa.Index("ix_lot_memberships_lot_status", "lot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    status: Mapped[MembershipStatus] = mapped_column(
        string_enum(MembershipStatus, "membership_status", 20), default=MembershipStatus.ADMITTED
    )
    admitted_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    application_lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application_lots.id"))
    status_changed_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)

    organisation = relationship("Organisation")
    lot = relationship("Lot")


class SupplierExclusion(db.Model):
    """An organisation the operator has excluded or debarred: it cannot be admitted."""

    __tablename__ = "supplier_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "excluded" or "debarred"
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # None when the service did it: a definite match on the debarment list debars at once.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lifted_at = mapped_column(UTCDateTime(), nullable=True)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(sa.Text)


class RenewalRequest(db.Model):
    """The operator asks an admitted supplier to renew its self-declaration."""

    __tablename__ = "renewal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    requested_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    due_on = mapped_column(sa.Date, nullable=False)
    reminded_at = mapped_column(UTCDateTime(), nullable=True)
    completed_at = mapped_column(UTCDateTime(), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lapsed_at = mapped_column(UTCDateTime(), nullable=True)  # missed: the supplier was suspended

    dps = relationship("Dps")
    organisation = relationship("Organisation")


class ExclusionOutcome(enum.StrEnum):
    EXCLUDED = "excluded"
    SELF_CLEANED = "not_excluded_self_cleaning"


EXCLUSION_OUTCOME_LABELS = {
    ExclusionOutcome.EXCLUDED: "Excluded",
    ExclusionOutcome.SELF_CLEANED: "Not excluded because of self-cleaning",
}


class ExclusionDecision(db.Model):
    """The operator's decision on the exclusion grounds an application declares, with reasons.
    An application that declares a mandatory ground cannot be admitted until there is one, nor
    when it says "excluded"."""

    __tablename__ = "exclusion_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    outcome: Mapped[ExclusionOutcome] = mapped_column(
        string_enum(ExclusionOutcome, "exclusion_outcome", 30)
    )
    reasons: Mapped[str] = mapped_column(sa.Text)
    # The grounds declared, as the operator saw them: {"mandatory": [...], "discretionary": [...]}.
    grounds: Mapped[dict] = mapped_column(sa.JSON)
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decided_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    application = relationship("Application")
    decided_by = relationship("User")


class DebarmentEntry(db.Model):
    """One row of the debarment list as the operator last loaded it. Loading a list replaces
    every row at once; the keys are the normalised forms matching compares."""

    __tablename__ = "debarment_entries"
    __table_args__ = (
        sa.CheckConstraint("to_date IS NULL OR to_date >= from_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_number: Mapped[int] = mapped_column(sa.Integer)
    supplier_name: Mapped[str] = mapped_column(sa.String(300))
    name_key: Mapped[str] = mapped_column(sa.String(300), index=True)
    company_number: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    charity_number: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    grounds: Mapped[str] = mapped_column(sa.Text)
    from_date = mapped_column(sa.Date, nullable=False)
    to_date = mapped_column(sa.Date, nullable=True)
    loaded_at = mapped_column(UTCDateTime(), nullable=False)
    source_filename: Mapped[str] = mapped_column(sa.String(255))

    def is_current_on(self, day):
        return self.from_date <= day and (self.to_date is None or day <= self.to_date)


class MatchKind(enum.StrEnum):
    DEFINITE = "definite"  # the company or charity number is on the list
    POSSIBLE = "possible"  # only the name matches: the operator decides


class MatchStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the operator
    CONFIRMED = "confirmed"  # debarred
    DISMISSED = "dismissed"  # not the same organisation


class DebarmentMatch(db.Model):
    """An organisation found on the debarment list. The entry's details are copied, since the
    list is replaced when it is loaded again; ``match_key`` names the entry, so the same entry
    is never flagged twice for one organisation (a dismissed match stays dismissed)."""

    __tablename__ = "debarment_matches"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "match_key"),
        sa.CheckConstraint(
            "(status = 'pending') = (reviewed_at IS NULL)", name="reviewed_when_decided"
        ),
        sa.Index("ix_debarment_matches_status", "status", "found_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    match_key: Mapped[str] = mapped_column(sa.String(340))
    kind: Mapped[MatchKind] = mapped_column(string_enum(MatchKind, "debarment_match_kind", 20))
    basis: Mapped[str] = mapped_column(sa.String(20))  # company_number, charity_number or name
    status: Mapped[MatchStatus] = mapped_column(
        string_enum(MatchStatus, "debarment_match_status", 20), default=MatchStatus.PENDING
    )
    # Where it was found: "list_loaded", "application" or "renewal".
    found_when: Mapped[str] = mapped_column(sa.String(20))
    found_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    entry_name: Mapped[str] = mapped_column(sa.String(300))
    entry_company_number: Mapped[str | None] = mapped_column(sa.String(8))
    entry_charity_number: Mapped[str | None] = mapped_column(sa.String(20))
    entry_grounds: Mapped[str] = mapped_column(sa.Text)
    entry_from_date = mapped_column(sa.Date, nullable=False)
    entry_to_date = mapped_column(sa.Date, nullable=True)
    entry_source: Mapped[str] = mapped_column(sa.String(255))
    reviewed_at = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_reason: Mapped[str | None] = mapped_column(sa.Text)

    organisation = relationship("Organisation")


# --- Conditions of membership as data (issue 19) -----------------------------------------------


class ConditionKind(enum.StrEnum):
    OFFICE_IN_AREA = "office_in_area"  # an office whose postcode lies in the lot's areas
    LIVING_WAGE = "living_wage"  # the Real (or London) Living Wage, or accreditation
    CHARTER = "charter"  # a charter the operator names, signed up to, with evidence
    WORKFORCE = "workforce"  # a commitment to recruit from and reflect the community
    YES_NO = "yes_no"  # any other condition: a yes/no question, with evidence if asked


CONDITION_KIND_LABELS = {
    ConditionKind.OFFICE_IN_AREA: "An office in the area",
    ConditionKind.LIVING_WAGE: "Real Living Wage",
    ConditionKind.CHARTER: "Charter",
    ConditionKind.WORKFORCE: "Workforce commitment",
    ConditionKind.YES_NO: "Other condition",
}


class MembershipCondition(db.Model):
    """A condition of membership the operator defines once for a DPS and attaches to lots (every
    patch of a set shares its conditions). A supplier answers it once per application or
    renewal, whichever of its lots carry it; each lot checks the answer for itself (an office
    lies in this lot's areas)."""

    __tablename__ = "membership_conditions"
    __table_args__ = (
        sa.CheckConstraint("kind <> 'charter' OR evidence_required", name="charter_evidence"),
        sa.CheckConstraint("kind <> 'office_in_area' OR evidence_required", name="office_evidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    kind: Mapped[ConditionKind] = mapped_column(string_enum(ConditionKind, "condition_kind", 30))
    # The charter's name, the question asked, or a short name for the condition.
    title: Mapped[str] = mapped_column(sa.String(200))
    # What the operator wants to see: guidance, the commitment, the evidence that counts.
    guidance: Mapped[str] = mapped_column(sa.Text, default="")
    # Living wage: the London Living Wage rather than the UK rate.
    london: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    evidence_required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    dps = relationship("Dps")
    lots = relationship("Lot", secondary="lot_conditions", order_by="Lot.number", viewonly=True)

    @property
    def kind_label(self):
        return CONDITION_KIND_LABELS[self.kind]

    @property
    def name(self):
        if self.kind == ConditionKind.LIVING_WAGE:
            return "London Living Wage" if self.london else "Real Living Wage"
        if self.kind == ConditionKind.OFFICE_IN_AREA:
            return "An office in the lot’s area"
        return self.title


class LotCondition(db.Model):
    __tablename__ = "lot_conditions"

    lot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True
    )
    condition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("membership_conditions.id"), primary_key=True, index=True
    )


class ConditionDeclaration(db.Model):
    """What a supplier declared about a condition: in a submitted application, at a renewal, or
    when it told the operator of a change (an office that moved). The latest one counts."""

    __tablename__ = "condition_declarations"
    __table_args__ = (
        sa.CheckConstraint(
            "source IN ('application', 'renewal', 'change')", name="declaration_source"
        ),
        sa.CheckConstraint(
            "(evidence_confirmed_at IS NULL) = (evidence_confirmed_by_id IS NULL)",
            name="evidence_confirmed_pair",
        ),
        sa.Index("ix_condition_declarations_latest", "organisation_id", "condition_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    condition_id: Mapped[int] = mapped_column(sa.ForeignKey("membership_conditions.id"))
    source: Mapped[str] = mapped_column(sa.String(20))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    renewal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("renewal_requests.id"))
    answer: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    declared_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The operator has seen the evidence (a lease, a charter's certificate) and accepts it.
    evidence_confirmed_at = mapped_column(UTCDateTime(), nullable=True)
    evidence_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    condition = relationship("MembershipCondition")
    organisation = relationship("Organisation")
    document = relationship("Document")


class FlagStatus(enum.StrEnum):
    OPEN = "open"  # waiting for the operator
    SUSPENDED = "suspended"  # the operator suspended the supplier from the lot
    DISMISSED = "dismissed"  # the operator found no need to act


class ConditionFlag(db.Model):
    """A supplier that has stopped meeting a condition of a lot it holds, for the operator to
    look at. ``cause`` names what found it (a renewal, a change, a new wage rate's date), so the
    same cause never flags twice."""

    __tablename__ = "condition_flags"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "lot_id", "condition_id", "cause"),
        sa.CheckConstraint(
            "(status = 'open') = (reviewed_at IS NULL)", name="reviewed_when_closed"
        ),
        sa.Index("ix_condition_flags_status", "status", "found_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    condition_id: Mapped[int] = mapped_column(sa.ForeignKey("membership_conditions.id"))
    cause: Mapped[str] = mapped_column(sa.String(80))
    reason: Mapped[str] = mapped_column(sa.Text)
    found_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    status: Mapped[FlagStatus] = mapped_column(
        string_enum(FlagStatus, "condition_flag_status", 20), default=FlagStatus.OPEN
    )
    reviewed_at = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    review_reason: Mapped[str | None] = mapped_column(sa.Text)

    organisation = relationship("Organisation")
    lot = relationship("Lot")
    condition = relationship("MembershipCondition")


class LivingWageRate(db.Model):
    """A Real Living Wage rate the operator loaded when it was announced, on top of the rates
    the project ships (``app/reference/data/real_living_wage.csv``). Suppliers must pay it by
    ``pay_by``; those holding a lot with a living wage condition are told when it is loaded."""

    __tablename__ = "living_wage_rates"
    __table_args__ = (
        sa.CheckConstraint("pay_by >= announced_on", name="pay_after_announcement"),
        sa.CheckConstraint("uk_pence > 0 AND london_pence > 0", name="positive_rates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rate_year: Mapped[str] = mapped_column(sa.String(10), unique=True)
    announced_on = mapped_column(sa.Date, nullable=False)
    pay_by = mapped_column(sa.Date, nullable=False)
    uk_pence: Mapped[int] = mapped_column(sa.Integer)
    london_pence: Mapped[int] = mapped_column(sa.Integer)
    loaded_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    loaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
