"""`flask dps daily` and `flask dps load-questionnaire`."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import LotMembership, MembershipStatus, Questionnaire
from dps.services import deciding, renewals, standing
from tests.dps.helpers import make_admin, make_dps, submitted_application


def run(app, *args):
    return app.test_cli_runner().invoke(args=["dps", *args])


def emails(template):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.template == template)
    ).scalar_one()


def statuses():
    db.session.expire_all()
    return {m.status for m in db.session.execute(sa.select(LotMembership)).scalars()}


def test_load_questionnaire_stores_the_standard_one_once(app):
    first = run(app, "load-questionnaire")
    assert first.exit_code == 0, first.output
    assert "version 2 is loaded" in first.output
    second = run(app, "load-questionnaire")
    assert second.exit_code == 0, second.output
    stored = db.session.execute(sa.select(Questionnaire)).scalars().all()
    assert [(q.version, bool(q.definition["sections"])) for q in stored] == [(2, True)]


def test_daily_reminds_then_suspends_and_says_how_many(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    with time_machine.travel("2026-12-07 10:00:00+00:00", tick=False):
        # Insurance certificates that expire on 30 December.
        application = submitted_application(dps, [lots[0].id], insurance_expiry="2026-12-30")
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets the criteria")
    with time_machine.travel("2026-12-17 10:00:00+00:00", tick=False):
        renewals.request_renewal(admin, application.organisation, dps)  # due 24 December

    # Wednesday 23 December: the last working day to renew, and 7 days before expiry.
    result = run(app, "daily", "--on", "2026-12-23")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Renewals: 1 reminded, 0 lapsed (suspended from new call-offs).",
        "Documents: 2 expiry reminders, 0 suspensions for expired certificates.",
        "Living wage: 0 suppliers flagged below a new rate.",
    ]
    assert (emails("renewal_reminder"), emails("document_expiring")) == (1, 2)
    # Run again the same day: nothing is sent twice.
    again = run(app, "daily", "--on", "2026-12-23")
    assert again.exit_code == 0, again.output
    assert (
        again.output.splitlines()[0] == "Renewals: 0 reminded, 0 lapsed (suspended from new "
        "call-offs)."
    )
    assert (emails("renewal_reminder"), emails("document_expiring")) == (1, 2)
    assert statuses() == {MembershipStatus.ADMITTED}

    # After the due date the renewal has lapsed: the supplier is suspended, once.
    result = run(app, "daily", "--on", "2026-12-29")
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[0]
        == "Renewals: 0 reminded, 1 lapsed (suspended from new call-offs)."
    )
    assert statuses() == {MembershipStatus.SUSPENDED}
    assert emails("supplier_suspended") == 1

    # Reinstated, but the certificates have now expired with none newer: suspended again.
    with time_machine.travel("2026-12-31 10:00:00+00:00", tick=False):
        standing.reinstate_supplier(admin, application.organisation, dps, "Declaration received")
    result = run(app, "daily", "--on", "2026-12-31")
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[1]
        == "Documents: 0 expiry reminders, 1 suspension for expired certificates."
    )
    assert statuses() == {MembershipStatus.SUSPENDED}


def test_daily_runs_for_today_by_default_and_refuses_a_bad_date(app):
    result = run(app, "daily")
    assert result.exit_code == 0, result.output
    assert "Renewals: 0 reminded, 0 lapsed" in result.output
    bad = run(app, "daily", "--on", "24/12/2026")
    assert bad.exit_code == 2
    assert "Give the date as YYYY-MM-DD" in bad.output
