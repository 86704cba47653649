"""A call-off's contract conditions: payment terms (30 days by default from configuration, fewer
if the buyer chooses, never more than 30) and the Real Living Wage as a condition, with the rate
in force at publication (London's for London, the UK's elsewhere), frozen when it is published."""

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from app.reference import living_wage
from lots.opportunities import amendments, conditions, readiness
from lots.opportunities import services as opportunities
from lots.opportunities.models import LocationType
from tests.lots.helpers import NOW, make_buyer, ready_draft


@pytest.mark.parametrize(
    ("day", "year", "uk", "london"),
    [
        (date(2025, 10, 21), "2024-25", 1260, 1385),  # the day before the 2025 announcement
        (date(2025, 10, 22), "2025-26", 1345, 1480),
        (date(2026, 12, 3), "2025-26", 1345, 1480),
        (date(2022, 9, 22), "2022-23", 1090, 1195),  # announced early, in September
        (date(2014, 11, 1), "2014-15", 785, 915),  # a month-precision announcement
    ],
)
def test_the_rate_in_force_on_a_day(day, year, uk, london):
    rate = living_wage.rate_on(day)
    assert (rate.year, rate.pence(False), rate.pence(True)) == (year, uk, london)


def test_no_rate_before_the_first_one_held():
    assert living_wage.rate_on(date(2014, 10, 31)) is None


def test_payment_terms_default_to_the_configured_days_and_never_exceed_30(app, world):
    _, _, lots, user, buyer = world
    assert ready_draft(user, buyer, lots[0]).payment_terms_days == 30
    app.config["PAYMENT_TERMS_DAYS"] = 14
    assert ready_draft(user, buyer, lots[0]).payment_terms_days == 14
    app.config["PAYMENT_TERMS_DAYS"] = 60  # a wrong setting cannot break the policy
    assert ready_draft(user, buyer, lots[0]).payment_terms_days == 30


@pytest.mark.parametrize("days", [31, 60, 0, -1])
def test_a_buyer_may_not_choose_terms_longer_than_30_days(world, days):
    _, _, lots, user, buyer = world
    draft = ready_draft(user, buyer, lots[0])
    with pytest.raises(ServiceError, match="between 1 and 30 days") as refused:
        opportunities.update_draft(user, draft, payment_terms_days=days)
    assert refused.value.field == "payment_terms_days"
    db.session.refresh(draft)
    assert draft.payment_terms_days == 30


def test_a_buyer_may_choose_fewer_days(world):
    _, _, lots, user, buyer = world
    draft = ready_draft(user, buyer, lots[0])
    opportunities.update_draft(user, draft, payment_terms_days=14)
    assert draft.payment_terms_days == 14
    with time_machine.travel(NOW, tick=False):
        assert readiness.problems(draft, acknowledge_bank_holiday=True) == {}


def test_the_database_refuses_terms_longer_than_30_days(world):
    _, _, lots, user, buyer = world
    draft = ready_draft(user, buyer, lots[0])
    with pytest.raises(sa.exc.IntegrityError, match="ck_opportunities_payment_terms_at_most_30"):
        db.session.execute(
            sa.text("UPDATE opportunities SET payment_terms_days = 45 WHERE id = :id"),
            {"id": draft.id},
        )
        db.session.flush()
    db.session.rollback()


def _publish(user, opportunity):
    opportunities.publish(user, opportunity, acknowledge_bank_holiday=True)
    return opportunity


def test_the_uk_rate_in_force_at_publication_is_frozen_on_the_call_off(world):
    _, _, lots, user, buyer = world  # Leeds City Council, a national call-off
    draft = ready_draft(user, buyer, lots[0], real_living_wage=True, payment_terms_days=20)
    with time_machine.travel(NOW, tick=False):
        _publish(user, draft)
    assert (draft.living_wage_rate_pence, draft.living_wage_rate_year) == (1345, "2025-26")
    assert draft.living_wage_london is False
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.event_type == "publish_opportunity")
    ).scalar_one()
    assert event.detail["conditions"] == {
        "payment_terms_days": 20,
        "subcontract_payment_days": 30,
        "real_living_wage": True,
        "living_wage_rate_pence": 1345,
        "living_wage_rate_year": "2025-26",
        "living_wage_area": "UK",
    }
    # Frozen: neither the draft's fields nor an amendment can change them.
    with pytest.raises(ServiceError, match="Only a draft can be changed"):
        opportunities.update_draft(user, draft, payment_terms_days=10)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        with pytest.raises(ServiceError, match="cannot be amended: payment_terms_days"):
            amendments.amend(user, draft, "Shorter terms", payment_terms_days=10)
        with pytest.raises(ServiceError, match="cannot be amended: real_living_wage"):
            amendments.amend(user, draft, "No RLW", real_living_wage=False)


