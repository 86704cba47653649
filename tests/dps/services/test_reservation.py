"""Reserved lots in the service layer: each records its basis in law, checked against its value
band when it is made (the Procurement Act 2023, ss 32-33, and the below-threshold reservations);
a supported-employment lot admits only a supplier whose workforce is at least 30% disabled or
disadvantaged, and a public-service-mutual lot only one meeting s33's conditions, at admission
and again at renewal."""

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from dps.models import (
    LotDecision,
    LotMembership,
    MembershipStatus,
    ReservationBasis,
    ReservedFor,
)
from dps.services import applying, deciding, renewals, setup
from tests.dps.helpers import (
    answered_application,
    make_admin,
    make_dps,
    make_supplier,
    sign_and_submit,
    upload,
)

MONDAY = "2026-12-07 10:00:00+00:00"


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    return admin, dps, lots


def _lot(admin, dps, number, **fields):
    return setup.add_lot(
        admin, dps, number=number, title=f"Lot {number}", description="Work", **fields
    )


# --- The lot's basis, against its value band ---------------------------------------------------


def test_a_vcse_reserved_lot_above_the_threshold_is_refused(world):
    admin, dps, lots = world
    with pytest.raises(ServiceError, match="threshold") as refused:
        setup.add_lot(
            admin,
            dps,
            number=9,
            title="Large VCSE lot",
            description="Too big to reserve",
            max_value_pence=50_000_000,
            reserved_for=ReservedFor.VCSE,
        )
    assert refused.value.field == "reserved_for"


def test_a_vcse_lot_must_be_below_the_lowest_buyer_threshold_vat_included(world):
    admin, dps, lots = world
    # £112,515 + VAT = £135,018: the central government threshold, so not below it.
    with pytest.raises(ServiceError, match=r"£135,018 including VAT"):
        _lot(admin, dps, 9, max_value_pence=11_251_500, reserved_for=ReservedFor.VCSE)
    lot = _lot(admin, dps, 9, max_value_pence=11_251_400, reserved_for=ReservedFor.VCSE)
    assert lot.reservation_basis == ReservationBasis.BELOW_THRESHOLD_VCSE


def test_a_light_touch_or_works_lot_is_measured_against_its_own_threshold(world):
    admin, dps, lots = world
    # £500,000 + VAT = £600,000: below the light-touch threshold of £663,540.
    light = _lot(
        admin,
        dps,
        9,
        max_value_pence=50_000_000,
        reserved_for=ReservedFor.VCSE,
        light_touch=True,
    )
    assert (light.light_touch, light.reservation_basis) == (
        True,
        ReservationBasis.BELOW_THRESHOLD_VCSE,
    )
    with pytest.raises(ServiceError, match=r"£663,540 including VAT"):
        _lot(
            admin,
            dps,
            10,
            max_value_pence=56_000_000,
            reserved_for=ReservedFor.VCSE,
            light_touch=True,
        )
    works = _lot(admin, dps, 10, max_value_pence=400_000_000, reserved_for="vcse", category="works")
    assert works.category.value == "works"
    with pytest.raises(ServiceError, match=r"£5,193,000 including VAT"):
        _lot(admin, dps, 11, max_value_pence=440_000_000, reserved_for="vcse", category="works")


def test_a_supported_employment_lot_may_be_above_the_threshold_and_records_its_basis(world):
    admin, dps, lots = world
    lot = _lot(
        admin, dps, 9, max_value_pence=100_000_000, reserved_for=ReservedFor.SUPPORTED_EMPLOYMENT
    )
    assert lot.reservation_basis == ReservationBasis.S32_SUPPORTED_EMPLOYMENT
    assert "section 32" in lot.basis_words
    event = (
        db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.event_type == "create_lot")
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert event.detail["reservation_basis"] == "s32_supported_employment"


def test_a_public_service_mutual_lot_must_be_for_light_touch_services(world):
    admin, dps, lots = world
    with pytest.raises(ServiceError, match="light-touch services") as refused:
        _lot(admin, dps, 9, max_value_pence=90_000_000, reserved_for="public_service_mutual")
    assert refused.value.field == "light_touch"
    with pytest.raises(ServiceError, match="Only a lot for services"):
        _lot(admin, dps, 9, max_value_pence=90_000_000, category="works", light_touch=True)
    lot = _lot(
        admin,
        dps,
        9,
        max_value_pence=90_000_000,
        reserved_for="public_service_mutual",
        light_touch=True,
    )
    assert lot.reservation_basis == ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL


def test_the_database_refuses_a_reserved_lot_without_its_basis(world):
    admin, dps, lots = world
    lot = lots[1]  # reserved for VCSEs
    lot.reservation_basis = ReservationBasis.S32_SUPPORTED_EMPLOYMENT
    with pytest.raises(IntegrityError, match="ck_lots_reservation_basis_matches"):
        db.session.flush()
    db.session.rollback()


# --- Admission to a supported-employment or public-service-mutual lot --------------------------


def _supported_employment(user, org, percent):
    evidence = upload(user, org, "selection_evidence", "workforce.pdf")
    return {
        "supported_employment": "yes",
        "workforce_disadvantaged_percent": str(percent),
        "workforce_evidence": "12 of our 40 staff, from our HR records on 1 October 2026",
        "workforce_evidence_document": evidence.id,
    }


