"""The decision time limit follows the DPS's own setting, and an extension goes up to 15 working
days, never below the DPS's own days, always with a reason."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from dps.models import Application
from dps.services import deciding
from tests.dps.helpers import make_admin, make_dps, submitted_application

# Monday 7 December 2026, 10:00 in London.
MONDAY = "2026-12-07 10:00:00+00:00"


def _extensions():
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.event_type == "extend_application")
        )
        .scalars()
        .all()
    )


def test_a_dps_deciding_in_5_working_days_takes_applications(app):
    admin = make_admin()
    dps, lots = make_dps(admin, admission_days=5)
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
    assert application.time_limit_days == 5
    assert application.standard_time_limit_days == 5
    # 5 working days after Monday 7 December.
    assert application.decision_due_on == date(2026, 12, 14)


def test_an_extension_goes_up_to_15_days_with_its_reason(app):
    admin = make_admin()
    dps, lots = make_dps(admin, admission_days=5, regime="pcr_2015", slug="pcr-dps")
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        deciding.extend_time_limit(admin, application, "References from two buyers", days=8)
    assert application.time_limit_days == 8
    assert application.decision_due_on == date(2026, 12, 17)
    assert _extensions()[0].detail["time_limit_days"] == [5, 8]
    # The default is the law's 15; and an extension can be extended again, up to 15.
    with time_machine.travel(MONDAY, tick=False):
        deciding.extend_time_limit(admin, application, "A third reference is late")
    assert application.time_limit_days == 15
    assert application.extension_reason == "A third reference is late"
    with pytest.raises(ServiceError, match="already been extended to 15 working days"):
        deciding.extend_time_limit(admin, application, "Still more time")


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (4, "more than the 5 working days"),
        (5, "more than the 5 working days"),
        (16, "at most 15 working days"),
        ("ten", "Enter the number of working days as a whole number"),
    ],
)
def test_an_extension_must_lengthen_the_limit_and_stay_within_15_days(app, days, message):
    admin = make_admin()
    dps, lots = make_dps(admin, admission_days=5)
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        with pytest.raises(ServiceError, match=message) as refused:
            deciding.extend_time_limit(admin, application, "Needs longer", days=days)
    assert refused.value.field == "days"
    assert application.time_limit_days == 5


@pytest.mark.parametrize(
    ("time_limit", "standard", "reason"),
    [
        (16, 10, "x"),  # beyond the law's 15
        (0, 0, None),  # no time at all
        (4, 5, "x"),  # an "extension" that shortens
        (12, 10, None),  # extended without a reason
    ],
)
def test_the_database_refuses_a_time_limit_no_dps_could_give(app, time_limit, standard, reason):
    admin = make_admin()
    dps, lots = make_dps(admin, admission_days=5)
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
    with pytest.raises(sa.exc.IntegrityError, match="ck_applications_"):
        db.session.execute(
            sa.update(Application)
            .where(Application.id == application.id)
            .values(
                time_limit_days=time_limit,
                standard_time_limit_days=standard,
                extension_reason=reason,
            )
        )
        db.session.flush()
    db.session.rollback()
