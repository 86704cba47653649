"""Patches: a set of lots made in one step, each with its own area and the set's category and
conditions, capped at one lot per provider across the set, and the cap holding on PostgreSQL
when two operators decide two patches of one application at the same moment."""

import pytest
import sqlalchemy as sa
import time_machine

from app.errors import ServiceError
from app.extensions import db
from dps.models import ConditionKind, Lot, LotMembership
from dps.services import lot_conditions
from lots.opportunities.lot_scope import scope_of
from lots.opportunities.patches import Patch, create_patch_set, patch_set
from tests.dps.helpers import (
    decide_at_once,
    make_admin,
    make_dps,
    make_supplier,
    submitted_application,
)

MONDAY = "2026-12-07 10:00:00+00:00"
PATCHES = [
    Patch("Newham", ("NWM",)),
    Patch("Tower Hamlets", ("TWH",)),
    Patch("Hackney", ("HCK",)),
]


def _patches(admin, dps, **overrides):
    fields = {
        "group": "East London homecare",
        "description": "Homecare visits",
        "max_value_pence": 50_000_000,
        "cpv_codes": ["85312000-9"],
        "patches": PATCHES,
        "conditions": (
            {"kind": ConditionKind.OFFICE_IN_AREA},
            {"kind": ConditionKind.CHARTER, "title": "UNISON Ethical Care Charter"},
        ),
    }
    return create_patch_set(admin, dps, **{**fields, **overrides})


def test_a_patch_set_is_made_in_one_step_with_shared_conditions_and_a_cap(app):
    admin = make_admin()
    dps, _lots = make_dps(admin)
    lots = _patches(admin, dps)
    assert [lot.label for lot in lots] == [
        "Lot 5: East London homecare: Newham",
        "Lot 6: East London homecare: Tower Hamlets",
        "Lot 7: East London homecare: Hackney",
    ]
    assert {(lot.cap_group, lot.cap_per_provider) for lot in lots} == {("East London homecare", 1)}
    codes, areas = scope_of(lots[1].id)
    assert codes == ["85312000-9"] and [(str(t), c) for t, c in areas] == [
        ("local_authority", "TWH")
    ]
    # One set of conditions, shared by every patch.
    shared = [c.id for c in lot_conditions.conditions_of_lots([lots[0].id])]
    assert len(shared) == 2
    for lot in lots[1:]:
        assert [c.id for c in lot_conditions.conditions_of_lots([lot.id])] == shared
    rows = patch_set(lots[0])
    assert [(r.lot.id, r.areas, r.holders) for r in rows] == [
        (lots[0].id, ["Newham"], []),
        (lots[1].id, ["Tower Hamlets"], []),
        (lots[2].id, ["Hackney"], []),
    ]


def test_a_patch_set_is_whole_or_not_at_all(app):
    admin = make_admin()
    dps, _lots = make_dps(admin)
    bad = [Patch("Newham", ("NWM",)), Patch("Nowhere", ("XXX",))]
    with pytest.raises(ServiceError, match="XXX is not a local authority"):
        _patches(admin, dps, patches=bad)
    with pytest.raises(ServiceError, match="at least two patches"):
        _patches(admin, dps, patches=PATCHES[:1])
    assert db.session.execute(sa.select(sa.func.count()).select_from(Lot)).scalar_one() == 4
    _patches(admin, dps)
    with pytest.raises(ServiceError, match="already has lots in the group"):
        _patches(admin, dps)


def test_two_decisions_at_once_admit_a_provider_to_only_one_patch(app, monkeypatch):
    """Two operators, two database connections, deciding two patches of one application at the
    same moment: one is admitted, the other refused by the cap."""
    admin = make_admin()
    second_admin = make_admin("bo@operator.example")
    dps, _lots = make_dps(admin)
    first, second, _third = _patches(admin, dps, conditions=())
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [first.id, second.id], user, org)
    ids = (application.id, admin.id, second_admin.id)
    db.session.commit()

    outcomes, errors = decide_at_once(
        app, monkeypatch, ids[0], [(ids[1], first.id), (ids[2], second.id)], MONDAY
    )
    assert errors == []
    assert sorted(outcomes.values()) == [
        "A provider can hold at most 1 lot in the ‘East London homecare’ group, and you already "
        "hold 1.",
        "admitted",
    ]
    db.session.expire_all()
    held = db.session.execute(sa.select(LotMembership.lot_id)).scalars().all()
    assert len(held) == 1
    rows = patch_set(first)
    assert sum(len(r.holders) for r in rows) == 1