def _applying(dps, lot, reserved_answers):
    user, org = make_supplier()
    application = answered_application(dps, [lot.id], user, org)
    raw = reserved_answers(user, org)
    assert applying.save_section(user, application, "reserved_lots", raw) == {}
    return user, org, application


@pytest.fixture
def supported(world):
    admin, dps, lots = world
    return (
        admin,
        dps,
        _lot(admin, dps, 9, max_value_pence=60_000_000, reserved_for="supported_employment"),
    )


def test_less_than_30_percent_of_the_workforce_stops_an_application(supported):
    admin, dps, lot = supported
    with time_machine.travel(MONDAY, tick=False):
        user, org, application = _applying(dps, lot, lambda u, o: _supported_employment(u, o, 29))
        problems = applying.problems_before_submit(application)
        assert "at least 30%" in problems[f"lot-{lot.id}"]
        assert "You told us 29%" in problems[f"lot-{lot.id}"]
        with pytest.raises(ServiceError, match="You told us 29%"):
            sign_and_submit(user, application)


def test_a_supplier_with_40_percent_is_admitted_to_a_supported_employment_lot(supported):
    admin, dps, lot = supported
    with time_machine.travel(MONDAY, tick=False):
        user, org, application = _applying(dps, lot, lambda u, o: _supported_employment(u, o, 40))
        sign_and_submit(user, application)
        decided = deciding.decide_lot(admin, application, lot.id, "admitted", "40% of staff")
    assert decided.decision == LotDecision.ADMITTED
    assert application.snapshot["answers"]["workforce_disadvantaged_percent"] == 40


def test_an_application_without_the_workforce_answer_cannot_be_admitted(supported):
    """One sent before the question was asked (an earlier questionnaire) is refused admission
    with the reason, not admitted by default."""
    admin, dps, lot = supported
    with time_machine.travel(MONDAY, tick=False):
        user, org = make_supplier()
        other = answered_application(dps, [dps.lots[0].id], user, org)
        sign_and_submit(user, other)
        other.lots[0].lot_id = lot.id  # as if applied for before the rule was checked
        db.session.commit()
        with pytest.raises(ServiceError, match="reserved for supported employment providers"):
            deciding.decide_lot(admin, other, lot.id, "admitted", "Looks fine")


def test_a_public_service_mutual_lot_needs_all_three_conditions(world):
    admin, dps, lots = world
    lot = _lot(
        admin,
        dps,
        9,
        max_value_pence=90_000_000,
        reserved_for="public_service_mutual",
        light_touch=True,
    )

    def mutual(owned):
        def answers(user, org):
            evidence = upload(user, org, "selection_evidence", "articles.pdf")
            return {
                "public_service_mutual": "yes",
                "mutual_public_service_mission": "yes",
                "mutual_profits": "yes",
                "mutual_ownership": owned,
                "mutual_evidence_document": evidence.id,
            }

        return answers

    with time_machine.travel(MONDAY, tick=False):
        user, org, application = _applying(dps, lot, mutual("no"))
        problems = applying.problems_before_submit(application)
        assert "does not meet all three conditions" in problems[f"lot-{lot.id}"]
        assert (
            applying.save_section(user, application, "reserved_lots", mutual("yes")(user, org))
            == {}
        )
        assert applying.problems_before_submit(application) == {}


# --- Renewal -------------------------------------------------------------------------------------


@pytest.fixture
def admitted(supported):
    admin, dps, lot = supported
    with time_machine.travel(MONDAY, tick=False):
        user, org, application = _applying(dps, lot, lambda u, o: _supported_employment(u, o, 40))
        applying.choose_lots(user, application, [lot.id, dps.lots[0].id])
        sign_and_submit(user, application)
        deciding.decide_lot(admin, application, lot.id, "admitted", "40% of staff")
        deciding.decide_lot(admin, application, dps.lots[0].id, "admitted", "Meets criteria")
        renewal = renewals.request_renewal(admin, org, dps)
    return admin, dps, lot, user, org, renewal


def _memberships(org):
    return {
        m.lot_id: m.status
        for m in db.session.execute(
            sa.select(LotMembership).where(LotMembership.organisation_id == org.id)
        ).scalars()
    }


def test_renewal_asks_again_for_the_share_of_the_workforce(admitted):
    admin, dps, lot, user, org, renewal = admitted
    with pytest.raises(ServiceError, match="percentage of your workforce") as refused:
        renewals.complete_renewal(user, renewal, True)
    assert refused.value.field == "workforce_percent"
    db.session.rollback()
    assert renewals.complete_renewal(user, renewal, True, workforce_percent=35) == []
    assert set(_memberships(org).values()) == {MembershipStatus.ADMITTED}


def test_renewal_under_30_percent_removes_the_supplier_from_the_reserved_lot_only(admitted):
    admin, dps, lot, user, org, renewal = admitted
    assert renewals.complete_renewal(user, renewal, True, workforce_percent=20) == [lot.id]
    held = _memberships(org)
    assert held[lot.id] == MembershipStatus.REMOVED
    assert held[dps.lots[0].id] == MembershipStatus.ADMITTED
    removed = db.session.execute(
        sa.select(LotMembership).where(
            LotMembership.organisation_id == org.id, LotMembership.lot_id == lot.id
        )
    ).scalar_one()
    assert "20% of your workforce" in removed.status_reason
