"""Reservation of call-offs against the threshold (the Procurement Act 2023, ss 32-33, and the
below-threshold reservations): the basis of each reserved call-off, checked at publication and
recorded on it; the selection stage a call-off below the threshold may not have; and which
notices the law makes mandatory."""

import pytest
import time_machine

from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import BuyerType
from dps.models import ReservedFor
from dps.services import setup
from lots.opportunities import readiness
from lots.opportunities import services as opportunities
from tests.lots.helpers import NOW, ready_draft, setup_world
from tests.lots.pages import soup, summary_rows, text


@pytest.fixture
def world(app):
    return setup_world()


def _lot(admin, dps, **fields):
    number = max(lot.number for lot in dps.lots) + 1
    return setup.add_lot(admin, dps, number=number, title="Reserved", description="Work", **fields)


def test_a_call_off_above_the_threshold_under_a_vcse_reserved_lot_is_not_published(world):
    admin, dps, lots, user, buyer = world
    lot = lots[1]  # reserved for VCSEs
    assert lot.reserved_for == ReservedFor.VCSE
    lot.max_value_pence = 60_000_000  # a lot made before its band was checked
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        # £500,000 + VAT = £600,000, far above the £207,720 threshold for a council.
        opportunity = ready_draft(user, buyer, lot, estimated_value_pence=50_000_000)
        assert "below the threshold" in readiness.problems(opportunity, NOW)["reserved"]
        with pytest.raises(ServiceError, match="below the threshold"):
            opportunities.publish(user, opportunity)


def test_a_central_government_buyer_meets_the_lower_threshold(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        # £120,000 + VAT = £144,000: below a council's £207,720, above central government's
        # £135,018.
        council = ready_draft(
            user, buyer, lots[3], estimated_value_pence=12_000_000, reserved_sme=True
        )
        assert "reserved" not in readiness.problems(council, NOW)
        buyer.buyer_type = BuyerType.CENTRAL_GOVERNMENT
        db.session.commit()
        assert "£135,018" in readiness.problems(council, NOW)["reserved"]


def test_a_supported_employment_call_off_above_the_threshold_publishes_with_its_basis(
    world, person
):
    admin, dps, lots, user, buyer = world
    lot = _lot(admin, dps, max_value_pence=60_000_000, reserved_for="supported_employment")
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lot, estimated_value_pence=50_000_000)
        assert readiness.problems(opportunity, NOW) == {}
        opportunities.publish(user, opportunity)
        assert opportunity.reservation_bases == ["s32_supported_employment"]
        facts = summary_rows(person().get(f"/opportunities/{opportunity.id}"), "opportunity-facts")
        lot_facts = summary_rows(person().get(f"/lots/{lot.id}"), "lot-facts")
    assert facts["Who can bid"].startswith("Reserved for supported employment providers")
    assert "section 32 of the Procurement Act 2023" in facts["Who can bid"]
    assert facts["What it buys"] == "Services"
    assert "section 32" in lot_facts["Why it can be reserved"]


def test_a_below_threshold_call_off_records_every_basis_it_combines(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[1], reserved_sme=True, reserved_area_code="TLE")
        opportunities.publish(user, opportunity)
    assert opportunity.reservation_bases == [
        "below_threshold_vcse",
        "below_threshold_sme",
        "below_threshold_area",
    ]


def test_a_public_service_mutual_call_off_lasts_at_most_5_years(world):
    admin, dps, lots, user, buyer = world
    lot = _lot(
        admin,
        dps,
        max_value_pence=90_000_000,
        reserved_for="public_service_mutual",
        light_touch=True,
    )
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lot, estimated_value_pence=70_000_000)
        assert "at most 60 months" in readiness.problems(opportunity, NOW)["contract_months"]
        opportunity.contract_months = 61
        assert "at most 60 months" in readiness.problems(opportunity, NOW)["contract_months"]
        opportunity.contract_months = 60
        # £700,000 + VAT: above even the light-touch threshold, which s33 allows.
        assert readiness.problems(opportunity, NOW) == {}


# --- Below the threshold: no selection stage, except for works -------------------------------


