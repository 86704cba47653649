"""The full life of an application, in the service layer on PostgreSQL."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import ApplicationStatus, LotDecision, LotMembership, MembershipStatus, Regime
from dps.services import applying, conditions, deciding, expiry, renewals, setup, standing
from tests.dps.helpers import (
    complete_answers,
    make_admin,
    make_dps,
    make_supplier,
    sign_and_submit,
    submitted_application,
)

# Monday 7 December 2026, 10:00 in London.
MONDAY = "2026-12-07 10:00:00+00:00"


def _events(kind):
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.event_type == kind))
        .scalars()
        .all()
    )


def _emails(template):
    return (
        db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.template == template))
        .scalars()
        .all()
    )


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, org = make_supplier()
    return admin, dps, lots, user, org


def _fill(user, application, answers):
    for section_id, raw in answers.items():
        errors = applying.save_section(user, application, section_id, raw)
        assert errors == {}, (section_id, errors)


def test_full_life_of_an_application(world):
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        assert application.status == ApplicationStatus.DRAFT
        _fill(user, application, complete_answers(user, org))
        applying.choose_lots(user, application, [lots[0].id, lots[1].id])
        sign_and_submit(user, application)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.received_on == date(2026, 12, 7)
    # 10 working days after Monday 7 December.
    assert application.decision_due_on == date(2026, 12, 21)
    assert len(application.snapshot_sha256) == 64
    receipt = _emails("application_received")[0]
    assert receipt.personalisation["sha256"] == application.snapshot_sha256
    # The documents it points to can no longer be deleted.
    locked = (
        db.session.execute(sa.select(Document).where(Document.locked_at.is_not(None)))
        .scalars()
        .all()
    )
    assert len(locked) == len(application.snapshot["documents"]) > 0

    # A clarification under the 2023 Act stops the clock for the working days it takes.
    with time_machine.travel("2026-12-09 10:00:00+00:00", tick=False):
        deciding.ask_clarification(admin, application, "Please confirm your ICO number.")
    assert application.status == ApplicationStatus.CLARIFICATION
    with pytest.raises(ServiceError, match="Wait for the supplier"):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets the criteria")
    with time_machine.travel("2026-12-11 10:00:00+00:00", tick=False):
        deciding.answer_clarification(user, application, "It is ZA123456.")
    assert application.paused_working_days == 2
    assert application.decision_due_on == date(2026, 12, 23)
    assert application.clarifications[0].clock_rule == "stopped"

    with time_machine.travel("2026-12-14 10:00:00+00:00", tick=False):
        deciding.extend_time_limit(admin, application, "Checking references with two buyers")
    assert application.time_limit_days == 15
    # 17 working days, skipping Christmas, Boxing Day (observed Monday 28th) and New Year's Day.
    assert application.decision_due_on == date(2027, 1, 4)

    with time_machine.travel("2026-12-15 10:00:00+00:00", tick=False):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets every criterion")
        assert application.status == ApplicationStatus.SUBMITTED
        deciding.decide_lot(
            admin, application, lots[1].id, "rejected", "Your governing document has no asset lock"
        )
    assert application.status == ApplicationStatus.DECIDED
    memberships = db.session.execute(sa.select(LotMembership)).scalars().all()
    assert [(m.lot_id, m.status) for m in memberships] == [(lots[0].id, MembershipStatus.ADMITTED)]
    assert len(_emails("application_decision")) == 2
    with pytest.raises(ServiceError, match="This application is not waiting for a decision"):
        deciding.decide_lot(admin, application, lots[1].id, "admitted", "Changed my mind")

    # The supplier may apply again: its answers are reused, and it only chooses lots.
    with time_machine.travel("2026-12-16 10:00:00+00:00", tick=False):
        again = applying.start_application(user, org, dps)
    assert again.id != application.id
    assert again.reused_from_id == application.id
    assert again.answers["contact_name"] == "Rita Owner"
    # Every section is complete from the start; choosing lots is all that is left.
    progress = applying.progress(again)
    assert {status for _section, status in progress.sections} == {"completed"}
    assert (progress.done, progress.total, progress.complete) == (
        len(progress.sections),
        len(progress.sections) + 1,
        False,
    )
    with pytest.raises(ServiceError, match="You already hold or have applied for") as refused:
        applying.choose_lots(user, again, [lots[0].id])
    assert refused.value.field == "lots"
    applying.choose_lots(user, again, [lots[2].id])
    progress = applying.progress(again)
    assert progress.done == progress.total and progress.complete
    with time_machine.travel("2026-12-16 10:00:00+00:00", tick=False):
        sign_and_submit(user, again)
        deciding.decide_lot(admin, again, lots[2].id, "admitted", "Good local presence")

    # A renewal request that is missed suspends the supplier from new call-offs.
    with time_machine.travel("2026-12-17 10:00:00+00:00", tick=False):
        renewal = renewals.request_renewal(admin, org, dps)
    assert renewal.due_on == date(2026, 12, 24)
    with time_machine.travel("2026-12-23 09:00:00+00:00", tick=False):
        assert renewals.process_renewals() == {"reminded": 1, "lapsed": 0}
        assert renewals.process_renewals() == {"reminded": 0, "lapsed": 0}
    with time_machine.travel("2026-12-29 09:00:00+00:00", tick=False):
        assert renewals.process_renewals() == {"reminded": 0, "lapsed": 1}
    statuses = {m.status for m in db.session.execute(sa.select(LotMembership)).scalars()}
    assert statuses == {MembershipStatus.SUSPENDED}
    assert _emails("supplier_suspended")
    with time_machine.travel("2026-12-30 09:00:00+00:00", tick=False):
        standing.reinstate_supplier(admin, org, dps, "Declaration received late")
    statuses = {m.status for m in db.session.execute(sa.select(LotMembership)).scalars()}
    assert statuses == {MembershipStatus.ADMITTED}

    kinds = {e.event_type for e in db.session.execute(sa.select(AuditEvent)).scalars()}
    assert {
        "start_application",
        "submit_application",
        "ask_clarification",
        "answer_clarification",
        "extend_application",
        "admit_supplier",
        "reject_application_lot",
        "request_renewal",
        "lapse_renewal",
        "suspend_supplier",
        "reinstate_supplier",
    } <= kinds


def test_pcr_2015_clarification_keeps_the_clock_running(app):
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    user, org = make_supplier()
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id], user, org)
    with time_machine.travel("2026-12-09 10:00:00+00:00", tick=False):
        clarification = deciding.ask_clarification(admin, application, "Which ICO number?")
    with time_machine.travel("2026-12-15 10:00:00+00:00", tick=False):
        deciding.answer_clarification(user, application, "ZA123456")
    assert clarification.clock_rule == "running"
    assert application.paused_working_days == 0
    assert application.decision_due_on == date(2026, 12, 21)


def test_pcr_2015_operator_may_decide_without_waiting_for_an_answer(app):
    """Under PCR 2015 the clock runs while the supplier answers, so silence cannot push the
    operator past the deadline."""
    admin = make_admin()
    dps, lots = make_dps(admin, regime="pcr_2015", slug="pcr-dps")
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        deciding.ask_clarification(admin, application, "Which ICO number?")
        deciding.decide_lot(
            admin, application, lots[0].id, "rejected", "No answer to our question by the deadline"
        )
    assert application.status == ApplicationStatus.DECIDED


def test_reserved_lot_needs_vcse_status_and_cap_is_enforced(world):
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        _fill(user, application, complete_answers(user, org, vcse=False))
        applying.choose_lots(user, application, [lots[1].id])
        problems = applying.problems_before_submit(application)
        assert any("reserved for voluntary" in p for p in problems.values())
        with pytest.raises(
            ServiceError, match="is reserved for voluntary, community and social"
        ) as refusal:
            applying.submit_application(
                user, application, declaration_name="R", declaration_role="CEO", confirmed=True
            )
        # The refusal names the problem's place on check your answers: the lot.
        assert refusal.value.field == f"lot-{lots[1].id}"
        applying.choose_lots(user, application, [lots[2].id, lots[3].id])
        applying.submit_application(
            user, application, declaration_name="R", declaration_role="CEO", confirmed=True
        )
        deciding.decide_lot(admin, application, lots[2].id, "admitted", "Best fit for north")
        with pytest.raises(ServiceError, match="at most 1 lot") as refusal:
            deciding.decide_lot(admin, application, lots[3].id, "admitted", "Also south")
        assert refusal.value.field == "decision"
        deciding.decide_lot(
            admin, application, lots[3].id, "rejected", "One homecare patch per provider"
        )


def test_questionnaire_version_change_while_an_application_is_in_progress(world):
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        applying.save_section(user, application, "about", {"contact_name": "Rita Owner"})
        old_version = application.questionnaire
        new_definition = dict(old_version.definition)
        sections = [dict(s) for s in new_definition["sections"]]
        sections[0] = dict(
            sections[0],
            questions=sections[0]["questions"]
            + [
                {
                    "id": "website_accessible",
                    "type": "yes_no",
                    "label": "Is your website accessible?",
                }
            ],
        )
        new_definition["sections"] = sections
        new_version = setup.publish_questionnaire_version(admin, old_version, new_definition)
        # Under PCR 2015 the questionnaire of an established DPS may change (members are told).
        dps.regime = Regime.PCR_2015
        conditions.use_questionnaire(admin, dps, new_version)
        # The draft keeps the version it was started on; new drafts get the new one.
        db.session.refresh(application)
        assert application.questionnaire_id == old_version.id
        assert new_version.version == old_version.version + 1
        _fill(user, application, complete_answers(user, org))
        applying.choose_lots(user, application, [lots[0].id])
        applying.submit_application(
            user, application, declaration_name="R", declaration_role="CEO", confirmed=True
        )
        assert application.snapshot["questionnaire"]["version"] == old_version.version
        other_user, other_org = make_supplier("owner@other.example", "Other CIC")
        fresh = applying.start_application(other_user, other_org, dps)
        assert fresh.questionnaire_id == new_version.id


def test_one_supplier_cannot_see_or_change_anothers_application(world):
    admin, dps, lots, user, org = world
    intruder, _ = make_supplier("intruder@example.org", "Intruder Ltd")
    application = applying.start_application(user, org, dps)
    with pytest.raises(NotAllowed, match="You are not a member of this organisation"):
        applying.save_section(intruder, application, "about", {"contact_name": "X"})
    with pytest.raises(NotAllowed, match="You are not a member of this organisation"):
        applying.choose_lots(intruder, application, [lots[0].id])
    with pytest.raises(NotAllowed, match="Only the DPS operator can decide applications"):
        deciding.decide_lot(user, application, lots[0].id, "admitted", "I admit myself")


def test_debarred_supplier_cannot_be_admitted_and_loses_its_lots(world):
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        _fill(user, application, complete_answers(user, org))
        applying.choose_lots(user, application, [lots[0].id, lots[2].id])
        applying.submit_application(
            user, application, declaration_name="R", declaration_role="CEO", confirmed=True
        )
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        standing.exclude_organisation(admin, org, "debarred", "Debarment list entry 2026/14")
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    assert membership.status == MembershipStatus.REMOVED
    assert application.status == ApplicationStatus.DECIDED
    assert {al.decision for al in application.lots} == {LotDecision.ADMITTED, LotDecision.REJECTED}
    with pytest.raises(ServiceError, match="has been excluded from this DPS and cannot apply"):
        applying.start_application(user, org, dps)


def test_certificate_takes_its_expiry_date_from_the_answer(world):
    """The daily expiry job needs each insurance certificate's expiry date."""
    admin, dps, lots, user, org = world
    with time_machine.travel(MONDAY, tick=False):
        application = applying.start_application(user, org, dps)
        answers = complete_answers(user, org, insurance_expiry="2027-01-06")
        certificate = db.session.get(Document, answers["insurance"]["public_liability_certificate"])
        certificate.expires_on = None
        db.session.commit()
        _fill(user, application, answers)
    assert certificate.expires_on == date(2027, 1, 6)
    with time_machine.travel("2026-12-07 08:00:00+00:00", tick=False):
        assert expiry.process_document_expiry()["reminders"] >= 1  # 30 days before
