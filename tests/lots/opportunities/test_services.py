"""Opportunities in the service layer on PostgreSQL: the rules of drafting and publishing, who is
invited, and changes after publication."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import MembershipStatus, SupplierExclusion
from dps.services import applying, deciding
from lots.opportunities import amendments, clarifications, readiness
from lots.opportunities import services as opportunities
from lots.opportunities.invitations import send_invitation_emails
from lots.opportunities.models import (
    Invitation,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from tests.dps.helpers import PDF, Upload, complete_answers, make_supplier
from tests.dps.helpers import make_dps as make_other_dps
from tests.dps.services.test_application_lifecycle import _fill
from tests.lots.helpers import (
    DEADLINE,
    NOW,
    admit,
    admitted_supplier,
    make_colleague,
    outbox_recipients,
    ready_draft,
    setup_world,
    supplier,
)


@pytest.fixture
def world(app):
    return setup_world()


def _invited(opportunity):
    return set(
        db.session.execute(
            sa.select(Invitation.organisation_id).where(Invitation.opportunity_id == opportunity.id)
        ).scalars()
    )


def _problem(opportunity, **changes):
    for name, value in changes.items():
        setattr(opportunity, name, value)
    return readiness.problems(opportunity, NOW)


def test_a_ready_draft_has_no_problems(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        assert readiness.problems(opportunity, NOW) == {}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"estimated_value_pence": 6_000_000}, "estimated_value_pence", "value band"),
        ({"price_weight": 60}, "weights", "add up to 100"),
        ({"price_weight": 55, "social_value_weight": 5}, "social_value_weight", "at least 10%"),
        (
            {"submission_deadline": NOW + timedelta(days=9)},
            "submission_deadline",
            "at least 10 days",
        ),
        (
            {"submission_deadline": DEADLINE + timedelta(minutes=30)},
            "submission_deadline",
            "on the hour",
        ),
        ({"title": "  "}, "title", "Enter a title"),
    ],
)
def test_publication_rules(world, changes, field, message):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        found = _problem(opportunity, **changes)
    assert field in found and message in found[field], found
    db.session.rollback()


# The minimum tender period (DOMAIN.md: 10 days under both regimes): a deadline exactly 10 days
# after publication is allowed, anything shorter is not. Published at midday on Friday 4 December
# 2026 (London is on UTC in December), exactly 10 days on is midday on Monday 14 December: a
# working day, on the hour, so no other rule is in the way.
PUBLISHED = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
TOO_SHORT = "The deadline for bids must be at least 10 days after publication"


@pytest.mark.parametrize("kind", list(OpportunityKind))
def test_a_deadline_exactly_the_minimum_tender_period_after_publication_is_allowed(world, kind):
    admin, dps, lots, user, buyer = world
    exactly = PUBLISHED + timedelta(days=10)
    with time_machine.travel(PUBLISHED, tick=False):
        opportunity = ready_draft(user, buyer, lots[0], kind=kind, submission_deadline=exactly)
        assert readiness.problems(opportunity, PUBLISHED) == {}
        opportunities.publish(user, opportunity)
    db.session.expire_all()
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert (opportunity.published_at, opportunity.submission_deadline) == (PUBLISHED, exactly)


@pytest.mark.parametrize("kind", list(OpportunityKind))
def test_a_deadline_an_hour_short_of_the_minimum_tender_period_is_refused(world, kind):
    admin, dps, lots, user, buyer = world
    short = PUBLISHED + timedelta(days=10) - timedelta(hours=1)  # 11am on Monday 14 December
    with time_machine.travel(PUBLISHED, tick=False):
        opportunity = ready_draft(user, buyer, lots[0], kind=kind, submission_deadline=short)
        assert readiness.problems(opportunity, PUBLISHED) == {"submission_deadline": TOO_SHORT}
        with pytest.raises(ServiceError, match=TOO_SHORT):
            opportunities.publish(user, opportunity)
    db.session.rollback()
    assert db.session.get(type(opportunity), opportunity.id).status == OpportunityStatus.DRAFT


def test_publishing_a_second_after_the_minimum_tender_period_began_is_refused(world):
    """The period runs from the moment of publication: a draft whose deadline was exactly 10
    days away a second ago is too short now."""
    admin, dps, lots, user, buyer = world
    with time_machine.travel(PUBLISHED, tick=False):
        opportunity = ready_draft(
            user, buyer, lots[0], submission_deadline=PUBLISHED + timedelta(days=10)
        )
    a_second_later = PUBLISHED + timedelta(seconds=1)
    assert readiness.problems(opportunity, a_second_later) == {"submission_deadline": TOO_SHORT}
    with time_machine.travel(a_second_later, tick=False):
        with pytest.raises(ServiceError, match=TOO_SHORT):
            opportunities.publish(user, opportunity)


def test_bank_holiday_deadline_needs_confirming(world):
    admin, dps, lots, user, buyer = world
    christmas_eve_noon = DEADLINE.replace(day=28)  # Monday 28 December 2026: Boxing Day observed
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0], submission_deadline=christmas_eve_noon)
        assert "bank holiday" in readiness.problems(opportunity, NOW)["submission_deadline"]
        assert readiness.problems(opportunity, NOW, acknowledge_bank_holiday=True) == {}


def test_quick_quote_has_one_quality_question(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0], kind=OpportunityKind.QUICK_QUOTE)
        assert readiness.problems(opportunity, NOW) == {}
        opportunities.set_questions(
            user,
            opportunity,
            [
                {"kind": "quality", "text": "A", "weight": 20},
                {"kind": "quality", "text": "B", "weight": 20},
                {"kind": "social_value", "text": "C", "weight": 10},
            ],
        )
        assert "exactly one quality" in readiness.problems(opportunity, NOW)["questions"]


def test_reservation_only_below_threshold(world):
    admin, dps, lots, user, buyer = world
    lot = lots[3]  # up to £200,000
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(
            user, buyer, lot, estimated_value_pence=18_000_000, reserved_vcse=True
        )
        # £180,000 + VAT = £216,000, above the £207,720 threshold for a council.
        assert "below the threshold" in readiness.problems(opportunity, NOW)["reserved"]
        opportunity.estimated_value_pence = 17_000_000
        assert "reserved" not in readiness.problems(opportunity, NOW)


def test_publish_invites_exactly_the_eligible_suppliers(world, run_jobs):
    admin, dps, lots, user, buyer = world
    lot = lots[0]
    _, admitted = supplier("Admitted CIC", "a@a.example")
    _, suspended = supplier("Suspended CIC", "s@s.example")
    _, unadmitted = supplier("Unadmitted CIC", "u@u.example")
    _, large = supplier("Large Ltd", "l@l.example", sme=False)
    _, elsewhere = supplier("Elsewhere CIC", "e@e.example", la="MAN", region="TLD")
    _, excluded = supplier("Excluded CIC", "x@x.example")
    admit(admitted, lot)
    admit(suspended, lot, MembershipStatus.SUSPENDED)
    admit(large, lot)
    admit(elsewhere, lot)
    admit(excluded, lot)
    admit(unadmitted, lots[1])  # a different lot
    db.session.add(
        SupplierExclusion(
            organisation_id=excluded.id, kind="debarred", reason="x", created_by_id=admin.id
        )
    )
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        open_to_all = ready_draft(user, buyer, lot)
        assert opportunities.publish(user, open_to_all) == 3
        assert _invited(open_to_all) == {admitted.id, large.id, elsewhere.id}
        reserved = ready_draft(user, buyer, lot, reserved_sme=True, reserved_area_code="TLE")
        opportunities.publish(user, reserved)
        assert _invited(reserved) == {admitted.id}
    assert open_to_all.status == OpportunityStatus.PUBLISHED
    assert open_to_all.reference.startswith("VCSE-2026-")
    event = (
        db.session.execute(
            sa.select(AuditEvent)
            .where(AuditEvent.event_type == "publish_opportunity")
            .order_by(AuditEvent.id)
        )
        .scalars()
        .first()
    )
    assert event.detail["invited"] == 3
    # The emails are written by the fan-out job after commit: one per invited person, once.
    with time_machine.travel(NOW, tick=False):
        run_jobs()
        assert send_invitation_emails(open_to_all.id, "invitation") == 0
    invitations = outbox_recipients("opportunity_invitation")
    # a@ is invited to both opportunities; the suspended, excluded and unadmitted are not.
    assert sorted(invitations) == ["a@a.example", "a@a.example", "e@e.example", "l@l.example"]


def test_publish_lets_postgresql_plan_the_invitations_key_checks_once(world):
    """Inviting a lot's suppliers writes a row for each, and PostgreSQL checks both of its keys
    with a statement per row: while that INSERT runs, the transaction lets PostgreSQL keep one
    plan for those checks (``app.unitofwork.many_rows_ahead``); once it commits, the connection
    plans each statement for its own values again, as searches need."""
    _admin, _dps, lots, user, buyer = world
    _, admitted = supplier("Admitted CIC", "a@a.example")
    admit(admitted, lots[0])
    db.session.commit()
    seen = []

    def setting_at_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO opportunity_invitations"):
            seen.append(conn.exec_driver_sql("SHOW plan_cache_mode").scalar())

    sa.event.listen(db.engine, "after_cursor_execute", setting_at_insert)
    try:
        with time_machine.travel(NOW, tick=False):
            assert opportunities.publish(user, ready_draft(user, buyer, lots[0])) == 1
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", setting_at_insert)
    assert seen == ["auto"]
    assert db.session.execute(sa.text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"


def test_only_a_buyer_of_an_approved_organisation_that_joined_can_publish(world):
    admin, dps, lots, user, buyer = world

    stranger, _ = supplier("Stranger CIC", "str@example.org")
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        with pytest.raises(NotAllowed, match="You need the buyer role in this buyer organisation"):
            opportunities.publish(stranger, opportunity)

    other_dps, other_lots = make_other_dps(admin, slug="other-dps")
    with pytest.raises(ServiceError, match="not joined this DPS, so it cannot use its lots"):
        opportunities.create_draft(user, buyer, other_lots[0], title="X")


def test_late_admission_is_invited_while_open(world):
    admin, dps, lots, user, buyer = world

    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        late_user, late_org = make_supplier("late@late.example", "Late Starters CIO")
        application = applying.start_application(late_user, late_org, dps)
        _fill(late_user, application, complete_answers(late_user, late_org))
        applying.choose_lots(late_user, application, [lots[0].id])
        applying.submit_application(
            late_user, application, declaration_name="L", declaration_role="CEO", confirmed=True
        )
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
    assert late_org.id in _invited(opportunity)
    via = db.session.execute(
        sa.select(Invitation.via).where(Invitation.organisation_id == late_org.id)
    ).scalar_one()
    assert via == "late_admission"


def test_amend_extend_and_shorten(world, run_jobs):
    admin, dps, lots, user, buyer = world
    admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        amendment = amendments.amend(
            user, opportunity, "We added the service specification", description="New description"
        )
        assert amendment.changes["description"][1] == "New description"
        with pytest.raises(ServiceError, match="never brought forward") as refused:
            amendments.extend_deadline(user, opportunity, DEADLINE - timedelta(days=1), "x")
        assert refused.value.field == "submission_deadline"
        amendments.extend_deadline(
            user, opportunity, DEADLINE + timedelta(days=7), "More time for consortia"
        )
        assert opportunity.submission_deadline == DEADLINE + timedelta(days=7)
        run_jobs()
    templates = db.session.execute(sa.select(OutboxMessage.template)).scalars().all()
    assert templates.count("opportunity_amended") == 2
    assert len(opportunity.amendments) == 2


def test_an_extension_unmarks_one_a_racing_closing_job_marked(world):
    """The closing job may read an opportunity as its old deadline passes while an extension is
    being made: extended, it is open again, and search finds open ones by the job's mark."""
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        opportunity.closed_recorded_at = NOW  # as the racing job wrote it
        db.session.commit()
        amendments.extend_deadline(user, opportunity, DEADLINE + timedelta(days=7), "More time")
    assert db.session.get(Opportunity, opportunity.id).closed_recorded_at is None


