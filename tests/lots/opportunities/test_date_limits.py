"""Deadlines and contract dates are bounded (issue 15, item 9): deadlines only move later, so a
year typed wrong (9999) would be forever. A deadline falls at most DEADLINE_MAX_DAYS_AHEAD days
(365) from today, a contract starts within CONTRACT_MAX_YEARS (10) and lasts at most that long:
refused when a draft is saved, listed before publishing, refused on amendment and extension.
Every test runs at a fixed time (tests.lots.helpers.NOW) or relative to the bid world's own
deadline, never today's date."""

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from app.errors import ServiceError
from app.extensions import db
from lots.opportunities import amendments, readiness
from lots.opportunities import services as opportunities
from tests.lots.bidding import bidding_world
from tests.lots.helpers import NOW, ready_draft
from tests.lots.pages import error_links, error_summary

# NOW is Thursday 3 December 2026: a deadline may fall on any hour up to 3 December 2027.
LAST_DAY = datetime(2027, 12, 3, 17, 0, tzinfo=timezone.utc)
YEAR_9999 = datetime(9999, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_a_draft_deadline_more_than_365_days_ahead_is_refused(world):
    _admin, _dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        opportunities.update_draft(user, draft, submission_deadline=LAST_DAY)
        for name in ("submission_deadline", "question_deadline"):
            for too_far in (LAST_DAY + timedelta(days=1), YEAR_9999):
                with pytest.raises(ServiceError, match="on or before 3 December 2027") as no:
                    opportunities.update_draft(user, draft, **{name: too_far})
                assert no.value.field == name
                db.session.rollback()
        db.session.refresh(draft)
        assert draft.submission_deadline == LAST_DAY


def test_the_limit_is_configuration(app, world):
    _admin, _dps, lots, user, buyer = world
    app.config["DEADLINE_MAX_DAYS_AHEAD"] = 30
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])  # its deadline is 15 days on
        with pytest.raises(ServiceError, match="within 30 days of today, on or before 2 Jan"):
            opportunities.update_draft(user, draft, submission_deadline=NOW + timedelta(days=31))


def test_publishing_lists_a_deadline_that_has_become_too_far_ahead(app, world):
    """A draft saved under a longer limit is caught again before it is published."""
    _admin, _dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0], submission_deadline=LAST_DAY)
        assert "submission_deadline" not in readiness.problems(draft)
        app.config["DEADLINE_MAX_DAYS_AHEAD"] = 100
        found = readiness.problems(draft)
        assert found["submission_deadline"] == (
            "The deadline for bids must be within 100 days of today, on or before 13 March 2027"
        )
        with pytest.raises(ServiceError):
            opportunities.publish(user, draft)


def test_contract_dates_are_bounded_on_a_draft(world):
    _admin, _dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        opportunities.update_draft(
            user, draft, contract_start=date(2036, 12, 3), contract_months=120
        )
        for fields, field, message in [
            (
                {"contract_start": date(2036, 12, 4)},
                "contract_start",
                "on or before 3 December 2036",
            ),
            ({"contract_start": date(9999, 1, 1)}, "contract_start", "start within 10 years"),
            ({"contract_months": 121}, "contract_months", "enter 120 months or fewer"),
        ]:
            with pytest.raises(ServiceError, match=message) as refused:
                opportunities.update_draft(user, draft, **fields)
            assert refused.value.field == field
            db.session.rollback()


def test_a_published_deadline_cannot_be_extended_to_the_year_9999(app):
    world = bidding_world()
    o = world.opportunity
    deadline = o.submission_deadline
    with time_machine.travel(deadline - timedelta(days=5), tick=False):
        with pytest.raises(ServiceError, match="within 365 days") as refused:
            amendments.extend_deadline(world.buyer_user, o, YEAR_9999, "Typo")
        assert refused.value.field == "submission_deadline"
        db.session.rollback()
        with pytest.raises(ServiceError, match="start within 10 years") as refused:
            amendments.amend(world.buyer_user, o, "New start", contract_start=date(9999, 1, 1))
        assert refused.value.field == "contract_start"
        db.session.rollback()
        with pytest.raises(ServiceError, match="at most 10 years") as refused:
            amendments.amend(world.buyer_user, o, "Longer", contract_months=240)
        assert refused.value.field == "contract_months"
        db.session.rollback()
        db.session.refresh(o)
        assert o.submission_deadline == deadline
        assert o.contract_start is None and o.contract_months != 240
        amendments.extend_deadline(world.buyer_user, o, deadline + timedelta(days=7), "More time")


def _day(value):
    return [str(value.day), str(value.month), str(value.year)]


def test_the_pages_say_which_date_is_too_far_ahead(world, person):
    _admin, _dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{draft.id}"
        bea = person("bea@leeds.example")
        refused = bea.post(
            f"{home}/deadlines",
            {
                "question_date": _day(NOW + timedelta(days=7)),
                "question_hour": "12",
                "submission_date": ["1", "12", "9999"],
                "submission_hour": "12",
            },
        )
        assert error_summary(refused) == [
            "The deadline for bids must be within 365 days of today, on or before 3 December 2027"
        ]
        assert error_links(refused) == ["#submission_date"]
