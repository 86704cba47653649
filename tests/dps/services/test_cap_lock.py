"""The one-lot-per-provider cap holds when two operators decide at the same moment: the decision
locks the organisation's row, so the second one counts the first one's admission."""

import threading

import sqlalchemy as sa
import time_machine

from app.accounts.models import User
from app.errors import ServiceError
from app.extensions import db
from dps.models import Application, LotMembership
from dps.services import deciding
from tests.dps.helpers import make_admin, make_dps, submitted_application

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

    # Hold each decision just after it has counted the lots held, until the other has counted
    # too (or two seconds have passed): without a lock both count none and both admit.
    counted = threading.Barrier(2)
    real_eligibility = deciding.lot_eligibility

    def eligibility_then_wait(*args, **kwargs):
        problems = real_eligibility(*args, **kwargs)
        try:
            counted.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return problems

    monkeypatch.setattr(deciding, "lot_eligibility", eligibility_then_wait)
    outcomes, errors = {}, []

    def decide(admin_id, lot_id):
        try:
            with app.app_context():
                try:
                    deciding.decide_lot(
                        db.session.get(User, admin_id),
                        db.session.get(Application, ids[0]),
                        lot_id,
                        "admitted",
                        "Meets every criterion",
                    )
                    outcomes[lot_id] = "admitted"
                except ServiceError as exc:
                    outcomes[lot_id] = str(exc)
                finally:
                    db.session.remove()
        except Exception as exc:  # reported below: an assert in a thread would be lost
            errors.append(exc)

    threads = [
        threading.Thread(target=decide, args=(ids[1], north.id)),
        threading.Thread(target=decide, args=(ids[2], south.id)),
    ]
    with time_machine.travel(MONDAY, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert sorted(outcomes.values()) == [
        "A provider can hold at most 1 lot in the ‘Homecare patches’ group, and you already "
        "hold 1.",
        "admitted",
    ]
    db.session.expire_all()
    held = db.session.execute(sa.select(LotMembership.lot_id)).scalars().all()
    assert len(held) == 1
