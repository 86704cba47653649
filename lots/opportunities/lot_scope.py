"""What a lot covers: CPV categories and areas (regions, local authorities, or the whole UK)."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.reference import cpv, geography
from app.unitofwork import commit
from lots.opportunities.models import AreaType, LotArea, LotCpvCode
from lots.opportunities.permissions import require_operator


def set_scope(admin, lot, cpv_codes, areas):
    """Replace a lot's CPV codes and areas. ``areas`` is a list of (area_type, code)."""
    require_operator(admin, "Only the DPS operator can change a lot")
    codes = sorted({c.strip() for c in cpv_codes if c and c.strip()})
    bad = [c for c in codes if not cpv.is_valid(c)]
    if bad:
        raise ServiceError(
            f"{', '.join(bad)} {'is not a CPV code' if len(bad) == 1 else 'are not CPV codes'}"
            ", like 85311000-2",
            "cpv_codes",
        )
    if not codes:
        raise ServiceError("Give at least one CPV code", "cpv_codes")
    cleaned = set()
    for area_type, code in areas:
        area_type = AreaType(area_type)
        if area_type == AreaType.NATIONAL:
            cleaned.add((area_type, "UK"))
        elif area_type == AreaType.REGION and geography.region(code) is None:
            raise ServiceError(f"{code} is not a UK region", "areas")
        elif area_type == AreaType.LOCAL_AUTHORITY and geography.local_authority(code) is None:
            raise ServiceError(f"{code} is not a local authority", "areas")
        else:
            cleaned.add((area_type, code))
    if not cleaned:
        raise ServiceError("Give at least one area, or the whole UK", "areas")
    db.session.execute(sa.delete(LotCpvCode).where(LotCpvCode.lot_id == lot.id))
    db.session.execute(sa.delete(LotArea).where(LotArea.lot_id == lot.id))
    db.session.add_all([LotCpvCode(lot_id=lot.id, cpv_code=c) for c in codes])
    db.session.add_all([LotArea(lot_id=lot.id, area_type=t, code=c) for t, c in sorted(cleaned)])
    record(
        E.UPDATE_LOT,
        subject=lot,
        actor=admin,
        detail={"cpv_codes": codes, "areas": [f"{t.value}:{c}" for t, c in sorted(cleaned)]},
    )
    commit()


def scope_of(lot_id):
    codes = (
        db.session.execute(
            sa.select(LotCpvCode.cpv_code)
            .where(LotCpvCode.lot_id == lot_id)
            .order_by(LotCpvCode.cpv_code)
        )
        .scalars()
        .all()
    )
    areas = db.session.execute(
        sa.select(LotArea.area_type, LotArea.code).where(LotArea.lot_id == lot_id)
    ).all()
    return codes, areas
