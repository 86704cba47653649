"""Lot conditions as data: each kind checked in the application and again at renewal, evidence
confirmed by the operator before admission, and the flag raised when a supplier stops meeting one
(an office moved out of the area; a wage below a new rate once its pay-by date has come), which
the operator may turn into a suspension from that lot."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from app.errors import Conflict, NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxStatus
from app.outbox.rendering import render_email
from dps.models import (
    ConditionFlag,
    ConditionKind,
    FlagStatus,
    LotMembership,
    MembershipStatus,
)
from dps.services import (
    applying,
    condition_answers,
    condition_flags,
    deciding,
    lot_conditions,
    renewals,
    wage_rates,
)
from lots.opportunities.patches import Patch, create_patch_set
from tests.dps.helpers import (
    answered_application,
    make_admin,
    make_dps,
    make_supplier,
    sign_and_submit,
    upload,
)
from tests.reading import audit_events, emails

MONDAY = "2026-12-07 10:00:00+00:00"
HOMECARE = "85312000-9"

CONDITIONS = (
    {"kind": ConditionKind.OFFICE_IN_AREA},
    {"kind": ConditionKind.LIVING_WAGE, "london": True},
    {"kind": ConditionKind.CHARTER, "title": "UNISON Ethical Care Charter"},
    {"kind": ConditionKind.WORKFORCE},
    {
        "kind": ConditionKind.YES_NO,
        "title": "Do your care workers get paid travel time?",
        "evidence_required": True,
    },
)


def make_patches(admin, dps, conditions=CONDITIONS):
    return create_patch_set(
        admin,
        dps,
        group="East London homecare",
        description="Homecare visits",
        max_value_pence=50_000_000,
        cpv_codes=[HOMECARE],
        patches=[Patch("Newham", ("NWM",)), Patch("Tower Hamlets", ("TWH",))],
        conditions=conditions,
    )


@pytest.fixture
def market(app):
    admin = make_admin()
    dps, _lots = make_dps(admin)
    newham, tower_hamlets = make_patches(admin, dps)
    user, org = make_supplier()
    return admin, dps, newham, tower_hamlets, user, org


def by_kind(lot):
    return {c.kind: c for c in lot_conditions.conditions_of_lots([lot.id])}


def good_answers(user, org, conditions, **changes):
    """{condition id: raw answer} meeting every condition of the Newham patch."""
    lease = upload(user, org, "selection_evidence", "lease.pdf")
    charter = upload(user, org, "selection_evidence", "charter.pdf")
    travel = upload(user, org, "selection_evidence", "travel.pdf")
    raw = {
        ConditionKind.OFFICE_IN_AREA: {
            "address": "1 Broadway, Stratford",
            "postcode": "e15 4bq",
            "document": lease.id,
        },
        ConditionKind.LIVING_WAGE: {"accredited": "no", "lowest_rate": "14.90"},
        ConditionKind.CHARTER: {"signed": "yes", "document": charter.id},
        ConditionKind.WORKFORCE: {
            "description": "We recruit in Newham",
            "report": "12 of 15 new staff live in the borough",
        },
        ConditionKind.YES_NO: {"answer": "yes", "document": travel.id},
    }
    for kind, change in changes.items():
        raw[ConditionKind(kind)] = {**raw[ConditionKind(kind)], **change}
    return {condition.id: raw[kind] for kind, condition in conditions.items()}


def admitted_to_newham(admin, dps, newham, user, org):
    conditions = by_kind(newham)
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        assert (
            lot_conditions.save_answers(user, application, good_answers(user, org, conditions))
            == {}
        )
        sign_and_submit(user, application)
        for declaration in lot_conditions.declarations_of(application):
            if declaration.document_id:
                lot_conditions.confirm_evidence(admin, declaration)
        deciding.decide_lot(admin, application, newham.id, "admitted", "Meets the conditions")
    return application


def test_each_condition_is_checked_in_the_application(market):
    admin, dps, newham, _th, user, org = market
    conditions = by_kind(newham)
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        assert applying.progress(application).conditions == "not_started"
        assert applying.next_step(application, "lots").kind == "conditions"
        raw = good_answers(
            user,
            org,
            conditions,
            office_in_area={"postcode": "E1 6AN"},  # Tower Hamlets, not Newham
            living_wage={"lowest_rate": "13.00"},  # below London's £14.80
            charter={"signed": "no"},
            workforce={"description": ""},
            yes_no={"answer": "no"},
        )
        errors = lot_conditions.save_answers(user, application, raw)
        # Only the empty description is a mistake in the answer itself...
        workforce = conditions[ConditionKind.WORKFORCE]
        assert errors == {
            f"c{workforce.id}-description": "Describe how you recruit from and reflect the "
            "community"
        }
        # ...the others are answers that do not meet the lot's conditions, and stop submission.
        problems = applying.problems_before_submit(application)
        messages = {k: v for k, v in problems.items() if k.startswith("condition-")}
        assert messages == {
            f"condition-{conditions[ConditionKind.OFFICE_IN_AREA].id}": (
                "Lot 5: East London homecare: Newham needs an office in Newham. E1 6AN is not in "
                "the area (it is in Tower Hamlets)."
            ),
            f"condition-{conditions[ConditionKind.LIVING_WAGE].id}": (
                "Lot 5: East London homecare: Newham needs staff on its work to be paid at least "
                "the London Living Wage, £14.80 an hour (2025-26) from 22 April 2026. The lowest "
                "rate declared is £13."
            ),
            f"condition-{conditions[ConditionKind.CHARTER].id}": (
                "Lot 5: East London homecare: Newham needs you to have signed up to the UNISON "
                "Ethical Care Charter"
            ),
            f"condition-{workforce.id}": "Answer the condition ‘Recruit from and reflect the "
            "community’ for Lot 5: East London homecare: Newham",
            f"condition-{conditions[ConditionKind.YES_NO].id}": (
                "Lot 5: East London homecare: Newham needs the answer ‘yes’ to: Do your care "
                "workers get paid travel time?"
            ),
        }
        with pytest.raises(ServiceError):
            sign_and_submit(user, application)
        assert (
            lot_conditions.save_answers(user, application, good_answers(user, org, conditions))
            == {}
        )
        assert applying.problems_before_submit(application) == {}
        assert applying.progress(application).conditions == "completed"
        sign_and_submit(user, application)
    frozen = application.snapshot["condition_answers"]
    assert frozen[str(conditions[ConditionKind.OFFICE_IN_AREA].id)]["postcode"] == "E15 4BQ"
    assert frozen[str(conditions[ConditionKind.LIVING_WAGE].id)]["lowest_rate_pence"] == 1490


def test_admission_waits_for_the_operator_to_confirm_the_evidence(market):
    admin, dps, newham, _th, user, org = market
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        lot_conditions.save_answers(user, application, good_answers(user, org, by_kind(newham)))
        sign_and_submit(user, application)
        with pytest.raises(ServiceError, match="Confirm the evidence for ‘An office in the lot"):
            deciding.decide_lot(admin, application, newham.id, "admitted", "Good")
        with_evidence = [d for d in lot_conditions.declarations_of(application) if d.document_id]
        assert len(with_evidence) == 3  # the lease, the charter, the yes/no's evidence
        for declaration in with_evidence:
            lot_conditions.confirm_evidence(admin, declaration)
        deciding.decide_lot(admin, application, newham.id, "admitted", "Good")
    assert db.session.execute(sa.select(LotMembership.status)).scalar_one() == "admitted"


def test_an_accredited_living_wage_employer_meets_the_wage_condition_with_evidence(market):
    _admin, _dps, newham, _th, user, org = market
    wage = by_kind(newham)[ConditionKind.LIVING_WAGE]
    accreditation = upload(user, org, "selection_evidence", "lwf.pdf")
    assert condition_answers.check(wage, newham, {"accredited": "yes"}).met is False
    answer = {"accredited": "yes", "document": accreditation.id}
    assert condition_answers.check(wage, newham, answer).met is True


def test_an_office_in_the_lots_own_area_only(market):
    _admin, _dps, newham, tower_hamlets, _user, _org = market
    office = by_kind(newham)[ConditionKind.OFFICE_IN_AREA]
    answer = {"address": "1 High St", "postcode": "E15 4BQ", "document": 1}
    assert condition_answers.check(office, newham, answer).met is True
    assert condition_answers.check(office, tower_hamlets, answer).met is False
    unknown = condition_answers.check(office, newham, {**answer, "postcode": "ZZ1 1ZZ"})
    assert unknown.reason == "We cannot find the postcode ZZ1 1ZZ"


def test_renewal_asks_again_and_flags_an_office_moved_out_of_the_area(market):
    admin, dps, newham, _th, user, org = market
    admitted_to_newham(admin, dps, newham, user, org)
    conditions = by_kind(newham)
    with time_machine.travel("2027-01-11 10:00:00+00:00", tick=False):
        renewal = renewals.request_renewal(admin, org, dps)
        with pytest.raises(ServiceError) as refused:
            renewals.complete_renewal(user, renewal, True)
        assert refused.value.field == f"c{conditions[ConditionKind.OFFICE_IN_AREA].id}-address"
        # The workforce commitment is reported on at renewal, not only described.
        answers = good_answers(user, org, conditions)
        workforce = conditions[ConditionKind.WORKFORCE]
        answers[workforce.id] = {"description": "We recruit in Newham"}
        with pytest.raises(ServiceError, match="Tell us what you have done"):
            renewals.complete_renewal(user, renewal, True, condition_answers=answers)
        moved = good_answers(
            user, org, conditions, office_in_area={"address": "2 Mile End Rd", "postcode": "E1 6AN"}
        )
        renewals.complete_renewal(user, renewal, True, condition_answers=moved)
    flag = db.session.execute(sa.select(ConditionFlag)).scalar_one()
    assert flag.lot_id == newham.id and flag.status == FlagStatus.OPEN
    assert "E1 6AN is not in the area (it is in Tower Hamlets)" in flag.reason
    assert condition_flags.open_flags(dps.id) == [flag]
    # Flagged, not removed: the operator decides.
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    assert membership.status == MembershipStatus.ADMITTED
    with pytest.raises(ServiceError, match="Enter the reasons"):
        condition_flags.suspend_for_flag(admin, flag, " ")
    condition_flags.suspend_for_flag(admin, flag, "Your office is no longer in Newham")
    assert membership.status == MembershipStatus.SUSPENDED
    assert membership.status_reason == "Your office is no longer in Newham"
    assert flag.status == FlagStatus.SUSPENDED
    [email] = emails("supplier_suspended_from_lot")
    assert email.recipient == user.email


def test_a_change_the_supplier_declares_is_checked_and_flagged(market):
    admin, dps, newham, _th, user, org = market
    admitted_to_newham(admin, dps, newham, user, org)
    office = by_kind(newham)[ConditionKind.OFFICE_IN_AREA]
    lease = upload(user, org, "selection_evidence", "new-lease.pdf")
    raw = {"address": "9 Barking Rd", "postcode": "E13 9PJ", "document": lease.id}
    assert condition_flags.declare_change(user, org, office, raw) == []  # still in Newham
    raw = {"address": "2 Mile End Rd", "postcode": "E1 6AN", "document": lease.id}
    [flag] = condition_flags.declare_change(user, org, office, raw)
    assert flag.condition_id == office.id
    condition_flags.dismiss_flag(admin, flag, "A second office in Newham is opening next week")
    assert flag.status == FlagStatus.DISMISSED
    assert condition_flags.open_flags() == []


def test_a_new_wage_rate_is_announced_and_flags_suppliers_below_it_after_its_date(market):
    admin, dps, newham, _th, user, org = market
    admitted_to_newham(admin, dps, newham, user, org)  # declared £14.90 an hour
    other_user, other = make_supplier("owner@accredited.example", "Accredited Care")
    accreditation = upload(other_user, other, "selection_evidence", "lwf.pdf")
    conditions = by_kind(newham)
    answers = good_answers(
        other_user,
        other,
        conditions,
        living_wage={"accredited": "yes", "document": accreditation.id},
    )
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], other_user, other)
        assert lot_conditions.save_answers(other_user, application, answers) == {}
        sign_and_submit(other_user, application)
        for declaration in lot_conditions.declarations_of(application):
            if declaration.document_id:
                lot_conditions.confirm_evidence(admin, declaration)
        deciding.decide_lot(admin, application, newham.id, "admitted", "Good")
        wage_rates.load_rate(
            admin,
            rate_year="2026-27",
            announced_on=date(2026, 10, 20),
            pay_by=date(2027, 5, 1),
            uk_pence=1410,
            london_pence=1550,
        )
    told = emails("living_wage_rate_announced")
    assert sorted(e.recipient for e in told) == ["owner@accredited.example", user.email]
    subject, text, _ = render_email(told[0].template, told[0].personalisation)
    assert subject == "The new London Living Wage: pay it by 1 May 2027"
    assert "at least £15.50 an hour by 1 May 2027" in text
    assert wage_rates.rate_on(date(2026, 12, 7)).year == "2026-27"  # announced, in force
    assert wage_rates.must_pay_on(date(2027, 4, 30)).year == "2025-26"  # not yet to be paid
    assert condition_flags.check_wages(date(2027, 4, 30)) == {"flagged": 0}
    assert condition_flags.check_wages(date(2027, 5, 1)) == {"flagged": 1}
    assert condition_flags.check_wages(date(2027, 5, 2)) == {"flagged": 0}  # once per rate
    flag = db.session.execute(sa.select(ConditionFlag)).scalar_one()
    assert flag.organisation_id == org.id and flag.cause == "rate:2026-27"
    assert "£15.50 an hour (2026-27) from 1 May 2027. The lowest rate declared is £14.90" in (
        flag.reason
    )
    with pytest.raises(ServiceError, match="already been loaded"):
        wage_rates.load_rate(
            admin,
            rate_year="2026-27",
            announced_on=date(2026, 10, 20),
            pay_by=date(2027, 5, 1),
            uk_pence=1410,
            london_pence=1550,
        )


def _notices(dps):
    from publishing.models import Notice

    return db.session.execute(
        sa.select(Notice.notice_type, Notice.version, Notice.event)
        .where(Notice.dps_id == dps.id)
        .order_by(Notice.id)
    ).all()


def test_conditions_are_fixed_for_the_life_of_an_established_2023_act_market(market):
    admin, dps, newham, tower_hamlets, user, org = market
    before = _notices(dps)
    # Established (its start date has come): no lot takes a new condition, held or not.
    for lots in ([tower_hamlets], [newham, tower_hamlets]):
        with pytest.raises(Conflict, match="fixed for its life") as refused:
            lot_conditions.add_condition(
                admin, dps, lots, kind=ConditionKind.CHARTER, title="Good employment charter"
            )
        assert refused.value.field == "lots"
    db.session.rollback()
    admitted_to_newham(admin, dps, newham, user, org)
    with pytest.raises(Conflict, match="add a new lot or set up a new market"):
        lot_conditions.add_condition(
            admin, dps, [newham], kind=ConditionKind.YES_NO, title="Do you pay travel time?"
        )
    db.session.rollback()
    assert [c.id for c in by_kind(tower_hamlets).values()] == [
        c.id for c in by_kind(newham).values()
    ]
    assert _notices(dps) == before  # nothing published for a refused change
    assert emails("conditions_changed") == []


def test_before_a_2023_act_market_is_established_a_condition_is_added_and_its_notice_corrected(
    market,
):
    admin, dps, newham, tower_hamlets, _user, _org = market
    dps.starts_on = date(dps.ends_on.year - 1, 1, 4)  # not yet open, and nobody admitted
    db.session.commit()
    version = max(n.version for n in _notices(dps) if n.notice_type == "UK14")
    condition = lot_conditions.add_condition(
        admin, dps, [tower_hamlets], kind=ConditionKind.CHARTER, title="Good employment charter"
    )
    assert [lot.id for lot in condition.lots] == [tower_hamlets.id]
    assert condition in by_kind(tower_hamlets).values()
    assert condition not in by_kind(newham).values()
    assert max(n.version for n in _notices(dps) if n.notice_type == "UK14") == version + 1
    [event] = audit_events("add_membership_condition")[-1:]
    assert event.detail["rule"] == "not_established" and event.detail["lots"] == [tower_hamlets.id]


def test_a_condition_waits_for_the_applications_made_without_it(app):
    admin = make_admin()
    dps, _lots = make_dps(admin, regime="pcr_2015", slug="pcr")
    newham, tower_hamlets = make_patches(admin, dps, conditions=())
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        sign_and_submit(user, application)
    with pytest.raises(Conflict, match="Decide the applications waiting for .*Newham first"):
        lot_conditions.add_condition(
            admin, dps, [newham, tower_hamlets], kind=ConditionKind.WORKFORCE
        )
    db.session.rollback()
    assert lot_conditions.conditions_of_lots([newham.id, tower_hamlets.id]) == []
    with time_machine.travel(MONDAY, tick=False):
        deciding.decide_lot(admin, application, newham.id, "rejected", "No office in Newham")
    lot_conditions.add_condition(admin, dps, [newham], kind=ConditionKind.WORKFORCE)
    assert list(by_kind(newham)) == [ConditionKind.WORKFORCE]


def test_only_the_operator_adds_a_condition_and_only_to_lots_of_its_dps(market):
    admin, dps, newham, _th, user, _org = market
    other, _other_lots = make_dps(admin, slug="other")
    with pytest.raises(NotAllowed):
        lot_conditions.add_condition(user, dps, [newham], kind=ConditionKind.WORKFORCE)
    with pytest.raises(ServiceError, match="Select at least one lot"):
        lot_conditions.add_condition(admin, dps, [], kind=ConditionKind.WORKFORCE)
    with pytest.raises(ServiceError, match="Select lots of this DPS"):
        lot_conditions.add_condition(admin, other, [newham], kind=ConditionKind.WORKFORCE)


def test_under_pcr_2015_members_are_told_of_a_new_condition_and_a_notice_published(app):
    admin = make_admin()
    dps, _lots = make_dps(admin, regime="pcr_2015", slug="pcr")
    newham, _th = make_patches(admin, dps, conditions=())
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        sign_and_submit(user, application)
        deciding.decide_lot(admin, application, newham.id, "admitted", "Good")
        before = _notices(dps)
        lot_conditions.add_condition(
            admin, dps, [newham], kind=ConditionKind.CHARTER, title="Good employment charter"
        )
    [email] = emails("conditions_changed")
    assert email.recipient == user.email
    _subject, text, _ = render_email(email.template, email.personalisation)
    assert (
        f"A new condition of membership applies to {newham.label}: Good employment charter." in text
    )
    assert "regulation 34 of the Public Contracts Regulations 2015" in text
    after = _notices(dps)
    assert len(after) == len(before) + 1 and after[-1].event == "dps_changed"
    [event] = audit_events("add_membership_condition")[-1:]
    assert event.detail["rule"] == "pcr_2015_notice_to_members"
    assert event.detail["notified_organisation_ids"] == [org.id]


def test_a_flag_is_emailed_to_the_operator_and_to_the_supplier(market, run_jobs):
    admin, dps, newham, _th, user, org = market
    admitted_to_newham(admin, dps, newham, user, org)
    colleague = make_admin("otto@operator.example")
    office = by_kind(newham)[ConditionKind.OFFICE_IN_AREA]
    lease = upload(user, org, "selection_evidence", "new-lease.pdf")
    raw = {"address": "2 Mile End Rd", "postcode": "E1 6AN", "document": lease.id}
    [flag] = condition_flags.declare_change(user, org, office, raw)
    run_jobs()
    told = emails("condition_flag_raised")
    assert sorted(e.recipient for e in told) == [admin.email, colleague.email]
    assert all(e.status == OutboxStatus.SENT for e in told)  # through the worker
    assert (
        told[0].subject
        == f"Riverside Community Care may no longer meet a condition of {newham.label}"
    )
    assert "E1 6AN is not in the area (it is in Tower Hamlets)" in told[0].body_text
    assert f"/admin/condition-flags/{flag.id}" in told[0].body_text
    [supplier_email] = emails("condition_no_longer_met")
    assert supplier_email.recipient == user.email
    assert supplier_email.status == OutboxStatus.SENT
    assert "the operator has been told" in supplier_email.body_text
    assert f"/organisations/{org.id}/dps/{dps.id}/conditions" in supplier_email.body_text
    # Flagged once per cause, so told once.
    assert condition_flags.flag(org.id, newham, office, flag.cause, flag.reason) is None
    db.session.commit()
    assert len(emails("condition_flag_raised")) == 2
    assert len(emails("condition_no_longer_met")) == 1


def test_the_command_loads_a_rate_and_tells_the_holders_by_when_to_pay_it(market):
    admin, dps, newham, _th, user, org = market
    admitted_to_newham(admin, dps, newham, user, org)
    runner = market_runner()
    args = [
        "dps",
        "load-wage-rate",
        "--year",
        "2026-27",
        "--announced",
        "2026-10-20",
        "--pay-by",
        "2027-05-01",
        "--uk",
        "14.10",
        "--london",
        "15.50",
    ]
    refused = runner.invoke(args=[*args, "--by", user.email])
    assert refused.exit_code == 1 and f"{user.email} is not an administrator" in refused.output
    bad = runner.invoke(args=[*args[:7], "1/5/2027", *args[8:], "--by", admin.email])
    assert bad.exit_code == 2 and "Give the date as YYYY-MM-DD" in bad.output
    assert emails("living_wage_rate_announced") == []
    result = runner.invoke(args=[*args, "--by", admin.email])
    assert result.exit_code == 0, result.output
    assert "Loaded the 2026-27 rate, to be paid by 2027-05-01." in result.output
    [told] = emails("living_wage_rate_announced")
    assert told.recipient == user.email
    subject, text, _ = render_email(told.template, told.personalisation)
    assert subject == "The new London Living Wage: pay it by 1 May 2027"
    again = runner.invoke(args=[*args, "--by", admin.email])
    assert again.exit_code == 1 and "The 2026-27 rate has already been loaded" in again.output


def market_runner():
    from flask import current_app

    return current_app.test_cli_runner()
