"""Call-offs keep the DPS's calendar: the bank-holiday warning on a deadline follows the DPS's
nation, and the minimum tender period counts calendar days in London, across the clock change."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.extensions import db
from lots.opportunities import readiness
from lots.opportunities import services as opportunities
from lots.opportunities.models import OpportunityStatus
from tests.lots.helpers import ready_draft, setup_world

LONDON = ZoneInfo("Europe/London")
TOO_SHORT = "The deadline for bids must be at least 10 days after publication"


def _london(*args):
    return datetime(*args, tzinfo=LONDON).astimezone(timezone.utc)


@pytest.fixture
def world(app):
    return setup_world()


def _draft(world, published, deadline):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(published, tick=False):
        return ready_draft(
            user,
            buyer,
            lots[0],
            submission_deadline=deadline,
            question_deadline=deadline - timedelta(days=5),
        )


# The clocks go forward at 1am on Sunday 29 March 2026: noon on Friday 20 March is 12:00 UTC,
# noon on Monday 30 March is 11:00 UTC, 10 calendar days but 239 hours later.
SPRING_PUBLISHED = _london(2026, 3, 20, 12)


def test_ten_days_across_the_spring_clock_change_are_ten_calendar_days_in_london(world):
    deadline = _london(2026, 3, 30, 12)
    assert deadline - SPRING_PUBLISHED == timedelta(days=10) - timedelta(hours=1)
    opportunity = _draft(world, SPRING_PUBLISHED, deadline)
    assert readiness.problems(opportunity, SPRING_PUBLISHED) == {}
    with time_machine.travel(SPRING_PUBLISHED, tick=False):
        opportunities.publish(world[3], opportunity)
    db.session.expire_all()
    assert opportunity.status == OpportunityStatus.PUBLISHED


def test_an_hour_short_across_the_spring_clock_change_is_still_refused(world):
    opportunity = _draft(world, SPRING_PUBLISHED, _london(2026, 3, 30, 11))
    assert readiness.problems(opportunity, SPRING_PUBLISHED) == {"submission_deadline": TOO_SHORT}


# The clocks go back at 2am on Sunday 25 October 2026: noon on Friday 16 October is 11:00 UTC,
# 11am on Monday 26 October is 11:00 UTC: 240 hours, but an hour short of 10 days in London.
AUTUMN_PUBLISHED = _london(2026, 10, 16, 12)


def test_ten_days_across_the_autumn_clock_change_are_ten_calendar_days_in_london(world):
    short = _london(2026, 10, 26, 11)
    assert short - AUTUMN_PUBLISHED == timedelta(days=10)
    opportunity = _draft(world, AUTUMN_PUBLISHED, short)
    assert readiness.problems(opportunity, AUTUMN_PUBLISHED) == {"submission_deadline": TOO_SHORT}
    opportunity.submission_deadline = _london(2026, 10, 26, 12)
    assert readiness.problems(opportunity, AUTUMN_PUBLISHED) == {}


@pytest.mark.parametrize(
    ("calendar", "deadline", "holiday"),
    [
        ("scotland", _london(2026, 11, 30, 12), "Saint Andrew's Day"),
        ("northern-ireland", _london(2026, 3, 17, 12), "Saint Patrick's Day"),
        # 12 July 2026 is a Sunday: the holiday is kept on Monday 13 July.
        ("northern-ireland", _london(2026, 7, 13, 12), "Battle of the Boyne (observed)"),
        ("england-and-wales", _london(2026, 8, 31, 12), "Late Summer Bank Holiday"),
    ],
)
def test_a_deadline_on_a_bank_holiday_of_the_dps_nation_needs_confirming(
    world, calendar, deadline, holiday
):
    dps = world[1]
    published = deadline - timedelta(days=14)
    opportunity = _draft(world, published, deadline)
    dps.calendar = "england-and-wales" if calendar != "england-and-wales" else "scotland"
    db.session.commit()
    # Not a bank holiday in another nation: nothing to confirm there.
    assert readiness.problems(opportunity, published) == {}
    dps.calendar = calendar
    db.session.commit()
    assert readiness.problems(opportunity, published) == {
        "submission_deadline": f"The deadline falls on a bank holiday ({holiday}). "
        "Choose another day, or confirm you want it"
    }
    assert readiness.problems(opportunity, published, acknowledge_bank_holiday=True) == {}
