"""Who counts as a VCSE (the directory's filter, VCSE-reserved call-offs): the organisation's
latest decision, not any decision it ever had."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from dps import queries
from dps.models import LotMembership
from dps.services import applying, deciding, standing
from tests.dps.helpers import make_admin, make_dps, make_supplier, sign_and_submit
from tests.dps.helpers import submitted_application as submitted

MONDAY = "2026-12-07 10:00:00+00:00"
LATER = "2026-12-14 10:00:00+00:00"


def _vcse_ids():
    return set(db.session.execute(queries.vcse_organisation_ids()).scalars())


def _admitted_vcse(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = submitted(dps, [lots[1].id], user, org)
        deciding.decide_lot(admin, application, lots[1].id, "admitted", "An asset-locked CIO")
    assert _vcse_ids() == {org.id} and queries.vcse_among([org.id]) == {org.id}
    return admin, dps, lots, user, org


def _apply_again(dps, lot, user, org, is_vcse):
    application = applying.start_application(user, org, dps)
    vcse = {"is_vcse": "no"}
    if is_vcse:
        vcse = {**application.answers, "is_vcse": "yes"}
        vcse = {k: vcse[k] for k in ("is_vcse", "vcse_protection", "governing_document")}
    assert applying.save_section(user, application, "vcse_status", vcse) == {}
    applying.choose_lots(user, application, [lot.id])
    return sign_and_submit(user, application)


def test_an_organisation_whose_latest_application_says_it_is_not_a_vcse_is_not_one(app):
    admin, dps, lots, user, org = _admitted_vcse(app)
    with time_machine.travel(LATER, tick=False):
        again = _apply_again(dps, lots[0], user, org, is_vcse=False)
        deciding.decide_lot(admin, again, lots[0].id, "admitted", "Meets the criteria")
    assert _vcse_ids() == set()
    assert queries.vcse_among([org.id]) == set()
    assert queries.directory(vcse_only=True)[1] == 0


def test_an_organisation_whose_latest_application_was_rejected_is_not_counted(app):
    admin, dps, lots, user, org = _admitted_vcse(app)
    with time_machine.travel(LATER, tick=False):
        again = _apply_again(dps, lots[0], user, org, is_vcse=True)
        deciding.decide_lot(
            admin, again, lots[0].id, "rejected", "Your new constitution has no asset lock"
        )
    assert _vcse_ids() == set()


def test_an_organisation_removed_from_every_lot_is_not_counted(app):
    admin, dps, lots, user, org = _admitted_vcse(app)
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    with time_machine.travel(LATER, tick=False):
        standing.remove_from_lot(admin, membership, "It is no longer a charity")
    assert _vcse_ids() == set()


def test_other_organisations_keep_their_own_latest_decision(app):
    admin, dps, lots, user, org = _admitted_vcse(app)
    other_user, other = make_supplier("owner@other.example", "Other Community Trust")
    with time_machine.travel(LATER, tick=False):
        application = submitted(dps, [lots[0].id], other_user, other)
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets the criteria")
        again = _apply_again(dps, lots[0], user, org, is_vcse=False)
        deciding.decide_lot(admin, again, lots[0].id, "admitted", "Meets the criteria")
    assert _vcse_ids() == {other.id}
    assert queries.vcse_among([org.id, other.id]) == {other.id}