def _supplier_question(user, opportunity):
    opportunities.set_questions(
        user,
        opportunity,
        [
            {"kind": "quality", "text": "How?", "weight": 40},
            {"kind": "social_value", "text": "Local jobs?", "weight": 10},
            {"kind": "pass_fail", "text": "Do you hold ISO 9001?", "about": "supplier"},
            {"kind": "pass_fail", "text": "Will you deliver in Leeds?", "about": "bid"},
        ],
    )


def test_a_call_off_below_the_threshold_may_not_ask_about_the_supplier(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        _supplier_question(user, opportunity)
        found = readiness.problems(opportunity, NOW)
        assert "cannot ask pass/fail questions about the supplier" in found["questions"]
        assert "ISO 9001" in found["questions"]
        with pytest.raises(ServiceError, match="about the supplier"):
            opportunities.publish(user, opportunity)


def test_a_works_or_above_threshold_call_off_may_ask_about_the_supplier(world):
    admin, dps, lots, user, buyer = world
    works = _lot(admin, dps, max_value_pence=500_000_000, category="works")
    services = _lot(admin, dps, max_value_pence=50_000_000)
    with time_machine.travel(NOW, tick=False):
        small_works = ready_draft(user, buyer, works)
        assert small_works.category.value == "works"
        _supplier_question(user, small_works)
        assert readiness.problems(small_works, NOW) == {}
        large = ready_draft(user, buyer, services, estimated_value_pence=20_000_000)
        _supplier_question(user, large)
        assert readiness.problems(large, NOW) == {}


def test_a_question_about_the_supplier_must_be_pass_fail(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        with pytest.raises(ServiceError, match="about the bid or the supplier"):
            opportunities.set_questions(
                user, opportunity, [{"kind": "pass_fail", "text": "X", "about": "nobody"}]
            )
        db.session.rollback()
        opportunities.set_questions(
            user, opportunity, [{"kind": "quality", "text": "Y", "weight": 40, "about": "supplier"}]
        )
    assert opportunity.questions[0].about.value == "bid"


# --- Which notices are mandatory ---------------------------------------------------------------


@pytest.mark.parametrize(
    "buyer_type, value_pence, mandatory",
    [
        # £10,000 + VAT = £12,000: the central government notice threshold, reached.
        (BuyerType.CENTRAL_GOVERNMENT, 1_000_000, 2),
        (BuyerType.CENTRAL_GOVERNMENT, 999_900, 0),
        # £25,000 + VAT = £30,000: other bodies' notice threshold, reached.
        (BuyerType.LOCAL_AUTHORITY, 2_500_000, 2),
        (BuyerType.LOCAL_AUTHORITY, 2_400_000, 0),
        # £180,000 + VAT = £216,000: above a council's threshold of £207,720.
        (BuyerType.LOCAL_AUTHORITY, 18_000_000, 3),
    ],
)
def test_which_notices_are_mandatory(world, buyer_type, value_pence, mandatory):
    admin, dps, lots, user, buyer = world
    buyer.buyer_type = buyer_type
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[3], estimated_value_pence=value_pence)
        notices = readiness.notices(opportunity)
    assert len(notices.mandatory) == mandatory
    assert notices.above_threshold == (mandatory == 3)


def test_the_check_page_says_which_notices_are_mandatory(world, person):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        small = ready_draft(user, buyer, lots[0], estimated_value_pence=2_000_000)
        large = ready_draft(user, buyer, lots[0], estimated_value_pence=4_000_000)
        bea = person(user.email)
        base = f"/buyer/{buyer.id}/opportunities"
        small_page = soup(bea.get(f"{base}/{small.id}/check")).find(id="notices")
        large_page = soup(bea.get(f"{base}/{large.id}/check")).find(id="notices")
    assert "no notice is mandatory" in text(small_page)
    assert "£24,000 including VAT" in text(small_page)
    assert [text(li) for li in large_page.select("li")] == [
        "A tender notice (UK4), which publishing this opportunity gives",
        "A contract details notice (UK7) within 30 days of entering the contract",
    ]
