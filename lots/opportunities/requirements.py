"""What a call-off asks bidders to hold: insurance at a level, policies in place, and whether
only the preferred bidder must give the documents before award.

Chosen on the draft and fixed at publication, like the rest of the tender. Bidders' readiness
checklists (``lots.bids.readiness``) read these; when ``evidence_from_winner_only`` is set,
bidders only declare, and the buyer asks the preferred bidder alone for the documents before
the award (``lots.awards.evidence``).
"""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime
from app.unitofwork import commit
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.permissions import require_buyer_role

# Insurance: the standard selection questionnaire's question ids, and their names.
INSURANCE = {
    "employers_liability": "Employer’s liability insurance",
    "public_liability": "Public liability insurance",
    "professional_indemnity": "Professional indemnity insurance",
}
# Policies: the questionnaire's question, the answers that mean "in place", and the name.
POLICIES = {
    "safeguarding": ("safeguarding_policy", ("yes",), "A safeguarding policy"),
    "equality": ("equality_policy", ("yes",), "An equality and diversity policy"),
    "health_safety": (
        "health_safety_policy",
        ("yes", "under_5_staff"),
        "A health and safety policy (or fewer than 5 staff)",
    ),
    "data_protection": ("data_protection_policy", ("yes",), "A data protection policy"),
}


class EvidenceKind(enum.StrEnum):
    INSURANCE = "insurance"
    ACCOUNTS = "accounts"
    CERTIFICATES = "certificates"
    POLICIES = "policies"


EVIDENCE_LABELS = {
    EvidenceKind.INSURANCE: "Insurance certificates",
    EvidenceKind.ACCOUNTS: "Accounts for the last financial year",
    EvidenceKind.CERTIFICATES: "Certificates and accreditations the bid relies on",
    EvidenceKind.POLICIES: "The policies asked for",
}
MAX_EVIDENCE_DAYS = 20


class BidRequirements(db.Model):
    """One row per call-off that asks for anything (none: nothing is asked)."""

    __tablename__ = "opportunity_bid_requirements"
    __table_args__ = (
        sa.CheckConstraint("evidence_days BETWEEN 1 AND 20", name="evidence_days_range"),
        sa.CheckConstraint(
            "employers_liability_pence IS NULL OR employers_liability_pence > 0",
            name="employers_liability_positive",
        ),
        sa.CheckConstraint(
            "public_liability_pence IS NULL OR public_liability_pence > 0",
            name="public_liability_positive",
        ),
        sa.CheckConstraint(
            "professional_indemnity_pence IS NULL OR professional_indemnity_pence > 0",
            name="professional_indemnity_positive",
        ),
    )

    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    employers_liability_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    public_liability_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    professional_indemnity_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    policies: Mapped[list] = mapped_column(sa.JSON, default=list)
    evidence_from_winner_only: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Working days the preferred bidder has to give the documents once asked.
    evidence_days: Mapped[int] = mapped_column(sa.Integer, default=5)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def insurance_levels(self):
        """[(question id, name, pence)] for the insurance asked."""
        return [
            (key, name, getattr(self, f"{key}_pence"))
            for key, name in INSURANCE.items()
            if getattr(self, f"{key}_pence")
        ]

    def policy_names(self):
        return [POLICIES[p][2] for p in self.policies or [] if p in POLICIES]

    def evidence_names(self):
        return [EVIDENCE_LABELS[EvidenceKind(e)] for e in self.evidence or []]


def requirements_of(opportunity_id):
    """The call-off's requirements, or None when it asks for nothing beyond its questions."""
    return db.session.get(BidRequirements, opportunity_id)


def set_requirements(
    user,
    opportunity,
    *,
    employers_liability_pence=None,
    public_liability_pence=None,
    professional_indemnity_pence=None,
    policies=(),
    evidence_from_winner_only=False,
    evidence=(),
    evidence_days=5,
):
    """Set what bidders must hold (a draft only; fixed at publication)."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status != OpportunityStatus.DRAFT:
        raise ServiceError("Only a draft can be changed like this. Amend a published opportunity")
    levels = {
        "employers_liability_pence": employers_liability_pence,
        "public_liability_pence": public_liability_pence,
        "professional_indemnity_pence": professional_indemnity_pence,
    }
    for field, pence in levels.items():
        if pence is not None and (isinstance(pence, bool) or not isinstance(pence, int)):
            raise ServiceError("Enter the level of cover as an amount, like £5,000,000", field)
        if pence is not None and pence <= 0:
            raise ServiceError("The level of cover must be more than £0", field)
    unknown = set(policies) - set(POLICIES)
    if unknown:
        raise ServiceError("Select from the policies given", "policies")
    try:
        evidence = [EvidenceKind(e).value for e in evidence]
    except ValueError:
        raise ServiceError("Select from the documents given", "evidence") from None
    if evidence_from_winner_only and not evidence:
        raise ServiceError(
            "Select the documents the preferred bidder must give before the award", "evidence"
        )
    if (
        not isinstance(evidence_days, int)
        or isinstance(evidence_days, bool)
        or not 1 <= evidence_days <= MAX_EVIDENCE_DAYS
    ):
        raise ServiceError(
            f"Enter a number of working days from 1 to {MAX_EVIDENCE_DAYS}", "evidence_days"
        )
    row = requirements_of(opportunity.id)
    if row is None:
        row = BidRequirements(opportunity_id=opportunity.id)
        db.session.add(row)
    for field, pence in levels.items():
        setattr(row, field, pence)
    row.policies = [p for p in POLICIES if p in set(policies)]
    row.evidence_from_winner_only = bool(evidence_from_winner_only)
    row.evidence = evidence if evidence_from_winner_only else []
    row.evidence_days = evidence_days
    row.updated_at = utcnow()
    row.updated_by_id = user.id
    record(
        E.SET_BID_REQUIREMENTS,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={
            **{k: v for k, v in levels.items()},
            "policies": row.policies,
            "evidence_from_winner_only": row.evidence_from_winner_only,
            "evidence": row.evidence,
            "evidence_days": row.evidence_days,
        },
    )
    commit()
    return row