def test_the_rate_is_the_one_in_force_on_the_day_of_publication(world):
    """Published on 1 October 2025, before the 2025 announcement: the 2024-25 rate, kept."""
    _, _, lots, user, buyer = world
    deadline = datetime(2025, 10, 17, 11, 0, tzinfo=timezone.utc)  # midday in London
    draft = ready_draft(
        user,
        buyer,
        lots[0],
        real_living_wage=True,
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=5),
    )
    with time_machine.travel(datetime(2025, 10, 1, 9, tzinfo=timezone.utc), tick=False):
        _publish(user, draft)
    assert (draft.living_wage_rate_pence, draft.living_wage_rate_year) == (1260, "2024-25")


@pytest.mark.parametrize(
    ("location_type", "location_code", "london"),
    [
        (LocationType.REGION, "TLI", True),  # work in London
        (LocationType.LOCAL_AUTHORITY, "CMD", True),  # Camden
        (LocationType.LOCAL_AUTHORITY, "LDS", False),  # Leeds
        (LocationType.REGION, "TLE", False),
    ],
)
def test_the_london_rate_is_for_work_in_london(world, location_type, location_code, london):
    _, _, lots, user, buyer = world
    draft = ready_draft(
        user,
        buyer,
        lots[0],
        real_living_wage=True,
        location_type=location_type,
        location_code=location_code,
    )
    with time_machine.travel(NOW, tick=False):
        _publish(user, draft)
    assert draft.living_wage_london is london
    assert draft.living_wage_rate_pence == (1480 if london else 1345)


@pytest.mark.parametrize(
    ("local_authority", "region", "london"),
    [("CMD", None, True), (None, "TLI", True), ("LDS", "TLE", False), (None, None, False)],
)
def test_a_national_call_off_takes_the_buyers_place(world, local_authority, region, london):
    admin, dps, lots, _, _ = world
    user, buyer = make_buyer(admin, dps, email="ben@camden.example", name="A London buyer")
    buyer.local_authority_code, buyer.region_code = local_authority, region
    db.session.commit()
    draft = ready_draft(user, buyer, lots[0], real_living_wage=True)
    assert conditions.in_london(draft) is london


def test_without_the_condition_no_rate_is_stated(world):
    _, _, lots, user, buyer = world
    draft = ready_draft(user, buyer, lots[0])
    with time_machine.travel(NOW, tick=False):
        _publish(user, draft)
    assert draft.real_living_wage is False and draft.living_wage_rate_pence is None
    assert conditions.statements(draft)[1] == (
        "Real Living Wage",
        "Not a condition of this contract.",
    )


def test_a_published_call_off_with_the_condition_must_hold_its_rate(world):
    _, _, lots, user, buyer = world
    draft = ready_draft(user, buyer, lots[0], real_living_wage=True)
    with time_machine.travel(NOW, tick=False):
        _publish(user, draft)
    with pytest.raises(sa.exc.IntegrityError, match="ck_opportunities_living_wage_rate_frozen"):
        draft.living_wage_rate_pence = None
        db.session.flush()
    db.session.rollback()


def test_the_buyer_sets_the_conditions_on_the_draft_and_the_page_states_them(world, person):
    from tests.lots.pages import error_summary, section, soup, summary_rows

    _, _, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        draft = ready_draft(user, buyer, lots[0])
        home = f"/buyer/{buyer.id}/opportunities/{draft.id}"
        bea = person("bea@leeds.example")
        page = bea.get(f"{home}/conditions")
        assert "this service does not allow longer payment terms" in section(page, "payment-policy")
        assert "£13.45 an hour (UK rate, 2025-26)" in soup(page).get_text(" ")
        assert [" ".join(legend.get_text().split()) for legend in soup(page)("legend")] == [
            "Is paying the Real Living Wage a condition of the contract?"
        ]
        refused = bea.post(
            f"{home}/conditions", {"payment_terms_days": "45", "real_living_wage": "yes"}
        )
        assert error_summary(refused) == [
            "Payment terms must be between 1 and 30 days. This service does not allow terms "
            "longer than 30 days"
        ]
        assert error_summary(bea.post(f"{home}/conditions", {"payment_terms_days": "thirty"})) == [
            "Enter the payment terms as a whole number of days, like 30"
        ]
        saved = bea.post(
            f"{home}/conditions", {"payment_terms_days": "14", "real_living_wage": "yes"}
        )
        assert saved.status_code == 302
        db.session.refresh(draft)
        assert (draft.payment_terms_days, draft.real_living_wage) == (14, True)
        bea.post(f"{home}/publish", {"acknowledge_bank_holiday": "y"}, form_url=f"{home}/check")
        shown = summary_rows(person().get(f"/opportunities/{draft.id}"), "conditions")
        assert shown["Payment terms"].startswith(
            "The buyer pays undisputed invoices within 14 days."
        )
        assert shown["Real Living Wage"].endswith("£13.45 an hour (UK rate, 2025-26).")