def test_cancel_needs_a_reason_bidders_see(world, run_jobs):
    admin, dps, lots, user, buyer = world
    admitted_supplier(lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        with pytest.raises(ServiceError, match=r"Enter the reason\. Everyone who was") as refused:
            amendments.cancel(user, opportunity, " ")
        assert refused.value.field == "reason"
        amendments.cancel(user, opportunity, "The service is no longer funded")
        run_jobs()
    message = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "opportunity_cancelled")
    ).scalar_one()
    assert message.personalisation["reason"] == "The service is no longer funded"


def test_status_follows_the_deadline_without_a_job(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        assert opportunity.is_open
    with time_machine.travel(DEADLINE + timedelta(seconds=1), tick=False):
        assert not opportunity.is_open
        assert opportunity.display_status == "closed"

        # Lists filter with the same clock as the page.
        assert (
            db.session.execute(
                sa.select(sa.func.count(Opportunity.id)).where(Opportunity.is_open)
            ).scalar_one()
            == 0
        )


def test_clarifications_are_private_until_answered_and_anonymous(world, run_jobs):
    admin, dps, lots, user, buyer = world
    asker_user, asker = supplier("Asker CIC", "ask@ask.example")
    other_user, other = supplier("Other CIC", "oth@oth.example")
    admit(asker, lots[0])
    admit(other, lots[0])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        opportunities.publish(user, opportunity)
        question = clarifications.ask(asker_user, asker, opportunity, "Is TUPE likely to apply?")
        assert clarifications.visible_to(opportunity.id, other.id) == []
        assert clarifications.visible_to(opportunity.id, asker.id) == [question]
        with pytest.raises(NotAllowed, match="Only the buyer can answer questions"):
            clarifications.answer(asker_user, question, "Yes", public=True)
        clarifications.answer(user, question, "No staff will transfer.", public=True)
        assert clarifications.visible_to(opportunity.id, other.id) == [question]
        run_jobs()
    answered = outbox_recipients("clarification_answered")
    assert sorted(answered) == ["ask@ask.example", "oth@oth.example"]
    with time_machine.travel(DEADLINE - timedelta(days=4), tick=False):
        with pytest.raises(ServiceError, match="The deadline for questions has passed") as refused:
            clarifications.ask(asker_user, asker, opportunity, "Late question")
        assert refused.value.field == "question"


def test_only_a_buyer_attaches_tender_documents_and_only_to_a_draft(world):
    """The rule lives in the service: an evaluator cannot add documents, nor can anyone after
    publication (changes then go through amendments)."""
    admin, dps, lots, user, buyer = world
    evaluator, _ = make_colleague(buyer, "eve@leeds.example", "Eve Evaluator", roles=["evaluator"])
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        with pytest.raises(NotAllowed, match="You need the buyer role in this buyer organisation"):
            opportunities.attach_tender_document(evaluator, opportunity, Upload(PDF, "spec.pdf"))
        document = opportunities.attach_tender_document(user, opportunity, Upload(PDF, "spec.pdf"))
        assert (document.subject_type, document.subject_id) == ("opportunity", opportunity.id)
        opportunities.publish(user, opportunity)
        with pytest.raises(ServiceError, match="only be added to a draft") as refused:
            opportunities.attach_tender_document(user, opportunity, Upload(PDF, "late.pdf"))
        assert refused.value.field == "file"
