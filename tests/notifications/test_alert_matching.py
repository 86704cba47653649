"""Who hears about a new opportunity: each preference narrows as it should, and suspended,
excluded, unsubscribed and invited people get no alert."""

import pytest

from app.extensions import db
from app.timeutil import utcnow
from dps.models import MembershipStatus, SupplierExclusion
from tests.notifications.alerting import admit, alerted, follow, prefer, publish, supplier, world


@pytest.fixture
def alert_world(app, at_now):
    return world()


def _one(run_jobs, alert_world, publish_kwargs=None, **preference):
    admin, dps, lots, buyer_user, buyer = alert_world
    user, org = supplier("Test CIC", "pat@test.example")
    prefer(user, org, **preference)
    publish(buyer_user, buyer, lots[0], **(publish_kwargs or {}))
    run_jobs()
    return alerted() == ["pat@test.example"]


@pytest.mark.parametrize(
    "preference, expected",
    [
        ({}, True),  # any lot, no filters
        ({"lot_ids": "first"}, True),
        ({"lot_ids": "other"}, False),
        ({"cpv_divisions": ["85"]}, True),
        ({"cpv_divisions": ["45", "85"]}, True),
        ({"cpv_divisions": ["45"]}, False),
        ({"area_codes": ["LDS"]}, True),  # the opportunity's place
        ({"area_codes": ["TLE"]}, True),  # its region
        ({"area_codes": ["MAN"]}, False),
        ({"area_codes": ["TLD", "BST"]}, False),
        ({"min_value_pence": 1_000_000, "max_value_pence": 5_000_000}, True),  # it is £40,000
        ({"min_value_pence": 5_000_000}, False),
        ({"max_value_pence": 3_000_000}, False),
        ({"keywords": "befriending"}, True),
        ({"keywords": "plumbing, older people"}, True),  # any of them
        ({"keywords": "befriend"}, True),  # stemmed, as search is
        ({"keywords": "plumbing, roofing"}, False),
        ({"frequency": "daily"}, False),  # not at once
        ({"frequency": "never"}, False),
        ({"unsubscribed_at": "now"}, False),
    ],
)
def test_each_preference_narrows_what_matches(alert_world, run_jobs, preference, expected):
    lots = alert_world[2]
    if preference.get("lot_ids") == "first":
        preference["lot_ids"] = [lots[0].id]
    elif preference.get("lot_ids") == "other":
        preference["lot_ids"] = [lots[1].id]
    if preference.get("unsubscribed_at") == "now":
        preference["unsubscribed_at"] = utcnow()
    assert _one(run_jobs, alert_world, **preference) is expected


def test_uk_wide_work_matches_every_area(alert_world, run_jobs):
    assert _one(
        run_jobs,
        alert_world,
        {"location_type": "national", "location_code": None},
        area_codes=["MAN"],
    )


def test_a_region_matches_its_local_authorities(alert_world, run_jobs):
    assert _one(
        run_jobs,
        alert_world,
        {"location_type": "region", "location_code": "TLE"},
        area_codes=["LDS"],
    )


def test_admitted_lots_are_the_default_and_the_invitation_is_the_alert(alert_world, run_jobs):
    admin, dps, lots, buyer_user, buyer = alert_world
    invited_user, invited = supplier("Invited CIC", "ivy@invited.example")
    admit(invited, lots[0])
    # A preference that would match too: still only the invitation, never both.
    other_user, other = supplier("Also CIC", "al@also.example")
    admit(other, lots[0])
    prefer(other_user, other, admitted_lots=True)
    # No row at all and not admitted: the defaults match nothing.
    supplier("Quiet CIC", "quinn@quiet.example")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted("opportunity_invitation") == ["al@also.example", "ivy@invited.example"]
    assert alerted() == []


def test_admitted_lots_match_call_offs_the_organisation_was_not_invited_to(alert_world, run_jobs):
    """A call-off reserved for SMEs does not invite a large supplier of the lot; with its
    admitted lots chosen, the supplier still hears that it was published."""
    admin, dps, lots, buyer_user, buyer = alert_world
    big_user, big = supplier("Big Charity", "bo@big.example", sme=False)
    admit(big, lots[0])
    publish(buyer_user, buyer, lots[0], reserved_sme=True)
    run_jobs()
    assert alerted("opportunity_invitation") == []
    assert alerted() == ["bo@big.example"]


def test_a_suspended_or_excluded_supplier_gets_nothing(alert_world, run_jobs):
    admin, dps, lots, buyer_user, buyer = alert_world
    suspended_user, suspended = supplier("Suspended CIC", "sue@suspended.example")
    admit(suspended, lots[1], status=MembershipStatus.SUSPENDED)  # another lot, same DPS
    prefer(suspended_user, suspended)
    excluded_user, excluded = supplier("Excluded CIC", "ed@excluded.example")
    prefer(excluded_user, excluded)
    db.session.add(
        SupplierExclusion(
            organisation_id=excluded.id, kind="excluded", reason="Fraud", created_by_id=admin.id
        )
    )
    fine_user, fine = supplier("Fine CIC", "fi@fine.example")
    prefer(fine_user, fine)
    db.session.commit()
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["fi@fine.example"]


def test_saved_searches_match_once_confirmed(alert_world, run_jobs):
    admin, dps, lots, buyer_user, buyer = alert_world
    follow("confirmed@public.example", keywords="befriending", area_codes=["TLE"])
    follow("waiting@public.example", confirmed=False)
    follow("elsewhere@public.example", area_codes=["MAN"])
    follow("vcse@public.example", vcse_only=True)
    follow("quotes@public.example", opportunity_kind="quick_quote")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["confirmed@public.example"]


def test_one_email_per_address_however_many_of_its_alerts_match(alert_world, run_jobs):
    admin, dps, lots, buyer_user, buyer = alert_world
    user, org = supplier("Two Hats CIC", "two@hats.example")
    prefer(user, org)
    follow("two@hats.example")
    follow("two@hats.example", keywords="befriending")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted() == ["two@hats.example"]


def test_a_search_follower_whose_organisation_is_invited_gets_only_the_invitation(
    alert_world, run_jobs
):
    admin, dps, lots, buyer_user, buyer = alert_world
    user, org = supplier("Invited CIC", "ivy@invited.example")
    admit(org, lots[0])
    follow("ivy@invited.example")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert alerted("opportunity_invitation") == ["ivy@invited.example"]
    assert alerted() == []
