"""The voluntary standstill counts 8 working days in the calendar of the DPS's nation."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.extensions import db
from lots.awards import services as awards
from tests.lots.bidding import (
    past_deadline,
    world_with_bids,
)
from tests.lots.evaluation.test_services import _to_proposal

LONDON = ZoneInfo("Europe/London")


def _midnight(year, month, day):
    return datetime(year, month, day, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("confirmed", "calendar", "ends"),
    [
        # Friday 27 November 2026. In England and Wales the 8th working day is Wednesday
        # 9 December; in Scotland Monday 30 November is St Andrew's Day, so it is Thursday 10th.
        ((2026, 11, 27), "england-and-wales", _midnight(2026, 12, 10)),
        ((2026, 11, 27), "scotland", _midnight(2026, 12, 11)),
        # Monday 16 March 2026: Tuesday 17th is St Patrick's Day in Northern Ireland only.
        ((2026, 3, 16), "england-and-wales", _midnight(2026, 3, 27)),
        ((2026, 3, 16), "northern-ireland", _midnight(2026, 3, 28)),
        ((2026, 3, 16), "scotland", _midnight(2026, 3, 27)),
        # Friday 10 July 2026: the Battle of the Boyne (Sunday 12th) is kept on Monday 13th.
        ((2026, 7, 10), "england-and-wales", _midnight(2026, 7, 23)),
        ((2026, 7, 10), "northern-ireland", _midnight(2026, 7, 24)),
        # Friday 31 July 2026: Monday 3 August is Scotland's summer bank holiday ...
        ((2026, 7, 31), "scotland", _midnight(2026, 8, 14)),
        ((2026, 7, 31), "england-and-wales", _midnight(2026, 8, 13)),
        # ... and Monday 31 August is England's, Wales's and Northern Ireland's.
        ((2026, 8, 28), "england-and-wales", _midnight(2026, 9, 11)),
        ((2026, 8, 28), "northern-ireland", _midnight(2026, 9, 11)),
        ((2026, 8, 28), "scotland", _midnight(2026, 9, 10)),
    ],
)
def test_the_standstill_skips_the_bank_holidays_of_the_dps_nation(app, confirmed, calendar, ends):
    now = datetime(*confirmed, 15, tzinfo=timezone.utc)
    assert awards.standstill_end(now, True, calendar) == ends


def test_the_calendar_must_be_given():
    with pytest.raises(TypeError, match="calendar"):
        awards.standstill_end(datetime(2026, 11, 27, 15, tzinfo=timezone.utc), True)


def test_a_scottish_award_confirmed_before_st_andrews_day_does_not_end_a_day_early(app):
    w = world_with_bids(3, (3_000_000,) * 3)
    w.dps.calendar = "scotland"
    w.opportunity.voluntary_standstill = True
    db.session.commit()
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        award = _to_proposal(w)
    # Confirmed at 3pm on Friday 27 November 2026.
    with time_machine.travel(datetime(2026, 11, 27, 15, tzinfo=timezone.utc), tick=False):
        awards.confirm(w.ann, w.opportunity)
    assert award.standstill_ends_at == _midnight(2026, 12, 11)
    assert award.standstill_ends_at - _midnight(2026, 11, 28) == timedelta(days=13)
