"""The one-lot-per-provider cap holds when two operators decide at the same moment: the decision
locks the organisation's row, so the second one counts the first one's admission."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from dps.models import LotMembership
from tests.dps.helpers import decide_at_once, make_admin, make_dps, submitted_application

MONDAY = "2026-12-07 10:00:00+00:00"


def test_two_decisions_at_once_admit_to_only_one_capped_lot(app, monkeypatch):
    admin = make_admin()
    second_admin = make_admin("bo@operator.example")
    dps, lots = make_dps(admin)
    north, south = lots[2], lots[3]  # "Homecare patches": one per provider
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [north.id, south.id])
    ids = (application.id, admin.id, second_admin.id)
    db.session.commit()

    outcomes, errors = decide_at_once(
        app, monkeypatch, ids[0], [(ids[1], north.id), (ids[2], south.id)], MONDAY
    )
    assert errors == []
    assert sorted(outcomes.values()) == [
        "A provider can hold at most 1 lot in the ‘Homecare patches’ group, and you already "
        "hold 1.",
        "admitted",
    ]
    db.session.expire_all()
    held = db.session.execute(sa.select(LotMembership.lot_id)).scalars().all()
    assert len(held) == 1
