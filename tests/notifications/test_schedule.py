"""The scheduler queues each periodic job once per slot, at London times, and the scheduled
reminders send each email once however often they run."""

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from app import schedule
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.queue import rq_queue
from app.timeutil import utcnow
from dps.models import Application, ApplicationStatus
from dps.services.clock import today
from lots.bids import services as bids
from notifications.reminders import (
    send_admission_sla_warnings,
    send_bid_deadline_reminders,
    send_question_deadline_reminders,
)
from tests.lots.helpers import DEADLINE
from tests.notifications.alerting import admit, publish, supplier, world

WINTER = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)  # 07:00 in London (GMT)
SUMMER = datetime(2026, 7, 2, 6, 0, tzinfo=timezone.utc)  # 07:00 in London (BST)


def _templates(template):
    db.session.expire_all()
    return sorted(
        db.session.execute(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.template == template)
        ).scalars()
    )


def test_slots_follow_london_time(app):
    daily = schedule.entry("daily-digest")
    for at in (WINTER, SUMMER):
        assert schedule.latest_slot(daily, at).strftime("%H:%M") == "07:00"
        assert (
            schedule.latest_slot(daily, at - timedelta(minutes=1)).date()
            == (at - timedelta(days=1)).date()
        )
    weekly = schedule.entry("weekly-digest")
    assert schedule.latest_slot(weekly, WINTER).date() == date(2026, 11, 30)  # the Monday
    relay = schedule.entry("recover")
    assert schedule.latest_slot(relay, WINTER + timedelta(seconds=59)).strftime("%H:%M") == "07:00"
    closed = schedule.entry("mark-closed")
    assert schedule.latest_slot(closed, WINTER + timedelta(minutes=29)).strftime("%M") == "15"


def test_tick_queues_each_slot_once(app):
    names = schedule.tick(WINTER)
    assert set(names) == {e.name for e in schedule.entries()}  # first run: the latest of each
    assert "schedule-daily-digest-20261203T0700" in rq_queue().job_ids
    assert schedule.tick(WINTER + timedelta(seconds=30)) == []  # same minute: nothing
    assert schedule.tick(WINTER + timedelta(minutes=1)) == ["recover"]
    assert set(schedule.tick(WINTER + timedelta(hours=1))) == {
        "recover",
        "mark-closed",
        "remove-deleted-documents",
        "question-deadline-reminders",
        "bid-deadline-reminders",
        "enter-contracts",
        "admission-sla-warnings",
        "social-value-returns",
    }  # 08:00 London
    assert "daily-digest" in schedule.tick(WINTER + timedelta(days=1))


def test_the_scheduled_jobs_run_on_a_worker(app, run_jobs):
    schedule.tick(WINTER)
    run_jobs()
    failed = rq_queue().failed_job_registry
    assert failed.get_job_ids() == []
    assert len(rq_queue().finished_job_registry) >= len(schedule.entries())


def test_schedule_commands(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["schedule", "list"])
    assert listed.exit_code == 0 and "daily-digest" in listed.output
    assert "every day at 07:00" in listed.output
    ticked = runner.invoke(args=["schedule", "tick"])
    assert ticked.exit_code == 0 and "recover" in ticked.output
    ran = runner.invoke(args=["schedule", "run-job", "recover"])
    assert ran.exit_code == 0, ran.output
    assert runner.invoke(args=["schedule", "run-job", "nope"]).exit_code != 0


def test_question_deadline_reminders_go_once_to_invited_suppliers(app):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Invited CIC", "ivy@invited.example")
    admit(org, lots[0])
    supplier("Other CIC", "oz@other.example")
    opportunity = publish(buyer_user, buyer, lots[0])
    questions_close = opportunity.question_deadline
    assert send_question_deadline_reminders(now=questions_close - timedelta(days=2)) == 0
    assert send_question_deadline_reminders(now=questions_close - timedelta(hours=20)) == 1
    assert send_question_deadline_reminders(now=questions_close - timedelta(hours=19)) == 0
    assert _templates("question_deadline_reminder") == ["ivy@invited.example"]


def test_bid_deadline_reminders_go_to_suppliers_with_a_draft_bid(app, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    drafting_user, drafting = supplier("Drafting CIC", "dra@drafting.example")
    idle_user, idle = supplier("Idle CIC", "ida@idle.example")
    for org in (drafting, idle):
        admit(org, lots[0])
    opportunity = publish(buyer_user, buyer, lots[0])
    bids.start_bid(drafting_user, drafting, opportunity)

    assert send_bid_deadline_reminders(now=DEADLINE - timedelta(days=4)) == 0
    assert send_bid_deadline_reminders(now=DEADLINE - timedelta(days=2, hours=23)) == 1
    assert send_bid_deadline_reminders(now=DEADLINE - timedelta(days=2, hours=22)) == 0
    assert send_bid_deadline_reminders(now=DEADLINE - timedelta(hours=23)) == 1
    assert send_bid_deadline_reminders(now=DEADLINE - timedelta(hours=22)) == 0
    db.session.expire_all()
    rows = (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == "bid_deadline_reminder")
            .order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )
    assert [(r.recipient, r.personalisation["days"]) for r in rows] == [
        ("dra@drafting.example", 3),
        ("dra@drafting.example", 1),
    ]


def test_admission_sla_warnings_tell_each_administrator_once_a_day(app):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Waiting CIC", "wai@waiting.example")
    for due in (today() - timedelta(days=7), today() + timedelta(days=60)):
        db.session.add(
            Application(
                dps_id=dps.id,
                organisation_id=org.id,
                questionnaire_id=dps.questionnaire_id,
                status=ApplicationStatus.SUBMITTED,
                submitted_at=utcnow(),
                created_by_id=user.id,
                received_on=due - timedelta(days=14),
                decision_due_on=due,
                answers={},
            )
        )
    db.session.commit()
    assert send_admission_sla_warnings() == 1
    assert send_admission_sla_warnings() == 1  # the same key: still one email
    [message] = (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.template == "admission_sla_warning")
        )
        .scalars()
        .all()
    )
    assert message.recipient == admin.email
    assert message.personalisation["count"] == 1 and message.personalisation["overdue"] == 1
    assert "Waiting CIC" in message.personalisation["applications"][0]
