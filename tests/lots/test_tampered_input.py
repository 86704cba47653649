"""Tampered values on the call-off pages (issue 15, item 8): an hour that is not on the list and
ids beyond any database integer get a message or a 404, never a 500. Every form is tried in
tests/app/test_hostile_input.py; these are the two the issue names."""

import time_machine

from lots.bids import services as bids
from tests.lots.bidding import bidding_world
from tests.lots.helpers import DEADLINE, NOW, ready_draft
from tests.lots.pages import error_summary, input_value

HUGE = "99999999999999"


def _deadlines(hour):
    day, bids_day = DEADLINE.date().replace(day=11), DEADLINE.date()
    return {
        "question_date": [str(day.day), str(day.month), str(day.year)],
        "question_hour": "12",
        "submission_date": [str(bids_day.day), str(bids_day.month), str(bids_day.year)],
        "submission_hour": hour,
    }


def test_an_hour_that_is_not_on_the_list_says_select_a_time(world, person):
    _admin, _dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        url = f"/buyer/{buyer.id}/opportunities/{draft.id}/deadlines"
        bea = person("bea@leeds.example")
        for hour in ("25", HUGE, "-1", "9.5"):
            page = bea.post(url, _deadlines(hour))
            assert page.status_code == 200, hour
            assert "Select a time" in error_summary(page), hour


def test_a_partner_organisation_id_beyond_any_database_is_not_a_500(app, person):
    world = bidding_world()
    user, org = world.suppliers[0]
    bids.start_bid(user, org, world.opportunity)
    url = f"/opportunities/{world.opportunity.id}/bid/partners"
    rosa = person("owner1@supplier1.example")
    row = {
        "partners-0-organisation_id": HUGE,
        "partners-0-name": "Leeds Volunteer Drivers",
        "partners-0-role": "subcontractor",
        "partners-0-share_percent": "10",
    }
    saved = rosa.post(url, row)
    assert saved.status_code in (200, 302)
    picked = rosa.post(url, {**row, "action": f"pick-{HUGE}", "query": "Supplier"})
    assert picked.status_code == 200
    assert input_value(picked, "partners-0-name") == "Leeds Volunteer Drivers"
