"""Organisations (suppliers and buyers), their members and invitations."""

import enum

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import as_utc, utcnow
from app.types import UTCDateTime, string_enum


class OrganisationKind(enum.StrEnum):
    SUPPLIER = "supplier"
    BUYER = "buyer"


KIND_LABELS = {
    OrganisationKind.SUPPLIER: "Supplier",
    OrganisationKind.BUYER: "Buyer",
}


class SupplierType(enum.StrEnum):
    CHARITY = "charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society"
    COOPERATIVE = "cooperative"
    SOCIAL_ENTERPRISE_COMPANY = "social_enterprise_company"
    MUTUAL = "mutual"
    COMMUNITY_GROUP = "community_group"
    OTHER = "other"


SUPPLIER_TYPE_LABELS = {
    SupplierType.CHARITY: "Registered charity (trust or unincorporated association)",
    SupplierType.CIO: "Charitable incorporated organisation (CIO)",
    SupplierType.CIC: "Community interest company (CIC)",
    SupplierType.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    SupplierType.COMMUNITY_BENEFIT_SOCIETY: "Community benefit society",
    SupplierType.COOPERATIVE: "Co-operative",
    SupplierType.SOCIAL_ENTERPRISE_COMPANY: "Social enterprise company",
    SupplierType.MUTUAL: "Mutual (including public service mutuals)",
    SupplierType.COMMUNITY_GROUP: "Unincorporated community group",
    SupplierType.OTHER: "Other",
}


class BuyerType(enum.StrEnum):
    HOUSING_ASSOCIATION = "housing_association"
    LOCAL_AUTHORITY = "local_authority"
    NHS_BODY = "nhs_body"
    SCHOOL = "school"
    CENTRAL_GOVERNMENT = "central_government"
    OTHER_PUBLIC_BODY = "other_public_body"
    NON_PUBLIC_FUNDER = "non_public_funder"


BUYER_TYPE_LABELS = {
    BuyerType.HOUSING_ASSOCIATION: "Housing association",
    BuyerType.LOCAL_AUTHORITY: "Local authority",
    BuyerType.NHS_BODY: "NHS body",
    BuyerType.SCHOOL: "School or academy",
    BuyerType.CENTRAL_GOVERNMENT: "Central government",
    BuyerType.OTHER_PUBLIC_BODY: "Other public body",
    BuyerType.NON_PUBLIC_FUNDER: "Non-public funder",
}


class StaffBand(enum.StrEnum):
    NONE = "0"
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-249"
    LARGE = "250+"


STAFF_BAND_LABELS = {
    StaffBand.NONE: "None (volunteers only)",
    StaffBand.MICRO: "1 to 9",
    StaffBand.SMALL: "10 to 49",
    StaffBand.MEDIUM: "50 to 249",
    StaffBand.LARGE: "250 or more",
}


class TurnoverBand(enum.StrEnum):
    UNDER_100K = "under_100k"
    UNDER_1M = "100k_1m"
    UNDER_10M = "1m_10m"
    UNDER_44M = "10m_44m"
    OVER_44M = "over_44m"


TURNOVER_BAND_LABELS = {
    TurnoverBand.UNDER_100K: "Under £100,000",
    TurnoverBand.UNDER_1M: "£100,000 to £1 million",
    TurnoverBand.UNDER_10M: "£1 million to £10 million",
    TurnoverBand.UNDER_44M: "£10 million to £44 million",
    TurnoverBand.OVER_44M: "Over £44 million",
}


class BalanceSheetBand(enum.StrEnum):
    UNDER_1M = "under_1m"
    UNDER_10M = "1m_10m"
    UNDER_38M = "10m_38m"
    OVER_38M = "over_38m"


BALANCE_SHEET_BAND_LABELS = {
    BalanceSheetBand.UNDER_1M: "Under £1 million",
    BalanceSheetBand.UNDER_10M: "£1 million to £10 million",
    BalanceSheetBand.UNDER_38M: "£10 million to £38 million",
    BalanceSheetBand.OVER_38M: "Over £38 million",
}

# The top of each band (None: no top), so the SME test can compare the bands with the limits in
# configuration. A band counts only if all of it is within the limit.
_POUNDS = 100
STAFF_BAND_TOP = {
    StaffBand.NONE: 0,
    StaffBand.MICRO: 9,
    StaffBand.SMALL: 49,
    StaffBand.MEDIUM: 249,
    StaffBand.LARGE: None,
}
TURNOVER_BAND_TOP_PENCE = {
    TurnoverBand.UNDER_100K: 100_000 * _POUNDS,
    TurnoverBand.UNDER_1M: 1_000_000 * _POUNDS,
    TurnoverBand.UNDER_10M: 10_000_000 * _POUNDS,
    TurnoverBand.UNDER_44M: 44_000_000 * _POUNDS,
    TurnoverBand.OVER_44M: None,
}
BALANCE_SHEET_BAND_TOP_PENCE = {
    BalanceSheetBand.UNDER_1M: 1_000_000 * _POUNDS,
    BalanceSheetBand.UNDER_10M: 10_000_000 * _POUNDS,
    BalanceSheetBand.UNDER_38M: 38_000_000 * _POUNDS,
    BalanceSheetBand.OVER_38M: None,
}


