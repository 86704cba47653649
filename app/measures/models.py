"""The social value measures table and the proxy values (£ per unit) an operator sets."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum

# The natural units a measure is counted in (``unit_label`` names what a "count" counts).
UNITS = ("people", "FTE", "hours", "£", "%", "tonnes CO2e", "count")
VALUE_TYPES = ("count", "money", "decimal", "percentage")
AGGREGATIONS = ("sum", "latest", "average", "maximum")
DIRECTIONS = ("more", "less")


class MeasureStatus(enum.StrEnum):
    ACTIVE = "active"  # offered to buyers for new call-offs
    RETIRED = "retired"  # kept for the call-offs and contracts that use it; offered to nobody


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class SocialValueMeasure(db.Model):
    """One measure. Never deleted once used: commitments and proxy values point at it (foreign
    keys without cascade), and the service refuses; the operator retires it instead."""

    __tablename__ = "social_value_measures"
    __table_args__ = (
        sa.CheckConstraint(_in("unit", UNITS), name="unit_known"),
        sa.CheckConstraint(_in("value_type", VALUE_TYPES), name="value_type_known"),
        sa.CheckConstraint(_in("aggregation", AGGREGATIONS), name="aggregation_known"),
        sa.CheckConstraint(_in("direction", DIRECTIONS), name="direction_known"),
        # A percentage is a level or share: never added up over periods.
        sa.CheckConstraint(
            "value_type <> 'percentage' OR aggregation <> 'sum'", name="percentage_not_summed"
        ),
        sa.CheckConstraint(
            "(status = 'retired') = (retired_at IS NOT NULL)", name="retired_has_time"
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[str] = mapped_column(sa.String(20))
    # What a "count" counts ("apprenticeships", "weeks"); empty when the unit says it all.
    unit_label: Mapped[str | None] = mapped_column(sa.String(40))
    value_type: Mapped[str] = mapped_column(sa.String(20))
    aggregation: Mapped[str] = mapped_column(sa.String(20))
    direction: Mapped[str] = mapped_column(sa.String(10), default="more")
    # Keys from social_value_model.csv, separated by spaces: PPN 002 missions (M1-M5) and the
    # PPN 06/20 policy outcomes (T1.1-T5.2) for older contracts.
    ppn002_missions: Mapped[str] = mapped_column(sa.String(100), default="")
    ppn0620_outcomes: Mapped[str] = mapped_column(sa.String(100), default="")
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    # Ask for the home postcode sector of each person counted (local people employed).
    asks_postcode_sectors: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    status: Mapped[MeasureStatus] = mapped_column(
        string_enum(MeasureStatus, "measure_status", 20), default=MeasureStatus.ACTIVE
    )
    source: Mapped[str] = mapped_column(sa.Text, default="")
    licence: Mapped[str] = mapped_column(sa.Text, default="")
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    retired_at = mapped_column(UTCDateTime(), nullable=True)

    proxy = relationship("SocialValueProxy", uselist=False, back_populates="measure")


class SocialValueProxy(db.Model):
    """What one unit of a measure is taken to be worth in money, as an operator set it: an
    estimate, always shown with its source and year, never where none is set."""

    __tablename__ = "social_value_proxies"
    __table_args__ = (
        sa.CheckConstraint("pence_per_unit > 0", name="positive"),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year_plausible"),
    )

    measure_id: Mapped[str] = mapped_column(
        sa.ForeignKey("social_value_measures.id"), primary_key=True
    )
    # Pence per unit, to two places of a penny (a proxy per £ spent may be a fraction of £1).
    pence_per_unit = mapped_column(sa.Numeric(14, 2), nullable=False)
    source: Mapped[str] = mapped_column(sa.Text)
    year: Mapped[int] = mapped_column(sa.Integer)
    licence: Mapped[str] = mapped_column(sa.Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    measure = relationship("SocialValueMeasure", back_populates="proxy")
