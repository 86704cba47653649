"""Patches: a set of lots, one per neighbourhood or local authority, made in one step with the same
category, value band, CPV codes and conditions, and a cap across the set (``Lot.cap_group``: one
lot per provider by default) so that the work spreads across providers. The cap is enforced where
every admission is decided (``dps.services.deciding``), under the organisation's row lock.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.reference import cpv, geography
from app.unitofwork import commit
from dps.models import Category, Lot, LotMembership, MembershipStatus, ReservedFor
from dps.services import lot_conditions, setup
from lots.opportunities.models import AreaType, LotArea, LotCpvCode
from lots.opportunities.permissions import require_operator


@dataclass(frozen=True)
class Patch:
    title: str
    areas: tuple  # local authority codes


def create_patch_set(
    admin,
    dps,
    *,
    group,
    description,
    max_value_pence,
    patches,
    cpv_codes,
    conditions=(),
    cap_per_provider=1,
    min_value_pence=0,
    reserved_for=ReservedFor.NONE,
    category=Category.SERVICES,
    light_touch=False,
):
    """Make one lot per patch in one transaction: each with the patch's local authorities as its
    areas, the same CPV codes, and the same conditions (``conditions``: the keyword arguments of
    ``lot_conditions.new_condition`` for each, shared by every patch). Returns the lots."""
    require_operator(admin, "Only the DPS operator can set up a DPS")
    group = (group or "").strip()
    if not group:
        raise ServiceError("Enter a name for the set of patches", "group")
    if db.session.execute(
        sa.select(Lot.id).where(Lot.dps_id == dps.id, Lot.cap_group == group)
    ).first():
        raise ServiceError(f"{dps.name} already has lots in the group ‘{group}’", "group")
    patches = [p for p in patches if p.title.strip() or p.areas]
    if len(patches) < 2:
        raise ServiceError("Give at least two patches, each with a name and an area", "patches")
    for number, patch in enumerate(patches, start=1):
        if not patch.title.strip():
            raise ServiceError(f"Enter a name for patch {number}", "patches")
        if not patch.areas:
            raise ServiceError(f"Choose the area of patch {number}", "patches")
        bad = [code for code in patch.areas if geography.local_authority(code) is None]
        if bad:
            raise ServiceError(f"{', '.join(bad)} is not a local authority", "patches")
    codes = sorted({c.strip() for c in cpv_codes if c and c.strip()})
    if not codes or not all(cpv.is_valid(c) for c in codes):
        raise ServiceError("Give CPV codes for the patches, like 85311000-2", "cpv_codes")
    if not isinstance(cap_per_provider, int) or not 1 <= cap_per_provider < len(patches):
        raise ServiceError(
            "The most patches a provider may hold must be at least 1 and fewer than the patches",
            "cap_per_provider",
        )
    number = max((lot.number for lot in dps.lots), default=0)
    lots = []
    for patch in patches:
        number += 1
        lot = setup.new_lot(
            admin,
            dps,
            number=number,
            title=f"{group}: {patch.title.strip()}",
            description=description,
            max_value_pence=max_value_pence,
            min_value_pence=min_value_pence,
            reserved_for=reserved_for,
            category=category,
            light_touch=light_touch,
            cap_group=group,
            cap_per_provider=cap_per_provider,
        )
        db.session.add_all([LotCpvCode(lot_id=lot.id, cpv_code=c) for c in codes])
        db.session.add_all(
            [
                LotArea(lot_id=lot.id, area_type=AreaType.LOCAL_AUTHORITY, code=code)
                for code in sorted(set(patch.areas))
            ]
        )
        lots.append(lot)
    made = [lot_conditions.new_condition(dps, lots=lots, **fields) for fields in conditions]
    db.session.flush()
    record(
        E.CREATE_PATCH_SET,
        subject=dps,
        actor=admin,
        detail={
            "group": group,
            "cap_per_provider": cap_per_provider,
            "lots": [lot.id for lot in lots],
            "areas": {lot.id: list(p.areas) for lot, p in zip(lots, patches, strict=True)},
            "cpv_codes": codes,
            "conditions": [c.id for c in made],
        },
    )
    commit()
    return lots


@dataclass(frozen=True)
class PatchRow:
    lot: Lot
    areas: list  # names
    holders: list  # organisations admitted


def patch_set(lot):
    """Every patch of the set ``lot`` belongs to, with its areas' names and who holds it
    (admitted suppliers, as the public directory shows them); None for a lot in no set."""
    if not lot.cap_group:
        return None
    lots = (
        db.session.execute(
            sa.select(Lot)
            .where(Lot.dps_id == lot.dps_id, Lot.cap_group == lot.cap_group)
            .order_by(Lot.number)
        )
        .scalars()
        .all()
    )
    ids = [lot.id for lot in lots]
    areas = {}
    for lot_id, area_type, code in db.session.execute(
        sa.select(LotArea.lot_id, LotArea.area_type, LotArea.code).where(LotArea.lot_id.in_(ids))
    ):
        if area_type == AreaType.NATIONAL:
            name = "The whole UK"
        elif area_type == AreaType.REGION:
            name = getattr(geography.region(code), "name", code)
        else:
            name = getattr(geography.local_authority(code), "name", code)
        areas.setdefault(lot_id, []).append(name)
    holders = {}
    for membership in db.session.execute(
        sa.select(LotMembership).where(
            LotMembership.lot_id.in_(ids), LotMembership.status == MembershipStatus.ADMITTED
        )
    ).scalars():
        holders.setdefault(membership.lot_id, []).append(membership.organisation)
    return [
        PatchRow(
            lot,
            sorted(areas.get(lot.id, [])),
            sorted(holders.get(lot.id, []), key=lambda o: o.display_name),
        )
        for lot in lots
    ]