def sme_bands():
    """(staff bands, turnover bands, balance sheet bands) within the SME limits in configuration:
    fewer than SME_STAFF_FEWER_THAN staff, and turnover up to SME_TURNOVER_MAX_PENCE or a balance
    sheet total up to SME_BALANCE_SHEET_MAX_PENCE (the Procurement Act 2023's definition)."""
    config = current_app.config

    def within(tops, limit, fewer_than=False):
        return [
            band
            for band, top in tops.items()
            if top is not None and (top < limit if fewer_than else top <= limit)
        ]

    return (
        within(STAFF_BAND_TOP, config["SME_STAFF_FEWER_THAN"], fewer_than=True),
        within(TURNOVER_BAND_TOP_PENCE, config["SME_TURNOVER_MAX_PENCE"]),
        within(BALANCE_SHEET_BAND_TOP_PENCE, config["SME_BALANCE_SHEET_MAX_PENCE"]),
    )


class Role(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


ROLE_LABELS = {
    Role.OWNER: "Owner",
    Role.MEMBER: "Member",
}


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'supplier' AND supplier_type IS NOT NULL AND buyer_type IS NULL)"
            " OR (kind = 'buyer' AND buyer_type IS NOT NULL AND supplier_type IS NULL)",
            name="kind_matches_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(
        string_enum(OrganisationKind, "organisation_kind")
    )
    name: Mapped[str] = mapped_column(sa.String(300))  # legal name (suppliers) or name (buyers)
    trading_name: Mapped[str | None] = mapped_column(sa.String(300))
    supplier_type: Mapped[SupplierType | None] = mapped_column(
        string_enum(SupplierType, "supplier_type")
    )
    buyer_type: Mapped[BuyerType | None] = mapped_column(string_enum(BuyerType, "buyer_type"))
    charity_number: Mapped[str | None] = mapped_column(sa.String(20))
    company_number: Mapped[str | None] = mapped_column(sa.String(8))
    # A registered society's number on the FCA's Mutuals Public Register (co-operatives and
    # community benefit societies): "31234R", "8765", "RS007372".
    society_number: Mapped[str | None] = mapped_column(sa.String(12))
    address: Mapped[str | None] = mapped_column(sa.Text)
    postcode: Mapped[str | None] = mapped_column(sa.String(10))
    local_authority_code: Mapped[str | None] = mapped_column(sa.String(10))
    region_code: Mapped[str | None] = mapped_column(sa.String(10))
    staff_band: Mapped[StaffBand | None] = mapped_column(string_enum(StaffBand, "staff_band"))
    turnover_band: Mapped[TurnoverBand | None] = mapped_column(
        string_enum(TurnoverBand, "turnover_band")
    )
    # Asked when the turnover is over the SME limit: the balance sheet total is the alternative.
    balance_sheet_band: Mapped[BalanceSheetBand | None] = mapped_column(
        string_enum(BalanceSheetBand, "balance_sheet_band")
    )
    description: Mapped[str | None] = mapped_column(sa.Text)
    website: Mapped[str | None] = mapped_column(sa.String(500))
    # What the supplier chooses to show in the public directory (nothing unless it says so).
    directory_email: Mapped[str | None] = mapped_column(sa.String(320))
    directory_phone: Mapped[str | None] = mapped_column(sa.String(40))
    directory_show_website: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    memberships = relationship(
        "Membership", back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def is_supplier(self):
        return self.kind == OrganisationKind.SUPPLIER

    @property
    def is_buyer(self):
        return self.kind == OrganisationKind.BUYER

    @property
    def type_label(self):
        if self.is_supplier:
            return SUPPLIER_TYPE_LABELS.get(self.supplier_type, "")
        return BUYER_TYPE_LABELS.get(self.buyer_type, "")

    @property
    def display_name(self):
        return self.trading_name or self.name

    @hybrid_property
    def is_sme(self):
        """Fewer than 250 staff, and turnover up to £44m or a balance sheet total up to £38m
        (the figures are configuration; in Python and in queries)."""
        staff, turnover, balance_sheet = sme_bands()
        return self.staff_band in staff and (
            self.turnover_band in turnover or self.balance_sheet_band in balance_sheet
        )

    @is_sme.inplace.expression
    @classmethod
    def _is_sme_expression(cls):
        staff, turnover, balance_sheet = sme_bands()
        return sa.and_(
            cls.staff_band.in_(staff),
            sa.or_(cls.turnover_band.in_(turnover), cls.balance_sheet_band.in_(balance_sheet)),
        )

    def __repr__(self):
        return f"<Organisation {self.id} {self.kind} {self.name}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(string_enum(Role, "membership_role"))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    user = relationship("User", back_populates="memberships")
    organisation = relationship("Organisation", back_populates="memberships")

    @property
    def is_owner(self):
        return self.role == Role.OWNER


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        # An invitation ends once: it is accepted, or withdrawn, never both.
        sa.CheckConstraint("accepted_at IS NULL OR revoked_at IS NULL", name="accepted_or_revoked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[Role] = mapped_column(string_enum(Role, "invitation_role"))
    # Only a hash of the token is kept, so a leaked database does not leak working links.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    accepted_at = mapped_column(UTCDateTime(), nullable=True)
    revoked_at = mapped_column(UTCDateTime(), nullable=True)

    organisation = relationship("Organisation")
    invited_by = relationship("User")

    @property
    def is_accepted(self):
        return self.accepted_at is not None

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return as_utc(self.expires_at) <= (now or utcnow())

    def is_pending(self, now=None):
        """Waiting to be accepted: not used, not withdrawn and not expired."""
        return not self.is_accepted and not self.is_revoked and not self.is_expired(now)
